// A scriptable HTTP server standing in for a hostile API, file host or redirect target: every request
// is recorded (headers included, so tests can see where the token went), and each test sets the
// handler. Plus a DNS override so names under .test reach loopback: a Base URL that is not itself a
// loopback address, as in production, while everything still runs on this machine.
import dns from 'node:dns';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface Recorded {
	method: string;
	url: string;
	headers: IncomingMessage['headers'];
	body: string;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export async function hostileServer(host = '127.0.0.1') {
	const received: Recorded[] = [];
	const state: { handler: Handler } = { handler: (_q, res) => res.writeHead(404).end() };
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString('utf8');
			received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
			try {
				state.handler(req, res, body);
			} catch {
				res.destroy();
			}
		});
	});
	const sockets = new Set<import('node:net').Socket>();
	server.on('connection', (s) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	await new Promise<void>((r) => server.listen(0, host, () => r()));
	const port = (server.address() as { port: number }).port;
	return {
		port,
		origin: `http://${host}:${port}`,
		received,
		set handler(h: Handler) {
			state.handler = h;
		},
		/** Requests that carried an Authorization header. */
		withToken: () => received.filter((r) => r.headers.authorization !== undefined),
		reset: () => (received.length = 0),
		close: () =>
			new Promise<void>((r) => {
				for (const s of sockets) s.destroy();
				server.close(() => r());
			}),
	};
}

export type HostileServer = Awaited<ReturnType<typeof hostileServer>>;

export function json(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
) {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json',
		'content-length': String(Buffer.byteLength(text)),
		...headers,
	});
	res.end(text);
}

type Lookup = typeof dns.lookup;
let original: Lookup | undefined;

/** Names ending in .test resolve to 127.0.0.1 until restoreDns(). */
export function mapTestHostsToLoopback() {
	if (original) return;
	original = dns.lookup;
	const patched = function (this: unknown, hostname: string, options: unknown, callback?: unknown) {
		const cb = (typeof options === 'function' ? options : callback) as (...a: unknown[]) => void;
		const opts = (typeof options === 'object' && options) || {};
		if (/\.test\.?$/i.test(hostname)) {
			if ((opts as { all?: boolean }).all)
				return process.nextTick(() => cb(null, [{ address: '127.0.0.1', family: 4 }]));
			return process.nextTick(() => cb(null, '127.0.0.1', 4));
		}
		return (original as unknown as (...a: unknown[]) => void).call(
			this,
			hostname,
			options,
			callback,
		);
	};
	(dns as unknown as { lookup: unknown }).lookup = patched;
}

export function restoreDns() {
	if (original) (dns as unknown as { lookup: unknown }).lookup = original;
	original = undefined;
}
