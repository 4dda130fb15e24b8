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
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

export type ReplicateContext = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

export const CREDENTIAL = 'replicateApi';
export const DEFAULT_BASE_URL = 'https://api.replicate.com/v1';

/**
 * How a request may be repeated after a failure.
 * - `idempotent`: GETs and cancels; retried on 429, 5xx and network errors.
 * - `create`: retried only on 429 (Replicate refused it, nothing was created). A 5xx or a network
 *   error may have reached Replicate, so repeating it could start a duplicate paid prediction.
 */
export type RetryPolicy = 'idempotent' | 'create';

export interface ApiRequest {
	method: IHttpRequestMethods;
	/** Path below the base URL (`/predictions`) or an absolute URL on the API's origin (`next`, `urls.get`). */
	path: string;
	qs?: IDataObject;
	/** A value, or a factory called for each attempt (streamed bodies cannot be sent twice). */
	body?: unknown | (() => Promise<unknown>);
	headers?: Record<string, string>;
	itemIndex?: number;
	retry?: RetryPolicy;
	/** Plain text response (the model README). */
	text?: boolean;
	/** Send even though the execution was stopped (used to cancel the remote prediction then). */
	ignoreExecutionCancel?: boolean;
	timeoutMs?: number;
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

export async function getBaseUrl(this: ReplicateContext): Promise<string> {
	const creds = await this.getCredentials(CREDENTIAL);
	const base = String(creds.baseUrl || DEFAULT_BASE_URL).trim();
	return base.replace(/\/+$/, '');
}

export function cancelSignal(ctx: ReplicateContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal() : undefined;
}

/** The helper with a `this` that has no execution signal, so a request can outlive a stopped run. */
function detached(ctx: ReplicateContext) {
	return {
		getNode: () => ctx.getNode(),
		getCredentials: (type: string) => ctx.getCredentials(type),
		helpers: ctx.helpers,
	};
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

/** Seconds to wait after a 429, from the Retry-After header or the body's retry_after. */
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

/** Turns Replicate's problem+json (title, detail, status) into a NodeApiError, token-free. */
export function apiError(ctx: ReplicateContext, statusCode: number, body: unknown, itemIndex?: number): NodeApiError {
	const problem = (body && typeof body === 'object' ? body : { detail: String(body ?? '') }) as IDataObject;
	const title = typeof problem.title === 'string' ? problem.title : undefined;
	const detail = typeof problem.detail === 'string' ? problem.detail : undefined;
	const fallback = statusCode === 404 ? 'Not found' : `Replicate answered with status ${statusCode}`;
	return new NodeApiError(ctx.getNode(), { ...problem, status: statusCode } as JsonObject, {
		message: `Replicate: ${title ?? detail ?? fallback}`,
		description: title && detail ? detail : undefined,
		httpCode: String(statusCode),
		itemIndex,
	});
}

function networkError(ctx: ReplicateContext, error: unknown, req: ApiRequest, mayHaveReached: boolean, message?: string) {
	// Only the message and code travel on: the original error can carry request headers. The code
	// stays out of the message, which n8n would otherwise replace with a generic sentence.
	const e = error as { message?: string; code?: string; cause?: { code?: string; message?: string } };
	const code = e.code ?? e.cause?.code;
	const what = `${req.method} ${req.path.replace(/^https?:\/\/[^/]+/, '')}`;
	const note = mayHaveReached
		? ' The request may have reached Replicate: check your predictions before running it again, so nothing is paid twice.'
		: '';
	const detail = [code, e.cause?.message ?? e.message].filter(Boolean).join(': ');
	return new NodeOperationError(ctx.getNode(), message ?? `Could not reach Replicate (${what})`, {
		itemIndex: req.itemIndex,
		description: `${detail}.${note}`.trim(),
	});
}

/** n8n errors pass through; anything else becomes a NodeOperationError (message only, no request data). */
export function asNodeError(ctx: ReplicateContext, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(ctx.getNode(), (error as Error)?.message ?? String(error), { itemIndex });
}

export async function apiRequest<T = IDataObject>(this: ReplicateContext, req: ApiRequest): Promise<ApiResponse<T>> {
	const base = await getBaseUrl.call(this);
	const url = /^https?:\/\//.test(req.path) ? req.path : `${base}${req.path.startsWith('/') ? '' : '/'}${req.path}`;
	if (new URL(url).origin !== new URL(base).origin) {
		throw new NodeOperationError(this.getNode(), `Refusing to send the API token to ${new URL(url).origin}, which is not the API's origin`, { itemIndex: req.itemIndex });
	}
	const options: IHttpRequestOptions = {
		method: req.method,
		url,
		qs: req.qs,
		headers: { Accept: req.text ? 'text/plain' : 'application/json', ...(req.headers ?? {}) },
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		json: !req.text && typeof req.body !== 'function',
		timeout: req.timeoutMs ?? 90_000,
		// A streamed body (a factory) is not buffered for a redirect replay: follow-redirects would
		// keep every byte sent in memory. The API answers uploads directly.
		disableFollowRedirect: typeof req.body === 'function',
	};
	if (req.text) options.encoding = 'text';
	const signal = req.ignoreExecutionCancel ? undefined : cancelSignal(this);
	const caller = req.ignoreExecutionCancel ? detached(this) : this;
	const retry = req.retry ?? (req.method === 'GET' ? 'idempotent' : 'create');

	let rateLimited = 0;
	let transient = 0;
	for (;;) {
		if (signal?.aborted) throw new NodeOperationError(this.getNode(), 'The execution was stopped', { itemIndex: req.itemIndex });
		let res: { body: unknown; headers: unknown; statusCode: number };
		const attempt = { ...options };
		if (req.body !== undefined) {
			attempt.body = (typeof req.body === 'function' ? await (req.body as () => Promise<unknown>)() : req.body) as IHttpRequestOptions['body'];
		}
		try {
			res = await this.helpers.httpRequestWithAuthentication.call(caller as IExecuteFunctions, CREDENTIAL, attempt);
		} catch (error) {
			if (signal?.aborted) throw new NodeOperationError(this.getNode(), 'The execution was stopped', { itemIndex: req.itemIndex });
			if (retry === 'idempotent' && transient < MAX_TRANSIENT_RETRIES) {
				await pause(500 * 2 ** transient++, signal);
				continue;
			}
			throw networkError(this, error, req, retry === 'create');
		}
		const headers = headerMap(res.headers);
		const body = req.text ? res.body : parseBody(res.body);
		if (res.statusCode >= 200 && res.statusCode < 300) return { body: body as T, headers, statusCode: res.statusCode };
		if (res.statusCode === 429 && rateLimited < MAX_429_RETRIES) {
			rateLimited++;
			await pause(Math.min(MAX_RETRY_WAIT_MS, retryAfterMs(headers, body)), signal);
			continue;
		}
		if (res.statusCode >= 500 && retry === 'idempotent' && transient < MAX_TRANSIENT_RETRIES) {
			await pause(500 * 2 ** transient++, signal);
			continue;
		}
		throw apiError(this, res.statusCode, body, req.itemIndex);
	}
}

/** Follows Replicate's `next` cursors; stops at `limit` results (all when undefined). */
export async function apiRequestAllItems<T = IDataObject>(
	this: ReplicateContext,
	req: Omit<ApiRequest, 'method'>,
	limit?: number,
): Promise<T[]> {
	const results: T[] = [];
	let next: string | null = req.path;
	let qs = req.qs;
	while (next && (limit === undefined || results.length < limit)) {
		const page: ApiResponse<{ results?: T[]; next?: string | null }> = await apiRequest.call<
			ReplicateContext,
			[ApiRequest],
			Promise<ApiResponse<{ results?: T[]; next?: string | null }>>
		>(this, { ...req, method: 'GET', path: next, qs });
		results.push(...(page.body.results ?? []));
		next = page.body.next ?? null;
		qs = undefined; // the cursor URL carries the query
	}
	return limit === undefined ? results : results.slice(0, limit);
}

export interface Download {
	body: AsyncIterable<Uint8Array> & { destroy?(): void };
	headers: Record<string, string>;
	statusCode: number;
}

/** Output files on other hosts (replicate.delivery) are fetched without the API token. */
async function plainDownload(ctx: IExecuteFunctions | IWebhookFunctions, options: IHttpRequestOptions): Promise<Download> {
	const res = (await ctx.helpers.httpRequest({ ...options, abortSignal: cancelSignal(ctx) })) as Download;
	return { ...res, headers: headerMap(res.headers) };
}

/** Opens a file download as a stream; the token is sent only when the file is on the API's origin. */
export async function openDownload(this: IExecuteFunctions | IWebhookFunctions, url: string, itemIndex: number): Promise<Download> {
	const base = await getBaseUrl.call(this);
	const options: IHttpRequestOptions = {
		method: 'GET',
		url,
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: 30 * 60_000,
	};
	let transient = 0;
	for (;;) {
		try {
			const res =
				new URL(url).origin === new URL(base).origin
					? ((await this.helpers.httpRequestWithAuthentication.call(this as IExecuteFunctions, CREDENTIAL, options)) as Download)
					: await plainDownload(this, options);
			const headers = headerMap(res.headers);
			if ((res.statusCode >= 500 || res.statusCode === 429) && transient < MAX_TRANSIENT_RETRIES) {
				res.body.destroy?.();
				await pause(res.statusCode === 429 ? retryAfterMs(headers, undefined) : 500 * 2 ** transient++, cancelSignal(this));
				if (cancelSignal(this)?.aborted) throw new NodeOperationError(this.getNode(), 'The execution was stopped', { itemIndex });
				continue;
			}
			return { ...res, headers };
		} catch (error) {
			if (cancelSignal(this)?.aborted || transient >= MAX_TRANSIENT_RETRIES || error instanceof NodeOperationError) {
				throw error instanceof NodeOperationError
					? asNodeError(this, error, itemIndex)
					: networkError(this, error, { method: 'GET', path: url, itemIndex }, false, `The download of ${url} broke off [item ${itemIndex}]`);
			}
			await pause(500 * 2 ** transient++, cancelSignal(this));
		}
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
