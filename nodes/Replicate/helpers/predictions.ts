// The prediction lifecycle on the client side: create (sync first), wait (poll with backoff), cancel.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { apiRequest, asNodeError, pause, type ApiRequest, type ApiResponse, type ReplicateContext } from '../transport';

export const TERMINAL_STATUSES = ['succeeded', 'failed', 'canceled', 'aborted'];
export const isTerminal = (p: IDataObject) => TERMINAL_STATUSES.includes(p.status as string);

export interface Prediction extends IDataObject {
	id: string;
	status: string;
}

const call = (ctx: IExecuteFunctions, req: ApiRequest) =>
	apiRequest.call<IExecuteFunctions, [ApiRequest], Promise<ApiResponse<Prediction>>>(ctx, req);

export interface CreateRequest {
	path: string;
	body: IDataObject;
	/** Seconds Replicate may hold the request (Prefer: wait=N, 1–60); undefined for no hold. */
	syncSeconds?: number;
	/** Replicate's server-side deadline (Cancel-After), e.g. "10m". */
	cancelAfter?: string;
	itemIndex: number;
}

/**
 * Creates a prediction. The request is detached from the execution's cancel signal on purpose: if it
 * were aborted mid-flight the prediction would exist on Replicate with nobody knowing its id. The
 * caller cancels it as soon as the response arrives when the execution was stopped meanwhile.
 */
export async function createPrediction(ctx: IExecuteFunctions, req: CreateRequest): Promise<Prediction> {
	const headers: Record<string, string> = {};
	if (req.syncSeconds !== undefined) headers.Prefer = `wait=${Math.max(1, Math.min(60, Math.ceil(req.syncSeconds)))}`;
	if (req.cancelAfter) headers['Cancel-After'] = req.cancelAfter;
	const res = await call(ctx, {
		method: 'POST',
		path: req.path,
		body: req.body,
		headers,
		itemIndex: req.itemIndex,
		retry: 'create',
		ignoreExecutionCancel: true,
		timeoutMs: ((req.syncSeconds ?? 0) + 60) * 1000,
	});
	return res.body;
}

export async function getPrediction(ctx: ReplicateContext, id: string, itemIndex?: number): Promise<Prediction> {
	const res = await apiRequest.call<ReplicateContext, [ApiRequest], Promise<ApiResponse<Prediction>>>(ctx, { method: 'GET', path: `/predictions/${encodeURIComponent(id)}`, itemIndex });
	return res.body;
}

/** Cancels even when the execution was stopped (that is when it matters most). */
export async function cancelPrediction(ctx: IExecuteFunctions, id: string, itemIndex: number): Promise<Prediction> {
	return (await call(ctx, { method: 'POST', path: `/predictions/${encodeURIComponent(id)}/cancel`, itemIndex, retry: 'idempotent', ignoreExecutionCancel: true })).body;
}

export interface WaitOptions {
	itemIndex: number;
	/** Epoch ms after which waiting stops. */
	deadline: number;
	signal: AbortSignal;
	/** First poll delay. */
	firstDelayMs: number;
	/** Backoff cap between polls. */
	maxDelayMs: number;
}

/**
 * Polls until the prediction is terminal, the deadline passes, or `signal` aborts (then `stopped` is
 * true and the caller cancels the prediction).
 */
export async function pollPrediction(
	ctx: IExecuteFunctions,
	prediction: Prediction,
	o: WaitOptions,
): Promise<{ prediction: Prediction; timedOut: boolean; stopped: boolean }> {
	let p = prediction;
	let delay = o.firstDelayMs;
	while (!isTerminal(p)) {
		const remaining = o.deadline - Date.now();
		if (remaining <= 0) return { prediction: p, timedOut: true, stopped: false };
		await pause(Math.min(delay, remaining), o.signal);
		if (o.signal.aborted) return { prediction: p, timedOut: false, stopped: true };
		const next = await getPrediction(ctx, p.id, o.itemIndex).then(
			(value) => ({ value, error: undefined }),
			(error: unknown) => ({ value: undefined, error }),
		);
		if (o.signal.aborted) return { prediction: p, timedOut: false, stopped: true };
		if (!next.value) throw asNodeError(ctx, next.error, o.itemIndex);
		p = next.value;
		delay = Math.min(delay * 2, o.maxDelayMs);
	}
	return { prediction: p, timedOut: false, stopped: false };
}
