// The prediction lifecycle on the client side: create (sync first), wait (poll with backoff), cancel.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	apiRequest,
	asNodeError,
	cancelSignal,
	isDeadlineError,
	mayHaveCreatedNote,
	pause,
	scaled,
	timings,
	type ApiRequest,
	type ApiResponse,
	type ReplicateContext,
} from '../transport';

export const TERMINAL_STATUSES = ['succeeded', 'failed', 'canceled', 'aborted'];
export const isTerminal = (p: IDataObject) => TERMINAL_STATUSES.includes(p.status as string);

export interface Prediction extends IDataObject {
	id: string;
	status: string;
}

const call = (ctx: IExecuteFunctions, req: ApiRequest) => apiRequest<Prediction>(ctx, req);

export interface CreateRequest {
	path: string;
	body: IDataObject;
	/** Seconds Replicate may hold the request (Prefer: wait=N, 1–60); undefined for no hold. */
	syncSeconds?: number;
	/** Replicate's server-side deadline (Cancel-After), e.g. "10m". */
	cancelAfter?: string;
	itemIndex: number;
	/**
	 * Stops waiting for a turn under the create rate limit (nothing is sent then). The request itself,
	 * once sent, is never aborted.
	 */
	signal?: AbortSignal;
	/** Called when the create leaves (after its turn under the rate limit), with the time. */
	onSend?: (at: number) => void;
}

/** A prediction-shaped answer, or a clear error naming what Replicate sent instead. */
function asPrediction(
	ctx: IExecuteFunctions,
	res: ApiResponse<unknown>,
	what: string,
	itemIndex: number | undefined,
	sentAt?: number,
): Prediction {
	const body = res.body as IDataObject | undefined;
	const valid =
		body &&
		typeof body === 'object' &&
		!Array.isArray(body) &&
		typeof body.id === 'string' &&
		body.id.trim() !== '';
	if (valid)
		return {
			...body,
			status: typeof body.status === 'string' ? body.status : 'starting',
		} as Prediction;
	const got =
		body === undefined || body === null || (body as unknown) === ''
			? 'an empty body'
			: typeof body !== 'object'
				? 'a body that is not JSON'
				: 'JSON without a prediction id';
	throw new NodeOperationError(
		ctx.getNode(),
		`Replicate answered ${what} with status ${res.statusCode} but ${got}`,
		{
			itemIndex,
			description:
				sentAt !== undefined
					? mayHaveCreatedNote(sentAt)
					: 'The answer cannot be used; try again later.',
		},
	);
}

/**
 * Creates a prediction. The request is detached from the execution's cancel signal on purpose: if it
 * were aborted mid-flight the prediction would exist on Replicate with nobody knowing its id. The
 * caller cancels it as soon as the response arrives when the execution was stopped meanwhile.
 */
export async function createPrediction(
	ctx: IExecuteFunctions,
	req: CreateRequest,
): Promise<Prediction> {
	const headers: Record<string, string> = {};
	if (req.syncSeconds !== undefined)
		headers.Prefer = `wait=${Math.max(1, Math.min(60, Math.ceil(req.syncSeconds)))}`;
	if (req.cancelAfter) headers['Cancel-After'] = req.cancelAfter;
	let sentAt = Date.now();
	const res = await call(ctx, {
		method: 'POST',
		path: req.path,
		body: req.body,
		headers,
		itemIndex: req.itemIndex,
		retry: 'create',
		ignoreExecutionCancel: true,
		paceSignal: req.signal ?? cancelSignal(ctx),
		onSend: (at) => {
			sentAt = at;
			req.onSend?.(at);
		},
		timeoutMs: ((req.syncSeconds ?? 0) + 60) * 1000,
	});
	return asPrediction(ctx, res, 'the create request', req.itemIndex, sentAt);
}

export interface GetOptions {
	deadline?: number;
	signal?: AbortSignal;
}

