// The only module that speaks HTTP to Replicate. Every call goes through the credential's
// authenticate block (httpRequestWithAuthentication); statuses are read here, not thrown by axios,
// so the retry policy and the error messages live in one place.
import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { createHash } from 'crypto';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import {
	baseUrlProblem,
	DEFAULT_BASE_URL,
	fileUrlProblem,
	rebase,
	redactDeep,
	redactText,
} from './safety';
import { laneKind, lanesFor } from './pacing';

export { RATE_LIMITS, resetPacing } from './pacing';
export { DEFAULT_BASE_URL, fileUrlProblem, isLocalHost, rebase, redactText } from './safety';

export type ReplicateContext =
	IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

export const CREDENTIAL = 'replicateApi';

/**
 * How a request may be repeated after a failure, declared by each operation (never guessed from the
 * HTTP method):
 * - `read`: a GET; retried on 429, 5xx and network errors.
 * - `idempotent`: a write that has the same effect when repeated (cancel, PATCH); retried likewise.
 * - `delete`: retried likewise; a 404 after a retried attempt means an earlier attempt that got no
 *   answer already deleted it, so it counts as done.
 * - `create`: retried only on 429 (Replicate refused it, nothing was created). A 5xx or a network
 *   error may have reached Replicate, so repeating it could start a duplicate paid prediction.
 */
export type RetryPolicy = 'read' | 'idempotent' | 'delete' | 'create';

/**
 * The waits the node makes, in one place so tests can shorten them (`scale` multiplies every wait:
 * retry backoff, Retry-After, poll intervals). Production values; per process, never per credential.
 */
export const timings = {
	/** First backoff after a transient failure; doubles on each retry. */
	retryBaseMs: 500,
	/** Poll intervals after a sync hold ran out, before the Max Poll Interval cap takes over. */
	pollRampMs: [1000, 2000, 2500, 3500],
	/** First poll of a prediction that is not in a long run (it has output, or Wait just started). */
	firstPollMs: 250,
	scale: 1,
};

export const scaled = (ms: number) => Math.round(ms * timings.scale);

/** Errors thrown because the caller's deadline passed (the waiting code turns them into a timeout). */
const deadlineErrors = new WeakSet<object>();
export const isDeadlineError = (e: unknown) =>
	typeof e === 'object' && e !== null && deadlineErrors.has(e);

export interface ApiRequest {
	method: IHttpRequestMethods;
	/** Path below the base URL (`/predictions`) or an absolute URL on the API's origin (`next`, `urls.get`). */
	path: string;
	qs?: IDataObject;
	/** A value, or a factory called for each attempt (streamed bodies cannot be sent twice). */
	body?: unknown | (() => Promise<unknown>);
	headers?: Record<string, string>;
	itemIndex?: number;
	retry: RetryPolicy;
	/** Plain text response (the model README). */
	text?: boolean;
	/** Send even though the execution was stopped (used to cancel the remote prediction then). */
	ignoreExecutionCancel?: boolean;
	/** Aborts the request (in flight too) instead of the execution's signal, e.g. the batch's. */
	signal?: AbortSignal;
	/** Epoch ms: no attempt, backoff or answer may run past it (a deadline error is thrown then). */
	deadline?: number;
	timeoutMs?: number;
	/**
	 * Stops the wait for a turn under the rate limit (nothing was sent yet) without aborting a request
	 * in flight: a create detached from the execution's signal still stops waiting when it aborts.
	 * Defaults to the request's own signal (none for a detached request).
	 */
	paceSignal?: AbortSignal;
	/** Called when the first attempt leaves (after its turn under the rate limit), with the time. */
	onSend?: (at: number) => void;
}

export interface ApiResponse<T> {
	body: T;
	headers: Record<string, string>;
	statusCode: number;
}

const MAX_429_RETRIES = 6;
const MAX_TRANSIENT_RETRIES = 4;
const MAX_RETRY_WAIT_MS = 60_000;

