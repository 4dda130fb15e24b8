// Shared by the benchmarks: an isolated n8n-core environment (as in the tests), the emulator and
// the in-process harness. Benchmarks print figures; they assert nothing.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The user folder (binary data, n8n-core settings) is this run's own temporary folder, removed when
// the process that made it exits. A child bench process inherits it and leaves it to its parent.
if (!process.env.N8N_USER_FOLDER) {
	const folder = mkdtempSync(join(tmpdir(), 'n8n-replicate-bench-'));
	process.env.N8N_USER_FOLDER = folder;
	process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
	for (const signal of ['SIGINT', 'SIGTERM'] as const)
		process.once(signal, () => {
			rmSync(folder, { recursive: true, force: true });
			process.exit(130);
		});
}
process.env.N8N_DEFAULT_BINARY_DATA_MODE ??= 'filesystem';
process.env.N8N_LOG_LEVEL ??= 'silent';

export const say = (s = '') => process.stdout.write(`${s}\n`);

export function median(xs: number[]): number {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** "median 1.23 (0.98–1.40, n 5)": the median and the range of several runs. */
export function spread(xs: number[], digits = 2, unit = ''): string {
	const f = (x: number) => `${x.toFixed(digits)}${unit}`;
	if (xs.length === 1) return `${f(xs[0])} (one run)`;
	return `median ${f(median(xs))} (range ${f(Math.min(...xs))}–${f(Math.max(...xs))}, n ${xs.length})`;
}

/** The verdict printed beside a goal. */
export const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

/** A port nobody listens on now, from `from` up to `to` (for programs that cannot take port 0). */
export async function freePort(from: number, to: number, skip: number[] = []): Promise<number> {
	for (let port = from; port <= to; port++) {
		if (skip.includes(port)) continue;
		const free = await new Promise<boolean>((resolve) => {
			const server = createServer();
			server.once('error', () => resolve(false));
			server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
		});
		if (free) return port;
	}
	throw new Error(`no free port between ${from} and ${to}`);
}

export async function shutdownN8nCore() {
	const { Container } = await import('@n8n/di');
	const { SSHClientsManager } = await import('n8n-core/dist/execution-engine/ssh-clients-manager');
	const m = Container.get(SSHClientsManager) as unknown as {
		cleanupTimer?: ReturnType<typeof setInterval>;
	};
	if (m.cleanupTimer) clearInterval(m.cleanupTimer);
}

/** The resident set of a process in bytes, from /proc (Linux), or NaN when it cannot be read. */
export function rss(pid: number): number {
	try {
		const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return m ? Number(m[1]) * 1024 : NaN;
	} catch {
		return NaN;
	}
}

/**
 * A workflow for a real n8n that a POST to /webhook/`path` starts: a Webhook node, then `nodes` one
 * after the other (laid out left to right), answering with the last node's output.
 */
export function webhookChain(o: {
	id: string;
	name: string;
	path: string;
	responseData: 'firstEntryJson' | 'noData';
	nodes: Array<Record<string, unknown> & { name: string }>;
	settings?: Record<string, unknown>;
}) {
	const start = {
		id: `${o.id}-start`,
		name: 'Start',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: o.path,
		parameters: {
			httpMethod: 'POST',
			path: o.path,
			responseMode: 'lastNode',
			responseData: o.responseData,
			options: {},
		},
	};
	const chain = [
		start,
		...o.nodes.map((n, i) => ({ id: `${o.id}-${i}`, position: [220 * (i + 1), 0], ...n })),
	];
	const connections: Record<string, unknown> = {};
	for (let i = 1; i < chain.length; i++)
		connections[chain[i - 1].name] = { main: [[{ node: chain[i].name, type: 'main', index: 0 }]] };
	return {
		id: o.id,
		name: o.name,
		active: false,
		settings: { executionOrder: 'v1', ...o.settings },
		nodes: chain,
		connections,
	};
}
