// Shared by the real-n8n tests (test/e2e, test/queue): assertions, waiting for a condition, and n8n's
// public executions API (the same on n8n 2.8.4 and 2.41.1).

export function check(cond: unknown, message: string): asserts cond {
	if (!cond) throw new Error(message);
}

/** Calls `fn` every `stepMs` until it returns a value; throws after `ms`. */
export async function until<T>(
	fn: () => Promise<T | undefined | false>,
	ms = 60_000,
	stepMs = 250,
): Promise<T> {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > end) throw new Error('timed out waiting');
		await new Promise((r) => setTimeout(r, stepMs));
	}
}

export type ExecutionItem = {
	json: Record<string, unknown>;
	binary?: Record<string, { id?: string; mimeType?: string; data?: string }>;
};

export interface Execution {
	id: string;
	status: string;
	workflowId: string;
	startedAt?: string;
	waitTill?: string | null;
	data?: {
		resultData: { runData: Record<string, Array<{ data?: { main: ExecutionItem[][] } }>> };
	};
}

/** An execution that will not change any more. */
export const isFinished = (e: Execution | undefined): e is Execution =>
	!!e && ['success', 'error', 'crashed', 'canceled'].includes(e.status);

/**
 * A workflow's executions with their data, newest first. n8n 2.8's list leaves out waiting
 * executions unless asked for them by `status`; `getExecution` answers for them on every version.
 */
export async function listExecutions(
	base: string,
	key: string,
	workflowId: string,
	opts: { status?: string; limit?: number } = {},
): Promise<Execution[]> {
	const q = new URLSearchParams({
		workflowId,
		includeData: 'true',
		limit: String(opts.limit ?? 250),
		...(opts.status ? { status: opts.status } : {}),
	});
	const res = await fetch(`${base}/api/v1/executions?${q.toString()}`, {
		headers: { 'X-N8N-API-KEY': key },
	});
	const body = (await res.json()) as { data?: Execution[] };
	if (!Array.isArray(body.data)) {
		throw new Error(`executions API answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
	}
	return body.data;
}

/** One execution with its data, or undefined when n8n does not know it (yet). */
export async function getExecution(
	base: string,
	key: string,
	id: string,
): Promise<Execution | undefined> {
	const res = await fetch(`${base}/api/v1/executions/${id}?includeData=true`, {
		headers: { 'X-N8N-API-KEY': key },
	});
	return res.status === 200 ? ((await res.json()) as Execution) : undefined;
}
