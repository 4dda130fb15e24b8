// A request to Replicate's API: its turn under the rate limit, one exchange, and the retries its
// policy allows, bounded by the caller's deadline.
import type { IDataObject, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { cancelSignal, connection, withSignal, type ReplicateContext } from './connection';
import {
	apiError,
	asNodeError,
	deadlineError,
	mayHaveCreatedNote,
	networkError,
	stoppedError,
} from './errors';
import { exchange, headerMap, type RawResponse } from './exchange';
import { laneKind, lanesFor, type Lane } from './pacing';
import { baseUrlNote, rebase } from './baseUrl';
import { pause, scaled, timings } from './timings';

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
/** The longest wait a Retry-After can ask for. */
export const MAX_RETRY_WAIT_MS = 60_000;

/**
 * Milliseconds to wait after a 429, from the Retry-After header (seconds, or an HTTP date as RFC
 * 9110 allows: the time until then, nothing when it has passed) or the body's retry_after; 1 s when
 * neither says. Callers cap it (MAX_RETRY_WAIT_MS).
 */
export function retryAfterMs(
	headers: Record<string, string>,
	body: unknown,
	now = Date.now(),
): number {
	const raw = headers['retry-after'];
	const header = Number(raw);
	if (Number.isFinite(header) && header >= 0) return header * 1000;
	const date = raw && /[a-z]/i.test(raw) ? Date.parse(raw) : NaN;
	if (Number.isFinite(date)) return Math.max(0, date - now);
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

/**
 * Where every answer reaches the pacing: a 429 holds back the whole lane for its Retry-After
 * (scaled, capped), so the items do not each hammer Replicate on their own. Returns that wait.
 */
function tellPacing(
	lane: Lane,
	statusCode: number,
	headers: Record<string, string>,
	body: unknown,
	sentAt: number,
) {
	lane.answered(headers, sentAt);
	if (statusCode !== 429) return undefined;
	const wait = scaled(Math.min(MAX_RETRY_WAIT_MS, retryAfterMs(headers, body)));
	lane.throttled(wait);
	return wait;
}

/** The URL of a request: a path below the Base URL, or an absolute URL moved onto it. */
function requestUrl(ctx: ReplicateContext, req: ApiRequest, base: string): string {
	// A `.` or `..` segment (also percent-encoded) would be resolved away by the URL parser and reach
	// another endpoint (DELETE /models/o/n/versions/.. is DELETE /models/o/n).
	if (
		pathOnly(req.path)
			.split('/')
			.some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment))
	) {
		throw new NodeOperationError(
			ctx.getNode(),
			'Refusing a request path with a "." or ".." segment',
			{
				itemIndex: req.itemIndex,
				description:
					'An ID or name in the parameters (or in an API response) is "." or ".."; those are not valid IDs.',
			},
		);
	}
	// Absolute URLs come from the upstream (cursors, urls.get): their path and query, on the Base URL.
	return /^https?:\/\//i.test(req.path)
		? rebase(req.path, base)
		: `${base}${req.path.startsWith('/') ? '' : '/'}${req.path}`;
}

const pathOnly = (path: string) => path.replace(/^https?:\/\/[^/]*/i, '').split(/[?#]/)[0];

/** A request to Replicate's API: `apiRequest<Prediction>(ctx, { method, path, retry, … })`. */
export async function apiRequest<T = IDataObject>(
	ctx: ReplicateContext,
	req: ApiRequest,
): Promise<ApiResponse<T>> {
	const conn = await connection.call(ctx);
	const { secrets } = conn;
	const options: IHttpRequestOptions = {
		method: req.method,
		url: requestUrl(ctx, req, conn.base),
		qs: req.qs,
		headers: { Accept: req.text ? 'text/plain' : 'application/json', ...(req.headers ?? {}) },
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		json: !req.text && typeof req.body !== 'function',
		timeout: req.timeoutMs ?? 90_000,
	};
	if (req.text) options.encoding = 'text';
	const signal = req.ignoreExecutionCancel ? undefined : (req.signal ?? cancelSignal(ctx));
	const caller = req.ignoreExecutionCancel || req.signal ? withSignal(ctx, signal) : ctx;
	const retry = req.retry;
	const repeatable = retry !== 'create';
	const left = () => (req.deadline === undefined ? Infinity : req.deadline - Date.now());
	/** Waits before the next attempt, unless that would pass the deadline. */
	const backoff = async (ms: number) => {
		if (ms >= left()) throw deadlineError(ctx, req);
		await pause(ms, signal);
		if (signal?.aborted) throw stoppedError(ctx, req.itemIndex);
	};

	// Every request waits for its turn under the credential's rate limit (per process): creates and
	// the rest have their own budgets, and a 429 holds back and slows all of them, not only this one.
	const lane = lanesFor(conn.key, () => timings.scale)[laneKind(req.method, pathOnly(req.path))];
	// A detached request (a cancel after a stop) waits for its turn whatever the execution does.
	const paceSignal = req.paceSignal ?? signal;

	let rateLimited = 0;
	let transient = 0;
	let firstSent: number | undefined;
	for (;;) {
		if (signal?.aborted) throw stoppedError(ctx, req.itemIndex);
		if (left() <= 0) throw deadlineError(ctx, req);
		const turn = await lane.take(paceSignal, req.deadline);
		if (turn === 'aborted') throw stoppedError(ctx, req.itemIndex);
		if (turn === 'deadline') throw deadlineError(ctx, req);
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
		const sentAt = Date.now();
		try {
			// Only reads follow redirects; a create is never replayed somewhere else.
			res = await exchange(ctx, attempt, {
				conn,
				caller,
				signal,
				follow: req.method === 'GET',
				itemIndex: req.itemIndex,
			});
		} catch (error) {
			if (signal?.aborted) throw stoppedError(ctx, req.itemIndex);
			if (error instanceof NodeOperationError)
				throw asNodeError(ctx, error, req.itemIndex, secrets);
			if (left() <= 0) throw deadlineError(ctx, req);
			if (repeatable && transient < MAX_TRANSIENT_RETRIES) {
				await backoff(scaled(timings.retryBaseMs * 2 ** transient++));
				continue;
			}
			throw networkError(
				ctx,
				error,
				req,
				retry === 'create' && req.method === 'POST' ? firstSent : undefined,
				undefined,
				secrets,
			);
		}
		const headers = headerMap(res.headers);
		const body = req.text ? res.body : parseBody(res.body);
		const throttle = tellPacing(lane, res.statusCode, headers, body, sentAt);
		if (res.statusCode >= 200 && res.statusCode < 300)
			return { body: body as T, headers, statusCode: res.statusCode };
		// An earlier attempt got no answer or a 5xx, and may have deleted it: gone is what was asked.
		if (res.statusCode === 404 && retry === 'delete' && transient > 0)
			return { body: {} as T, headers, statusCode: 404 };
		// A 429 retries in the lane's next turn, unless that passes the deadline.
		if (throttle !== undefined && rateLimited < MAX_429_RETRIES) {
			rateLimited++;
			if (throttle >= left()) throw deadlineError(ctx, req);
			continue;
		}
		if (res.statusCode >= 500 && repeatable && transient < MAX_TRANSIENT_RETRIES) {
			await backoff(scaled(timings.retryBaseMs * 2 ** transient++));
			continue;
		}
		const note =
			res.statusCode >= 500 && retry === 'create' && req.method === 'POST'
				? mayHaveCreatedNote(firstSent)
				: res.statusCode === 404
					? baseUrlNote(conn.base, body)
					: undefined;
		throw apiError(ctx, res.statusCode, body, req.itemIndex, secrets, note);
	}
}
