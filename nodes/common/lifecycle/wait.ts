// One prediction lifecycle for every caller (Prediction → Run and Wait, the chat model, trainings):
// create with the sync hold → wait by polling (or by stream, stream.ts) → the deadline → cancel on
// a stop or a timeout → one tagged outcome. Callers only turn the outcome into items or errors.
import { NodeOperationError } from 'n8n-workflow';

import { asNodeError, isDeadlineError, pause, scaled, type ReplicateContext } from '../transport';
import {
	cancelPrediction,
	createPrediction,
	getPrediction,
	isTerminal,
	noun,
	type CreateRequest,
	type Prediction,
	type Resource,
} from './predictions';
import { pollDelay, type PollSchedule } from './schedule';

/** One job's wait: who waits, for what, and what ends it early. */
export interface Job {
	ctx: ReplicateContext;
	itemIndex: number;
	/**
	 * Aborts when n8n stops the execution (or, in the Replicate node, another item failed): the job
	 * is canceled on Replicate and the wait fails with "Stopped; … was canceled on Replicate".
	 */
	signal: AbortSignal;
	/** `predictions` (default) or `trainings`: where the job is read and canceled. */
	resource?: Resource;
	/** Whether a job still running at the deadline is canceled on Replicate. */
	cancelOnTimeout: boolean;
}

/** How a job ended, as far as this wait saw it. */
export type Outcome =
	| { status: 'succeeded'; prediction: Prediction }
	| { status: 'failed'; prediction: Prediction; error: string; logsTail?: string }
	/** Canceled or aborted on Replicate (its Cancel-After, the dashboard, the API), not by this wait. */
	| { status: 'canceled'; prediction: Prediction }
	/** Still running at the deadline; `canceled` says whether it was canceled then. */
	| { status: 'timedOut'; prediction: Prediction; canceled: boolean };

export const LOG_TAIL_LINES = 15;

/** The last lines of a model's logs, or undefined when there are none. */
export function logTail(logs: unknown, lines = LOG_TAIL_LINES): string | undefined {
	if (typeof logs !== 'string' || !logs.trim()) return undefined;
	return logs.trimEnd().split('\n').slice(-lines).join('\n');
}

/** The outcome of a finished job; `error` overrides its error text (a stream's error event). */
export function outcomeOf(p: Prediction, error?: string): Outcome {
	if (p.status === 'succeeded' && error === undefined)
		return { status: 'succeeded', prediction: p };
	if (p.status === 'canceled' || p.status === 'aborted')
		return { status: 'canceled', prediction: p };
	const text = error ?? (typeof p.error === 'string' && p.error ? p.error : 'no error text');
	return { status: 'failed', prediction: p, error: text, logsTail: logTail(p.logs) };
}

/** The execution stopped while the job ran: cancel it on Replicate (best effort), then fail. */
export async function stopped(job: Job, p: Prediction): Promise<never> {
	if (!isTerminal(p))
		await cancelPrediction(job.ctx, p.id, job.itemIndex, job.resource).catch(() => undefined);
	// "canceled" in the message is what makes n8n list a stopped execution as canceled.
	throw new NodeOperationError(
		job.ctx.getNode(),
		`Stopped; ${noun(job.resource)} ${p.id} was canceled on Replicate`,
		{ itemIndex: job.itemIndex },
	);
}

/** The deadline passed with the job still running: cancel it when asked to. */
export async function timedOut(job: Job, p: Prediction): Promise<Outcome> {
	if (!job.cancelOnTimeout) return { status: 'timedOut', prediction: p, canceled: false };
	return await cancelPrediction(job.ctx, p.id, job.itemIndex, job.resource).then(
		(prediction): Outcome => ({ status: 'timedOut', prediction, canceled: true }),
		(): Outcome => ({ status: 'timedOut', prediction: p, canceled: false }),
	);
}

export interface Started {
	prediction: Prediction;
	/** Epoch ms: the Timeout, counted from when the create left (not from its turn in the queue). */
	deadline: number;
}

/**
 * Creates the job (with Replicate's sync hold when `syncSeconds` is set); nothing is sent when the
 * execution was stopped already. Stopped during the hold:
 * what still runs is canceled; a finished job is paid for already, so its result is kept.
 */
export async function start(
	job: Job,
	req: Omit<CreateRequest, 'itemIndex' | 'resource' | 'signal'>,
	timeoutMs: number,
): Promise<Started> {
	if (job.signal.aborted) {
		throw new NodeOperationError(
			job.ctx.getNode(),
			`Stopped before the ${noun(job.resource)} was created`,
			{ itemIndex: job.itemIndex },
		);
	}
	let deadline = Date.now() + timeoutMs;
	const prediction = await createPrediction(job.ctx, {
		...req,
		itemIndex: job.itemIndex,
		resource: job.resource,
		signal: job.signal,
		onSend: (at) => {
			deadline = at + timeoutMs;
			req.onSend?.(at);
		},
	});
	if (job.signal.aborted && !isTerminal(prediction)) await stopped(job, prediction);
	return { prediction, deadline };
}

export interface WaitOptions {
	/** Epoch ms after which waiting stops; every read is bounded by the time left. */
	deadline: number;
	schedule: PollSchedule;
}

/**
 * Reads the job on `schedule` until it ends or the deadline passes. A stop cancels it and fails
 * (see `stopped`); no request outlives the deadline.
 */
export async function waitFor(job: Job, prediction: Prediction, o: WaitOptions): Promise<Outcome> {
	let p = prediction;
	for (let n = 0; !isTerminal(p); n++) {
		const remaining = o.deadline - Date.now();
		if (remaining <= 0) return await timedOut(job, p);
		await pause(Math.min(scaled(pollDelay(o.schedule, n)), remaining), job.signal);
		if (job.signal.aborted) return await stopped(job, p);
		if (Date.now() >= o.deadline) return await timedOut(job, p);
		const next = await getPrediction(job.ctx, p.id, job.itemIndex, {
			deadline: o.deadline,
			signal: job.signal,
			resource: job.resource,
		}).then(
			(value) => ({ value, error: undefined }),
			(error: unknown) => ({ value: undefined, error }),
		);
		if (job.signal.aborted) return await stopped(job, p);
		if (!next.value) {
			if (isDeadlineError(next.error)) return await timedOut(job, p);
			throw asNodeError(job.ctx, next.error, job.itemIndex);
		}
		p = next.value;
	}
	return outcomeOf(p);
}

/** Create, then wait: the whole life of a job that is not streamed. */
export async function run(
	job: Job,
	req: Omit<CreateRequest, 'itemIndex' | 'resource' | 'signal'> & {
		timeoutMs: number;
		/** The poll schedule, chosen from what the create answered. */
		schedule: (created: Prediction) => PollSchedule;
	},
): Promise<Outcome> {
	const { timeoutMs, schedule, ...create } = req;
	const { prediction, deadline } = await start(job, create, timeoutMs);
	return await waitFor(job, prediction, { deadline, schedule: schedule(prediction) });
}
