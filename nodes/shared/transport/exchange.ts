// One HTTP exchange: a request, and the redirects it is sent on, followed here rather than by n8n so
// that the token policy decides every hop.
import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { CREDENTIAL, type Connection, type ReplicateContext } from './connection';
import { redactText } from './safety';

export interface RawResponse {
	body: unknown;
	headers: unknown;
	statusCode: number;
}

/** Response headers with lower-case names and string values. */
export function headerMap(headers: unknown): Record<string, string> {
	const out: Record<string, string> = {};
	if (headers && typeof headers === 'object') {
		for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
			if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
		}
	}
	return out;
}

const REDIRECTS = [301, 302, 303, 307, 308];
const MAX_REDIRECTS = 5;

/** A request without the token (to another origin, after a redirect left the API's origin). */
async function plainRequest(
	ctx: ReplicateContext,
	options: IHttpRequestOptions,
	signal?: AbortSignal,
): Promise<RawResponse> {
	return (await ctx.helpers.httpRequest({ ...options, abortSignal: signal })) as RawResponse;
}

export interface ExchangeOptions {
	conn: Connection;
	/** `this` for httpRequestWithAuthentication: decides which abort signal n8n attaches. */
	caller: unknown;
	signal?: AbortSignal;
	follow: boolean;
	/** Checks every redirect target; a problem stops the request. */
	checkHop?: (url: string) => string | undefined;
	itemIndex?: number;
}

/**
 * Sends one request and follows redirects itself: n8n's own following puts the Authorization header
 * back on cross-origin hops (and follow-redirects keeps it for subdomains). Here the token is sent
 * only while every hop so far stayed on the Base URL's origin.
 */
export async function exchange(
	ctx: ReplicateContext,
	options: IHttpRequestOptions,
	o: ExchangeOptions,
): Promise<RawResponse & { url: string }> {
	const apiOrigin = new URL(o.conn.base).origin;
	let url = options.url;
	let method = options.method;
	let body = options.body;
	let trusted = true;
	for (let hop = 0; ; hop++) {
		const withToken = trusted && new URL(url).origin === apiOrigin;
		// A fresh headers object for every request: n8n's credential helper writes the Authorization
		// header into the object it is given, which would carry it into the next (plain) request.
		const headers: Record<string, string> = {};
		for (const [k, v] of Object.entries((options.headers ?? {}) as Record<string, string>)) {
			if (withToken || !/^(authorization|cookie|proxy-authorization)$/i.test(k)) headers[k] = v;
		}
		const attempt: IHttpRequestOptions = {
			...options,
			url,
			method,
			body,
			headers,
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
		};
		const res = withToken
			? ((await ctx.helpers.httpRequestWithAuthentication.call(
					o.caller as IExecuteFunctions,
					CREDENTIAL,
					attempt,
				)) as RawResponse)
			: await plainRequest(ctx, attempt, o.signal);
		const location = headerMap(res.headers).location;
		if (!o.follow || !REDIRECTS.includes(res.statusCode) || !location) return { ...res, url };
		(res.body as { destroy?: () => void } | undefined)?.destroy?.();
		let next: string;
		try {
			next = new URL(location, url).href;
		} catch {
			throw new NodeOperationError(ctx.getNode(), 'A redirect pointed to an invalid URL', {
				itemIndex: o.itemIndex,
			});
		}
		if (hop >= MAX_REDIRECTS)
			throw new NodeOperationError(
				ctx.getNode(),
				`Too many redirects (more than ${MAX_REDIRECTS})`,
				{ itemIndex: o.itemIndex },
			);
		const problem = o.checkHop?.(next);
		if (problem) {
			throw new NodeOperationError(
				ctx.getNode(),
				`A redirect to ${redactText(next)} was refused: ${problem}`,
				{ itemIndex: o.itemIndex },
			);
		}
		if (new URL(next).origin !== apiOrigin) trusted = false;
		if (
			res.statusCode === 303 ||
			((res.statusCode === 301 || res.statusCode === 302) && method !== 'GET')
		) {
			method = 'GET';
			body = undefined;
		}
		url = next;
	}
}