/**
 * Waits `ms`, or less when `signal` aborts (it resolves then; callers check `signal.aborted`).
 * n8n-workflow's sleepWithAbort leaves its abort listener behind after every normal wake-up, which
 * piles up over a long poll; this removes it.
 */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
	if (!signal) return await sleep(ms);
	if (signal.aborted) return;
	let onAbort = () => {};
	const aborted = new Promise<void>((resolve) => {
		onAbort = () => resolve();
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await Promise.race([sleep(ms), aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}

/** The credential's Base URL and token, and a key that tells credentials apart (for caches). */
export interface Connection {
	base: string;
	token: string;
	key: string;
}

export async function connection(this: ReplicateContext): Promise<Connection> {
	const creds = await this.getCredentials(CREDENTIAL);
	const base = String(creds.baseUrl || DEFAULT_BASE_URL)
		.trim()
		.replace(/\/+$/, '');
	const problem = baseUrlProblem(base);
	if (problem) {
		throw new NodeOperationError(
			this.getNode(),
			`The "Base URL" of the Replicate API credential is not valid: ${problem}`,
			{
				description:
					'Open the credential and set "Base URL" to an http(s) URL without query or fragment, for example https://api.replicate.com/v1.',
			},
		);
	}
	const token = String(creds.apiToken ?? '');
	// The token itself never becomes part of a key: only a digest of it, with the Base URL.
	const key = createHash('sha256').update(`${base}\n${token}`).digest('hex').slice(0, 32);
	return { base, token, key };
}

export async function getBaseUrl(this: ReplicateContext): Promise<string> {
	return (await connection.call(this)).base;
}

export function cancelSignal(ctx: ReplicateContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal() : undefined;
}

/**
 * The helper with a `this` whose cancel signal is `signal` (n8n's request helpers abort on the signal
 * of the context they are called with), or none, so a request can outlive a stopped run.
 */
const detached = (ctx: ReplicateContext) => withSignal(ctx, undefined);

function withSignal(ctx: ReplicateContext, signal: AbortSignal | undefined) {
	const base = {
		getNode: () => ctx.getNode(),
		getCredentials: (type: string) => ctx.getCredentials(type),
		helpers: ctx.helpers,
	};
	return signal ? { ...base, getExecutionCancelSignal: () => signal } : base;
}

function headerMap(headers: unknown): Record<string, string> {
	const out: Record<string, string> = {};
	if (headers && typeof headers === 'object') {
		for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
			if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
		}
	}
	return out;
}

/** Milliseconds to wait after a 429, from the Retry-After header or the body's retry_after. */
export function retryAfterMs(headers: Record<string, string>, body: unknown): number {
	const header = Number(headers['retry-after']);
	if (Number.isFinite(header) && header >= 0) return header * 1000;
	const fromBody = Number((body as IDataObject | undefined)?.retry_after);
	if (Number.isFinite(fromBody) && fromBody >= 0) return fromBody * 1000;
	return 1000;
}

function parseBody(raw: unknown): unknown {
	if (typeof raw !== 'string') return raw;
	try {
		return JSON.parse(raw);
	} catch {
		return raw;
	}
}

/** Turns Replicate's problem+json (title, detail, status) into a NodeApiError with no secret in it. */
export function apiError(
	ctx: ReplicateContext,
	statusCode: number,
	body: unknown,
	itemIndex?: number,
	token?: string,
	note?: string,
): NodeApiError {
	const raw = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as IDataObject;
	const problem = redactDeep(raw, token);
	const text =
		typeof body === 'string' && body.trim() && body.length < 200 && !/[<>]/.test(body)
			? redactText(body.trim(), token)
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

function networkError(
	ctx: ReplicateContext,
	error: unknown,
	req: Pick<ApiRequest, 'method' | 'path' | 'itemIndex'>,
	sentAt: number | undefined,
	message?: string,
	token?: string,
) {
	// Only the message and code travel on: the original error can carry request headers. The code
	// stays out of the message, which n8n would otherwise replace with a generic sentence.
	const e = error as {
		message?: string;
		code?: string;
		cause?: { code?: string; message?: string };
	};
	const code = e.code ?? e.cause?.code;
	const what = `${req.method} ${req.path.replace(/^https?:\/\/[^/]+/, '').replace(/\?.*$/, '')}`;
	const note = sentAt !== undefined ? ` ${mayHaveCreatedNote(sentAt)}` : '';
	const detail = [code, e.cause?.message ?? e.message].filter(Boolean).join(': ');
	return new NodeOperationError(
		ctx.getNode(),
		redactText(message ?? `Could not reach Replicate (${what})`, token),
		{
			itemIndex: req.itemIndex,
			description: redactText(`${detail.replace(/\.$/, '')}.${note}`.trim(), token),
		},
	);
}

/** n8n errors pass through (their texts redacted); anything else becomes a NodeOperationError (message only). */
export function asNodeError(
	ctx: ReplicateContext,
	error: unknown,
	itemIndex?: number,
	token?: string,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.message = redactText(error.message, token);
		if (error.description) error.description = redactText(error.description, token);
		return error;
	}
	return new NodeOperationError(
		ctx.getNode(),
		redactText((error as Error)?.message ?? String(error), token),
		{ itemIndex },
	);
}

const REDIRECTS = [301, 302, 303, 307, 308];
const MAX_REDIRECTS = 5;

interface RawResponse {
	body: unknown;
	headers: unknown;
	statusCode: number;
}

/** A request without the token (to another origin, after a redirect left the API's origin). */
async function plainRequest(
	ctx: ReplicateContext,
	options: IHttpRequestOptions,
	signal?: AbortSignal,
): Promise<RawResponse> {
	return (await ctx.helpers.httpRequest({ ...options, abortSignal: signal })) as RawResponse;
}

interface SendOptions {
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
async function send(
	ctx: ReplicateContext,
	options: IHttpRequestOptions,
	o: SendOptions,
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

function stoppedError(ctx: ReplicateContext, itemIndex?: number) {
	return new NodeOperationError(ctx.getNode(), 'The execution was stopped', { itemIndex });
}

function deadlineError(ctx: ReplicateContext, req: ApiRequest) {
	const e = new NodeOperationError(
		ctx.getNode(),
		`The time allowed ran out during ${req.method} ${req.path.replace(/^https?:\/\/[^/]+/, '')}`,
		{ itemIndex: req.itemIndex },
	);
	deadlineErrors.add(e);
	return e;
}

/** A request to Replicate's API: `apiRequest<Prediction>(ctx, { method, path, retry, … })`. */
export async function apiRequest<T = IDataObject>(
	ctx: ReplicateContext,
	req: ApiRequest,
): Promise<ApiResponse<T>> {
	const send = request<T>;
	return await send.call(ctx, req);
}

async function request<T>(this: ReplicateContext, req: ApiRequest): Promise<ApiResponse<T>> {
	const conn = await connection.call(this);
	const { base, token } = conn;
	// A `.` or `..` segment (also percent-encoded) would be resolved away by the URL parser and reach
	// another endpoint (DELETE /models/o/n/versions/.. is DELETE /models/o/n).
	const pathOnly = req.path.replace(/^https?:\/\/[^/]*/i, '').split(/[?#]/)[0];
	if (pathOnly.split('/').some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment))) {
		throw new NodeOperationError(
			this.getNode(),
			'Refusing a request path with a "." or ".." segment',
			{
				itemIndex: req.itemIndex,
				description:
					'An ID or name in the parameters (or in an API response) is "." or ".."; those are not valid IDs.',
			},
		);
	}
	// Absolute URLs come from the upstream (cursors, urls.get): their path and query, on the Base URL.
	const url = /^https?:\/\//i.test(req.path)
		? rebase(req.path, base)
		: `${base}${req.path.startsWith('/') ? '' : '/'}${req.path}`;
	const options: IHttpRequestOptions = {
		method: req.method,
		url,
		qs: req.qs,
		headers: { Accept: req.text ? 'text/plain' : 'application/json', ...(req.headers ?? {}) },
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		json: !req.text && typeof req.body !== 'function',
		timeout: req.timeoutMs ?? 90_000,
	};
	if (req.text) options.encoding = 'text';
	const signal = req.ignoreExecutionCancel ? undefined : (req.signal ?? cancelSignal(this));
	const caller = req.ignoreExecutionCancel || req.signal ? withSignal(this, signal) : this;
	const retry = req.retry;
	const repeatable = retry !== 'create';
	const left = () => (req.deadline === undefined ? Infinity : req.deadline - Date.now());
	/** Waits before the next attempt, unless that would pass the deadline. */
	const backoff = async (ms: number) => {
		if (ms >= left()) throw deadlineError(this, req);
		await pause(ms, signal);
		if (signal?.aborted) throw stoppedError(this, req.itemIndex);
	};

	// Every request waits for its turn under the credential's rate limit (per process): creates and
	// the rest have their own budgets, and a 429 holds back and slows all of them, not only this one.
	const lane = lanesFor(conn.key, () => timings.scale)[laneKind(req.method, pathOnly)];
	// A detached request (a cancel after a stop) waits for its turn whatever the execution does.
	const paceSignal = req.paceSignal ?? signal;

	let rateLimited = 0;
	let transient = 0;
	let firstSent: number | undefined;
	for (;;) {
		if (signal?.aborted) throw stoppedError(this, req.itemIndex);
		if (left() <= 0) throw deadlineError(this, req);
		const turn = await lane.take(paceSignal, req.deadline);
		if (turn === 'aborted') throw stoppedError(this, req.itemIndex);
		if (turn === 'deadline') throw deadlineError(this, req);
		let res: RawResponse;
		const attempt = {
			...options,
			timeout: Math.max(1, Math.min(options.timeout ?? 90_000, left())),
		};
		if (req.body !== undefined) {
			attempt.body = (
				typeof req.body === 'function' ? await (req.body as () => Promise<unknown>)() : req.body
			) as IHttpRequestOptions['body'];
		}
		if (firstSent === undefined) {
			firstSent = Date.now();
			req.onSend?.(firstSent);
		}
		try {
			// Only reads follow redirects; a create is never replayed somewhere else.
			res = await send(this, attempt, {
				conn,
				caller,
				signal,
				follow: req.method === 'GET',
				itemIndex: req.itemIndex,
			});
		} catch (error) {
			if (signal?.aborted) throw stoppedError(this, req.itemIndex);
			if (error instanceof NodeOperationError) throw asNodeError(this, error, req.itemIndex, token);
			if (left() <= 0) throw deadlineError(this, req);
			if (repeatable && transient < MAX_TRANSIENT_RETRIES) {
				await backoff(scaled(timings.retryBaseMs * 2 ** transient++));
				continue;
			}
			throw networkError(
				this,
				error,
				req,
				retry === 'create' && req.method === 'POST' ? firstSent : undefined,
				undefined,
				token,
			);
		}
		const headers = headerMap(res.headers);
		const body = req.text ? res.body : parseBody(res.body);
		if (res.statusCode >= 200 && res.statusCode < 300)
			return { body: body as T, headers, statusCode: res.statusCode };
		// An earlier attempt got no answer or a 5xx, and may have deleted it: gone is what was asked.
		if (res.statusCode === 404 && retry === 'delete' && transient > 0)
			return { body: {} as T, headers, statusCode: 404 };
		if (res.statusCode === 429) {
			// The whole lane waits (the next turn comes after Retry-After), so the items do not each
			// hammer Replicate on their own; this request retries in its turn unless that passes the deadline.
			const wait = scaled(Math.min(MAX_RETRY_WAIT_MS, retryAfterMs(headers, body)));
			lane.throttled(wait);
			if (rateLimited < MAX_429_RETRIES) {
				rateLimited++;
				if (wait >= left()) throw deadlineError(this, req);
				continue;
			}
		}
		if (res.statusCode >= 500 && repeatable && transient < MAX_TRANSIENT_RETRIES) {
			await backoff(scaled(timings.retryBaseMs * 2 ** transient++));
			continue;
		}
		const note =
			res.statusCode >= 500 && retry === 'create' && req.method === 'POST'
				? mayHaveCreatedNote(firstSent)
				: undefined;
		throw apiError(this, res.statusCode, body, req.itemIndex, token, note);
	}
}

/**
 * Follows Replicate's `next` cursors; stops at `limit` results (all when undefined). A cursor that
 * repeats, or an empty page that still points further, ends the list with an error (it would loop).
 */
export async function apiRequestAllItems<T = IDataObject>(
	ctx: ReplicateContext,
	req: Omit<ApiRequest, 'method' | 'retry'>,
	limit?: number,
): Promise<T[]> {
	const results: T[] = [];
	let next: string | null = req.path;
	let qs = req.qs;
	const seen = new Set<string>();
	let page = 0;
	while (next && (limit === undefined || results.length < limit)) {
		const res: ApiResponse<{ results?: T[]; next?: string | null }> = await apiRequest(ctx, {
			...req,
			method: 'GET',
			path: next,
			qs,
			retry: 'read',
		});
		page++;
		const items = Array.isArray(res.body?.results) ? res.body.results : [];
		results.push(...items);
		const following = typeof res.body?.next === 'string' && res.body.next ? res.body.next : null;
		if (following && (seen.has(following) || following === next)) {
			throw new NodeOperationError(
				ctx.getNode(),
				`Replicate's list ${req.path} did not end: page ${page} points back to a page already read`,
				{
					itemIndex: req.itemIndex,
					description: `Stopped after ${page} pages and ${results.length} results instead of looping. Try again later, or use a Limit.`,
				},
			);
		}
		if (following && items.length === 0) {
			throw new NodeOperationError(
				ctx.getNode(),
				`Replicate's list ${req.path} did not end: page ${page} is empty but points to a next page`,
				{
					itemIndex: req.itemIndex,
					description: `Stopped after ${page} pages and ${results.length} results instead of following empty pages. Try again later, or use a Limit.`,
				},
			);
		}
		if (following) seen.add(following);
		next = following;
		qs = undefined; // the cursor URL carries the query
	}
	return limit === undefined ? results : results.slice(0, limit);
}

export interface Download {
	body: AsyncIterable<Uint8Array> & { destroy?(error?: Error): void };
	headers: Record<string, string>;
	statusCode: number;
	/** Where the bytes finally came from (after redirects). */
	url: string;
}

export interface DownloadLimits {
	/** Aborts the request (deadline, stall, execution stopped). */
	signal: AbortSignal;
	/** Epoch ms by which the download must be done. */
	deadline: number;
	/** Connection idle timeout. */
	stallMs: number;
}

/** Retries of a file download after a 429, a 5xx or a network error, together. */
export const MAX_DOWNLOAD_RETRIES = 4;

/**
 * Opens a file download as a stream. The token is sent only while the URL (and every redirect hop)
 * is on the API's origin; every hop must pass the output-file URL policy; 429s and 5xx count against
 * one retry budget, and no wait goes past the deadline.
 */
export async function openDownload(
	this: IExecuteFunctions | IWebhookFunctions,
	url: string,
	itemIndex: number,
	limits: DownloadLimits,
): Promise<Download> {
	const conn = await connection.call(this);
	const options: IHttpRequestOptions = {
		method: 'GET',
		url: rebaseIfApi(url, conn.base),
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// The bytes as they are: no compression, so the length check means what it says.
		headers: { 'Accept-Encoding': 'identity' },
		timeout: limits.stallMs,
	};
	// The authenticated request must abort with the download's own signal, not only the execution's.
	const caller = { ...detached(this), getExecutionCancelSignal: () => limits.signal };
	const fail = (message: string, description?: string) =>
		new NodeOperationError(this.getNode(), redactText(message, conn.token), {
			itemIndex,
			description,
		});
	let retries = 0;
	const wait = async (ms: number, why: string) => {
		const remaining = limits.deadline - Date.now();
		if (ms >= remaining)
			throw fail(
				`The download of ${url} was not retried: ${why}, and waiting would pass the deadline`,
			);
		await pause(ms, limits.signal);
		if (limits.signal.aborted) throw fail(`The download of ${url} was stopped`);
	};
	for (;;) {
		let res: RawResponse & { url: string };
		try {
			res = await send(this, options, {
				conn,
				caller,
				signal: limits.signal,
				follow: true,
				checkHop: (next) => fileUrlProblem(next, conn.base),
				itemIndex,
			});
		} catch (error) {
			if (error instanceof NodeOperationError)
				throw asNodeError(this, error, itemIndex, conn.token);
			if (limits.signal.aborted || retries >= MAX_DOWNLOAD_RETRIES) {
				throw networkError(
					this,
					error,
					{ method: 'GET', path: url, itemIndex },
					undefined,
					`The download of ${url} broke off`,
					conn.token,
				);
			}
			await wait(scaled(timings.retryBaseMs * 2 ** retries++), 'the connection failed');
			continue;
		}
		const headers = headerMap(res.headers);
		const download = {
			body: res.body as Download['body'],
			headers,
			statusCode: res.statusCode,
			url: res.url,
		};
		if ((res.statusCode >= 500 || res.statusCode === 429) && retries < MAX_DOWNLOAD_RETRIES) {
			download.body.destroy?.();
			const ms = scaled(
				res.statusCode === 429
					? Math.min(MAX_RETRY_WAIT_MS, retryAfterMs(headers, undefined))
					: timings.retryBaseMs * 2 ** retries,
			);
			retries++;
			await wait(ms, `the file host answered ${res.statusCode}`);
			continue;
		}
		return download;
	}
}

/** A file on the API's own host (spelled http or https) is fetched from the Base URL. */
function rebaseIfApi(url: string, base: string): string {
	try {
		const u = new URL(url);
		const b = new URL(base);
		return u.hostname === b.hostname && u.origin !== b.origin && u.port === b.port
			? rebase(url, base)
			: url;
	} catch {
		return url;
	}
}

/** An open Server-Sent Events response: its bytes as they arrive, and a way to hang up. */
export interface EventStream {
	body: AsyncIterable<Uint8Array | string>;
	close(): void;
}

type StreamContext = Pick<ReplicateContext, 'getNode'> & {
	helpers: Pick<IExecuteFunctions['helpers'], 'httpRequest'>;
};

/**
 * Opens a prediction's `urls.stream` (Replicate's streaming host). The stream needs no
 * authentication, so the API token is never sent there, whatever the URL. Only http(s) URLs are
 * followed; `signal` hangs up.
 */
export async function openEventStream(
	ctx: StreamContext,
	url: string,
	signal?: AbortSignal,
	itemIndex?: number,
): Promise<EventStream> {
	let parsed: URL | undefined;
	try {
		parsed = new URL(url);
	} catch {
		parsed = undefined;
	}
	if (!parsed || !/^https?:$/.test(parsed.protocol)) {
		throw new NodeOperationError(ctx.getNode(), 'Replicate sent a stream URL that is not http(s)', {
			itemIndex,
		});
	}
	const res = (await ctx.helpers.httpRequest({
		method: 'GET',
		url: parsed.toString(),
		headers: { Accept: 'text/event-stream', 'Cache-Control': 'no-store' },
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		abortSignal: signal,
		timeout: 15 * 60_000,
	})) as Download;
	if (res.statusCode < 200 || res.statusCode >= 300) {
		res.body.destroy?.();
		throw new NodeOperationError(
			ctx.getNode(),
			`Replicate's stream answered with status ${res.statusCode}`,
			{ itemIndex },
		);
	}
	return { body: res.body, close: () => res.body.destroy?.() };
}
