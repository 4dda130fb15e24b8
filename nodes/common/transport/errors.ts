// Every error the transport raises: Replicate's problem answers, network failures, stops and
// deadlines, each with no secret in it (the token and anything like it is redacted).
import type { IDataObject, IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { redactDeep, redactText, type Secrets } from './redact';

/** What an error says about the request it belongs to. */
export interface RequestLabel {
	method: string;
	/** A path below the Base URL or an absolute URL; only its path is shown. */
	path: string;
	itemIndex?: number;
}

/** Errors need only the node. */
export type NodeContext = Pick<IExecuteFunctions, 'getNode'>;

const pathOf = (path: string) => path.replace(/^https?:\/\/[^/]+/, '');

/** Turns Replicate's problem+json (title, detail, status) into a NodeApiError with no secret in it. */
export function apiError(
	ctx: NodeContext,
	statusCode: number,
	body: unknown,
	itemIndex?: number,
	secrets?: Secrets,
	note?: string,
): NodeApiError {
	const raw = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as IDataObject;
	const problem = redactDeep(raw, secrets);
	const text =
		typeof body === 'string' && body.trim() && body.length < 200 && !/[<>]/.test(body)
			? redactText(body.trim(), secrets)
			: undefined;
	const title =
		typeof problem.title === 'string' && problem.title.trim() ? problem.title.trim() : undefined;
	const detail =
		typeof problem.detail === 'string' && problem.detail.trim() ? problem.detail.trim() : text;
	const fallback =
		statusCode === 404 ? 'Not found' : `Replicate answered with status ${statusCode}`;
	// One sentence each: a detail that only repeats the title is not shown twice.
	const extra = title && detail && detail !== title ? detail : undefined;
	// The problem goes in a key n8n does not search, so it does not fill the description with the
	// title or detail the message already says.
	return new NodeApiError(ctx.getNode(), { status: statusCode, problem } as JsonObject, {
		message: `Replicate: ${title ?? detail ?? fallback}`,
		description: [extra, note].filter(Boolean).join(' ') || undefined,
		httpCode: String(statusCode),
		itemIndex,
	});
}

const clock = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** What to tell the user when a create may have reached Replicate without an answer. */
export function mayHaveCreatedNote(sentAt: number, until = Date.now()): string {
	return `The request may have reached Replicate and started a billed prediction: look for predictions created between ${clock(sentAt - 1000)} and ${clock(until + 1000)} (dashboard or Prediction → Get Many) before running it again, so nothing is paid twice.`;
}

export function networkError(
	ctx: NodeContext,
	error: unknown,
	req: RequestLabel,
	sentAt: number | undefined,
	message?: string,
	secrets?: Secrets,
) {
	// Only the message and code travel on: the original error can carry request headers. The code
	// stays out of the message, which n8n would otherwise replace with a generic sentence.
	const e = error as {
		message?: string;
		code?: string;
		cause?: { code?: string; message?: string };
	};
	const code = e.code ?? e.cause?.code;
	const what = `${req.method} ${pathOf(req.path).replace(/\?.*$/, '')}`;
	const note = sentAt !== undefined ? ` ${mayHaveCreatedNote(sentAt)}` : '';
	const detail = [code, e.cause?.message ?? e.message].filter(Boolean).join(': ');
	return new NodeOperationError(
		ctx.getNode(),
		redactText(message ?? `Could not reach Replicate (${what})`, secrets),
		{
			itemIndex: req.itemIndex,
			description: redactText(`${detail.replace(/\.$/, '')}.${note}`.trim(), secrets),
		},
	);
}

/** n8n errors pass through (their texts redacted); anything else becomes a NodeOperationError (message only). */
export function asNodeError(
	ctx: NodeContext,
	error: unknown,
	itemIndex?: number,
	secrets?: Secrets,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.message = redactText(error.message, secrets);
		if (error.description) error.description = redactText(error.description, secrets);
		return error;
	}
	return new NodeOperationError(
		ctx.getNode(),
		redactText((error as Error)?.message ?? String(error), secrets),
		{ itemIndex },
	);
}

export function stoppedError(ctx: NodeContext, itemIndex?: number) {
	return new NodeOperationError(ctx.getNode(), 'The execution was stopped', { itemIndex });
}

/** Errors thrown because the caller's deadline passed (the waiting code turns them into a timeout). */
const deadlineErrors = new WeakSet<object>();
export const isDeadlineError = (e: unknown) =>
	typeof e === 'object' && e !== null && deadlineErrors.has(e);

export function deadlineError(ctx: NodeContext, req: RequestLabel) {
	const e = new NodeOperationError(
		ctx.getNode(),
		`The time allowed ran out during ${req.method} ${pathOf(req.path)}`,
		{ itemIndex: req.itemIndex },
	);
	deadlineErrors.add(e);
	return e;
}
