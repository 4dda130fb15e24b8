// One HTTP exchange: a request, and the redirects it is sent on, followed here rather than by n8n so
// that two rules decide every hop, the first included:
// - the outbound-URL policy (policy.ts): a hop it refuses is not made;
// - the token policy: trust is decided by where the request STARTS. Only a request that starts on the
//   Base URL's origin is sent with the credential (the token and any extra header), and only while
//   every hop stays there; a request that starts anywhere else never gains it, not even on a
//   redirect back to the API.
import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { CREDENTIAL, type Connection, type ReplicateContext } from './connection';
import { outboundUrlProblem } from './policy';
import { redactText } from './redact';

export interface RawResponse {
	body: unknown;
	headers: unknown;
	statusCode: number;
}

/** What an exchange needs of a context: the node (for errors) and n8n's request helpers. */
export type ExchangeContext = Pick<ReplicateContext, 'getNode' | 'helpers'>;

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
/** Request headers that carry credentials: never sent on a hop without the token. */
const CREDENTIAL_HEADERS = /^(authorization|cookie|proxy-authorization)$/i;

export interface ExchangeOptions {
	conn: Connection;
	/** `this` for httpRequestWithAuthentication: decides which abort signal n8n attaches. */
	caller: unknown;
	signal?: AbortSignal;
	follow: boolean;
	/** Never send the credential, wherever the request starts (a prediction's stream needs none). */
	anonymous?: boolean;
	itemIndex?: number;
}

const originOf = (url: string) => new URL(url).origin;

/**
 * Sends one request and follows redirects itself: n8n's own following puts the Authorization header
 * back on cross-origin hops (and follow-redirects keeps it for subdomains).
 */
export async function exchange(
	ctx: ExchangeContext,
	options: IHttpRequestOptions,
	o: ExchangeOptions,
): Promise<RawResponse & { url: string }> {
	const apiOrigin = originOf(o.conn.base);
	let url = options.url;
	let method = options.method;
	let body = options.body;
	const refuse = (message: string) =>
		new NodeOperationError(ctx.getNode(), message, { itemIndex: o.itemIndex });
	const firstProblem = outboundUrlProblem(url, o.conn.base);
	if (firstProblem) throw refuse(`Refusing to fetch ${redactText(url)}: ${firstProblem}`);
	let trusted = !o.anonymous && originOf(url) === apiOrigin;
	for (let hop = 0; ; hop++) {
		// A fresh headers object for every request: n8n's credential helper writes the credential's
		// headers into the object it is given, which would carry them into the next (plain) request.
		const headers: Record<string, string> = {};
		for (const [k, v] of Object.entries((options.headers ?? {}) as Record<string, string>)) {
			if (trusted || !(CREDENTIAL_HEADERS.test(k) || k.toLowerCase() === o.conn.extraHeader))
				headers[k] = v;
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
		// With the credential, n8n's helper applies it (the authenticate block); `caller` decides which
		// abort signal n8n attaches. Without, the request carries the signal itself.
		const res = (
			trusted
				? await ctx.helpers.httpRequestWithAuthentication.call(
						o.caller as IExecuteFunctions,
						CREDENTIAL,
						attempt,
					)
				: await ctx.helpers.httpRequest({ ...attempt, abortSignal: o.signal })
		) as RawResponse;
		const location = headerMap(res.headers).location;
		if (!o.follow || !REDIRECTS.includes(res.statusCode) || !location) return { ...res, url };
		(res.body as { destroy?: () => void } | undefined)?.destroy?.();
		let next: string;
		try {
			next = new URL(location, url).href;
		} catch {
			throw refuse('A redirect pointed to an invalid URL');
		}
		if (hop >= MAX_REDIRECTS) throw refuse(`Too many redirects (more than ${MAX_REDIRECTS})`);
		const problem = outboundUrlProblem(next, o.conn.base);
		if (problem) throw refuse(`A redirect to ${redactText(next)} was refused: ${problem}`);
		if (originOf(next) !== apiOrigin) trusted = false;
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
