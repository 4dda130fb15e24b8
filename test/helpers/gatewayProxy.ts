// A gateway in front of the emulator, as a user would put one in front of Replicate: it serves
// Replicate's API below its own path (Cloudflare AI Gateway's /v1/{account}/{gateway}/replicate, or
// its root), requires its own header (like an authenticated Cloudflare AI Gateway's
// cf-aig-authorization) and forwards everything else as it is, answers included: `next` cursors keep
// the upstream's host and /v1 path, as Cloudflare passes Replicate's answers through. Test code only.
import { createServer, request, type IncomingHttpHeaders, type ServerResponse } from 'node:http';

export interface GatewayOptions {
	/** Upstream API origin; requests go to `${upstream}/v1/…`. */
	upstream: string;
	/** The gateway's path for Replicate ('' for a root mount). */
	prefix: string;
	/** The header the gateway requires, and its value. */
	header: [string, string];
}

export interface GatewayRequest {
	method: string;
	url: string;
	headers: IncomingHttpHeaders;
}

/** An error answer shaped like Cloudflare's. */
function refuse(res: ServerResponse, status: number, message: string): void {
	res.writeHead(status, { 'content-type': 'application/json' });
	res.end(JSON.stringify({ success: false, error: [{ message }] }));
}

export async function gatewayProxy(o: GatewayOptions) {
	const received: GatewayRequest[] = [];
	const [name, value] = [o.header[0].toLowerCase(), o.header[1]];
	const server = createServer((req, res) => {
		received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
		const url = new URL(req.url ?? '/', 'http://gateway');
		if (o.prefix && !url.pathname.startsWith(`${o.prefix}/`)) {
			return refuse(res, 404, 'Route not resolved');
		}
		if (req.headers[name] !== value) {
			return refuse(res, 401, 'Unauthorized gateway');
		}
		const target = new URL(`/v1${url.pathname.slice(o.prefix.length)}${url.search}`, o.upstream);
		const headers: IncomingHttpHeaders = { ...req.headers, host: target.host };
		delete headers[name];
		const upstream = request(target, { method: req.method, headers }, (answer) => {
			res.writeHead(answer.statusCode ?? 502, answer.headers);
			answer.pipe(res);
		});
		upstream.on('error', () => res.writeHead(502).end());
		req.pipe(upstream);
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
	const port = (server.address() as { port: number }).port;
	const origin = `http://127.0.0.1:${port}`;
	return {
		origin,
		baseUrl: `${origin}${o.prefix}`,
		received,
		close: () =>
			new Promise<void>((r) => {
				server.closeAllConnections();
				server.close(() => r());
			}),
	};
}

export type GatewayProxy = Awaited<ReturnType<typeof gatewayProxy>>;
