// A context for the transport's unit tests: no network and no n8n. Each request is answered by the
// next scripted answer and recorded with whether it went through n8n's credential helper (the only
// way the token and the extra header are sent), so a test reads exactly where the credential went.
import type { IBinaryData, IExecuteFunctions, IHttpRequestOptions, INode } from 'n8n-workflow';
import { Readable } from 'node:stream';

export interface Sent {
	method: string;
	url: string;
	/** Sent through httpRequestWithAuthentication: with the token and any extra header. */
	withCredential: boolean;
	headers: Record<string, string>;
	body: unknown;
}

export interface Answer {
	status?: number;
	headers?: Record<string, string>;
	body?: unknown;
}

export const NODE: INode = {
	id: 'node-1',
	name: 'Replicate',
	type: '@n8n-nodes-replicate/n8n-nodes-replicate.replicate',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

export const TOKEN = 'r8_unitTestToken0123456789abcdef';

/** `answer` gives each request its response: a list (one each, in order) or a function of it. */
export function fakeContext(
	answer: Answer[] | ((sent: Sent) => Answer),
	credentials: Record<string, unknown> = {},
) {
	const sent: Sent[] = [];
	const script = Array.isArray(answer) ? [...answer] : undefined;
	const respond = (options: IHttpRequestOptions, withCredential: boolean) => {
		const request: Sent = {
			method: options.method ?? 'GET',
			url: options.url,
			withCredential,
			headers: { ...((options.headers ?? {}) as Record<string, string>) },
			body: options.body,
		};
		sent.push(request);
		const a = script ? script.shift() : (answer as (s: Sent) => Answer)(request);
		if (!a) throw new Error(`no answer scripted for ${request.method} ${request.url}`);
		const body =
			options.encoding === 'stream'
				? Readable.from([
						Buffer.from(typeof a.body === 'string' ? a.body : JSON.stringify(a.body ?? '')),
					])
				: a.body;
		return { statusCode: a.status ?? 200, headers: a.headers ?? {}, body };
	};
	const ctx = {
		getNode: () => NODE,
		getCredentials: async () => ({
			apiToken: TOKEN,
			baseUrl: 'https://api.replicate.com/v1',
			...credentials,
		}),
		helpers: {
			httpRequest: async (options: IHttpRequestOptions) => respond(options, false),
			httpRequestWithAuthentication: async (_type: string, options: IHttpRequestOptions) =>
				respond(options, true),
			/** Reads the content (a stream or a buffer) whole, as n8n's binary store would. */
			prepareBinaryData: async (
				content: Buffer | AsyncIterable<Uint8Array>,
				fileName?: string,
				mimeType?: string,
			): Promise<IBinaryData> => {
				const chunks: Buffer[] = [];
				if (Buffer.isBuffer(content)) chunks.push(content);
				else for await (const c of content) chunks.push(Buffer.from(c));
				const data = Buffer.concat(chunks);
				return { data: data.toString('base64'), fileName, mimeType: mimeType ?? '' };
			},
		},
	};
	return { ctx, sent, execute: ctx as unknown as IExecuteFunctions };
}
