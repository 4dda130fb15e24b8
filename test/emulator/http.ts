// Small HTTP plumbing for the emulator: a route table, replies, bodies and multipart parsing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

export type Query = Record<string, string>;

export interface Req {
	method: string;
	path: string;
	query: Query;
	headers: IncomingMessage['headers'];
	params: Record<string, string>;
	raw: IncomingMessage;
	body(): Promise<Buffer>;
	json<T = unknown>(): Promise<T>;
}

/** What a handler answers. `json` and `text` are sent whole; `stream` is piped; `hijack` writes itself. */
export interface Reply {
	status: number;
	headers?: Record<string, string | number>;
	json?: unknown;
	text?: string;
	stream?: Readable;
	hijack?: (res: ServerResponse) => void;
}

export type Handler = (req: Req) => Promise<Reply> | Reply;

export interface Route {
	method: string;
	pattern: RegExp;
	keys: string[];
	operationId: string;
	auth: boolean;
	handler: Handler;
}

export class Router {
	readonly routes: Route[] = [];

	add(
		method: string,
		path: string,
		operationId: string,
		handler: Handler,
		opts: { auth?: boolean } = {},
	) {
		const keys: string[] = [];
		const pattern = new RegExp(
			'^' +
				path.replace(/:([a-z_]+)/g, (_m, key: string) => {
					keys.push(key);
					return '([^/]+)';
				}) +
				'/?$',
		);
		this.routes.push({ method, pattern, keys, operationId, auth: opts.auth ?? true, handler });
	}

	match(
		method: string,
		path: string,
	): { route: Route; params: Record<string, string> } | 'method' | undefined {
		let pathMatched = false;
		for (const route of this.routes) {
			const m = route.pattern.exec(path);
			if (!m) continue;
			pathMatched = true;
			if (route.method !== method) continue;
			const params: Record<string, string> = {};
			route.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1])));
			return { route, params };
		}
		return pathMatched ? 'method' : undefined;
	}
}

export function readBody(req: IncomingMessage, limit = Infinity): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (c: Buffer) => {
			size += c.length;
			if (size > limit) {
				reject(Object.assign(new Error('body too large'), { code: 'TOO_LARGE' }));
				req.destroy();
				return;
			}
			chunks.push(c);
		});
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

export function problem(
	status: number,
	detail: string,
	title?: string,
	extra: Record<string, unknown> = {},
): Reply {
	const body: Record<string, unknown> = {};
	if (title) body.title = title;
	body.detail = detail;
	body.status = status;
	Object.assign(body, extra);
	return { status, headers: { 'content-type': 'application/problem+json' }, json: body };
}

export const json = (
	status: number,
	body: unknown,
	headers: Record<string, string | number> = {},
): Reply => ({
	status,
	json: body,
	headers,
});

export interface MultipartPart {
	name: string;
	filename?: string;
	contentType?: string;
	data: Buffer;
}

/** Parses multipart/form-data as the official clients and n8n (axios + FormData) send it. */
export function parseMultipart(body: Buffer, contentType: string): MultipartPart[] {
	const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
	if (!m) throw new Error('multipart boundary missing');
	const boundary = Buffer.from('--' + (m[1] ?? m[2]).trim());
	const parts: MultipartPart[] = [];
	let pos = body.indexOf(boundary);
	if (pos < 0) throw new Error('multipart boundary not found');
	for (;;) {
		pos += boundary.length;
		if (body.subarray(pos, pos + 2).toString() === '--') break;
		if (body.subarray(pos, pos + 2).toString() === '\r\n') pos += 2;
		const headerEnd = body.indexOf('\r\n\r\n', pos);
		if (headerEnd < 0) throw new Error('multipart part headers not terminated');
		const headerText = body.subarray(pos, headerEnd).toString('utf8');
		const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), boundary]), headerEnd + 4);
		if (next < 0) throw new Error('multipart part not terminated');
		const data = body.subarray(headerEnd + 4, next);
		const headers: Record<string, string> = {};
		for (const line of headerText.split('\r\n')) {
			const i = line.indexOf(':');
			if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
		}
		const disp = headers['content-disposition'] ?? '';
		const name = /\bname="([^"]*)"/i.exec(disp)?.[1] ?? '';
		const filename = /\bfilename="([^"]*)"/i.exec(disp)?.[1];
		parts.push({ name, filename, contentType: headers['content-type'], data });
		pos = next + 2;
	}
	return parts;
}