export async function getPrediction(
	ctx: ReplicateContext,
	id: string,
	itemIndex?: number,
	o: GetOptions = {},
): Promise<Prediction> {
	const res = await apiRequest<Prediction>(ctx, {
		method: 'GET',
		path: `/predictions/${encodeURIComponent(id)}`,
		itemIndex,
		retry: 'read',
		deadline: o.deadline,
		signal: o.signal,
	});
	return asPrediction(ctx as IExecuteFunctions, res, `GET /predictions/${id}`, itemIndex);
}

/** Cancels even when the execution was stopped (that is when it matters most); bounded to 30 s. */
export async function cancelPrediction(
	ctx: IExecuteFunctions,
	id: string,
	itemIndex: number,
): Promise<Prediction> {
	const res = await call(ctx, {
		method: 'POST',
		path: `/predictions/${encodeURIComponent(id)}/cancel`,
		itemIndex,
		retry: 'idempotent',
		ignoreExecutionCancel: true,
		deadline: Date.now() + 30_000,
	});
	return asPrediction(ctx, res, 'the cancel request', itemIndex);
}

export interface WaitOptions {
	itemIndex: number;
	/** Epoch ms after which waiting stops; every poll request is bounded by the time left. */
	deadline: number;
	signal: AbortSignal;
	/**
	 * `afterHold`: the sync hold ran out on a long run; polls ramp up from a short first interval
	 * (timings.pollRampMs) to the cap, so a run that ends just after the hold is noticed soon.
	 * `soon`: first poll after timings.firstPollMs, doubling up to the cap.
	 */
	start?: 'afterHold' | 'soon';
	/** With `soon`: the first poll's delay (default timings.firstPollMs), doubling up to the cap. */
	firstDelayMs?: number;
	/** Backoff cap between polls (Max Poll Interval). */
	maxDelayMs: number;
}

/** The poll intervals (ms, before scaling) for a wait, the n-th poll's delay. */
export function pollDelay(
	start: WaitOptions['start'],
	n: number,
	maxDelayMs: number,
	firstDelayMs = timings.firstPollMs,
): number {
	const ramp = timings.pollRampMs;
	const raw = start === 'afterHold' ? (ramp[n] ?? maxDelayMs) : firstDelayMs * 2 ** n;
	return Math.min(raw, maxDelayMs);
}

/**
 * Polls until the prediction is terminal, the deadline passes, or `signal` aborts (then `stopped` is
 * true and the caller cancels the prediction). No request outlives the deadline.
 */
export async function pollPrediction(
	ctx: IExecuteFunctions,
	prediction: Prediction,
	o: WaitOptions,
): Promise<{ prediction: Prediction; timedOut: boolean; stopped: boolean }> {
	let p = prediction;
	for (let n = 0; !isTerminal(p); n++) {
		const remaining = o.deadline - Date.now();
		if (remaining <= 0) return { prediction: p, timedOut: true, stopped: false };
		await pause(
			Math.min(scaled(pollDelay(o.start ?? 'soon', n, o.maxDelayMs, o.firstDelayMs)), remaining),
			o.signal,
		);
		if (o.signal.aborted) return { prediction: p, timedOut: false, stopped: true };
		if (Date.now() >= o.deadline) return { prediction: p, timedOut: true, stopped: false };
		const next = await getPrediction(ctx, p.id, o.itemIndex, {
			deadline: o.deadline,
			signal: o.signal,
		}).then(
			(value) => ({ value, error: undefined }),
			(error: unknown) => ({ value: undefined, error }),
		);
		if (o.signal.aborted) return { prediction: p, timedOut: false, stopped: true };
		if (!next.value) {
			if (isDeadlineError(next.error)) return { prediction: p, timedOut: true, stopped: false };
			throw asNodeError(ctx, next.error, o.itemIndex);
		}
		p = next.value;
	}
	return { prediction: p, timedOut: false, stopped: false };
}
