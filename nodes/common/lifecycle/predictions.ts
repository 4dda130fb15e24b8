// The requests of a prediction's (or a training's) life: create (with the sync hold), read,
// cancel. Waiting for one to finish is wait.ts; how often it is read, schedule.ts.
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	apiRequest,
	cancelSignal,
	mayHaveCreatedNote,
	type ApiResponse,
	type ReplicateContext,
} from '../transport';

export const TERMINAL_STATUSES = ['succeeded', 'failed', 'canceled', 'aborted'];
export const isTerminal = (p: IDataObject) => TERMINAL_STATUSES.includes(p.status as string);

/** A prediction or a training as Replicate answers it (both have an id and a status). */
export interface Prediction extends IDataObject {
	id: string;
	status: string;
}

/** Where a job's reads and cancel go: `/predictions/{id}` or `/trainings/{id}`. */
export type Resource = 'predictions' | 'trainings';

/** "prediction" or "training", for messages. */
export const noun = (resource: Resource = 'predictions') =>
	resource === 'trainings' ? 'training' : 'prediction';

export interface CreateRequest {
	/** Where it is created (`/predictions`, `/models/o/n/predictions`, a version's `/trainings`…). */
	path: string;
	/** What it creates: `predictions` (default) or `trainings`. */
	resource?: Resource;
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
	ctx: ReplicateContext,
	res: ApiResponse<unknown>,
	what: string,
	itemIndex: number | undefined,
	resource: Resource = 'predictions',
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
				: `JSON without a ${noun(resource)} id`;
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
	ctx: ReplicateContext,
	req: CreateRequest,
): Promise<Prediction> {
	const headers: Record<string, string> = {};
	if (req.syncSeconds !== undefined)
		headers.Prefer = `wait=${Math.max(1, Math.min(60, Math.ceil(req.syncSeconds)))}`;
	if (req.cancelAfter) headers['Cancel-After'] = req.cancelAfter;
	let sentAt = Date.now();
	const res = await apiRequest<Prediction>(ctx, {
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
	return asPrediction(ctx, res, 'the create request', req.itemIndex, req.resource, sentAt);
}

export interface GetOptions {
	deadline?: number;
	signal?: AbortSignal;
	/** `predictions` (default) or `trainings`. */
	resource?: Resource;
}

export async function getPrediction(
	ctx: ReplicateContext,
	id: string,
	itemIndex?: number,
	o: GetOptions = {},
): Promise<Prediction> {
	const path = `/${o.resource ?? 'predictions'}/${encodeURIComponent(id)}`;
	const res = await apiRequest<Prediction>(ctx, {
		method: 'GET',
		path,
		itemIndex,
		retry: 'read',
		deadline: o.deadline,
		signal: o.signal,
	});
	return asPrediction(ctx, res, `GET ${path}`, itemIndex, o.resource);
}

/** Cancels even when the execution was stopped (that is when it matters most); bounded to 30 s. */
export async function cancelPrediction(
	ctx: ReplicateContext,
	id: string,
	itemIndex: number,
	resource: Resource = 'predictions',
): Promise<Prediction> {
	const res = await apiRequest<Prediction>(ctx, {
		method: 'POST',
		path: `/${resource}/${encodeURIComponent(id)}/cancel`,
		itemIndex,
		retry: 'idempotent',
		ignoreExecutionCancel: true,
		deadline: Date.now() + 30_000,
	});
	return asPrediction(ctx, res, 'the cancel request', itemIndex, resource);
}
