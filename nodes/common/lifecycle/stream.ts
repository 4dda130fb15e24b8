// Waiting by stream: a created job's output read from its Server-Sent Events as it is written,
// then its final state read as in wait.ts. The Timeout bounds the stream too; a stream that cannot
// be opened (404, 429, 5xx, a broken connection) is read from the job by polling instead, never by
// canceling a healthy job.
import type { IDataObject } from 'n8n-workflow';

import { openEventStream, pause } from '../transport';
import { cancelPrediction, getPrediction, isTerminal, type Prediction } from './predictions';
import { pollSchedules } from './schedule';
import { readEvents } from './sse';
import { outcomeOf, stopped, timedOut, waitFor, type Job, type Outcome } from './wait';

/** A piece of output text as the model writes it, then how the job ended. */
export type StreamEvent = { type: 'output'; text: string } | { type: 'end'; outcome: Outcome };

/** After a `done` event the job has ended on Replicate; its final state may take this long to read. */
export const FINAL_STATE_GRACE_MS = 30_000;

/** One signal that aborts when any of the given ones does; dispose() drops the listeners. */
export function anySignal(signals: Array<AbortSignal | undefined>) {
	const controller = new AbortController();
	const live = signals.filter((s): s is AbortSignal => !!s);
	const onAbort = () => controller.abort();
	for (const s of live) {
		if (s.aborted) controller.abort();
		else s.addEventListener('abort', onAbort, { once: true });
	}
	return {
		signal: controller.signal,
		dispose: () => live.forEach((s) => s.removeEventListener('abort', onAbort)),
	};
}

/** `error` data: Replicate's `{"detail": "…"}`, or the text as sent. */
function errorDetail(data: string): string {
	try {
		const v = JSON.parse(data) as unknown;
		if (v && typeof v === 'object' && typeof (v as IDataObject).detail === 'string') {
			return (v as IDataObject).detail as string;
		}
		return typeof v === 'string' ? v : data;
	} catch {
		return data;
	}
}

/** `done` data: `{}` on success, `{"reason": "canceled" | "error"}` otherwise. */
function readReason(data: string): string {
	try {
		const v = JSON.parse(data) as IDataObject;
		return typeof v?.reason === 'string' ? v.reason : '';
	} catch {
		return '';
	}
}

/** What the stream said before it ended (or broke off, or could not be opened). */
interface StreamEnd {
	/** The `done` event's reason; undefined when none came. */
	reason?: string;
	/** The `error` event's text. */
	error?: string;
	/** The deadline passed while the stream was open. */
	expired: boolean;
}

/**
 * Reads the job's stream, yielding its output; a job without a stream URL, or already finished, is
 * read by polling only. The stream is hung up on a stop (the job is canceled, see `stopped`), at the
 * deadline (canceled when the job asks, a `timedOut` outcome), or when the consumer stops reading
 * (the job is canceled: nobody waits for it any more).
 */
export async function* streamJob(
	job: Job,
	prediction: Prediction,
	o: { deadline: number },
): AsyncGenerator<StreamEvent> {
	let p = prediction;
	let settled = false;
	try {
		const url = (p.urls as IDataObject | undefined)?.stream;
		let end: StreamEnd = { expired: false };
		if (typeof url === 'string' && url && !isTerminal(p)) {
			const events = readStream(job, url, o.deadline);
			try {
				for (let r = await events.next(); ; r = await events.next()) {
					if (r.done) {
						end = r.value;
						break;
					}
					yield { type: 'output', text: r.value };
				}
			} finally {
				// Hangs up when the consumer stopped reading mid-stream.
				await events.return(end);
			}
		}
		if (job.signal.aborted) await stopped(job, p);
		if (end.expired || Date.now() >= o.deadline) {
			const outcome = await timedOut(job, p);
			settled = true;
			yield { type: 'end', outcome };
			return;
		}
		// The final state carries the metrics (and the rest of the output when the stream broke off).
		const ended = end.reason !== undefined;
		if (!isTerminal(p))
			p = await getPrediction(job.ctx, p.id, job.itemIndex, { resource: job.resource });
		const polled = await waitFor(job, p, {
			deadline: ended ? Math.max(o.deadline, Date.now() + FINAL_STATE_GRACE_MS) : o.deadline,
			schedule: pollSchedules.afterStream(ended),
		});
		p = polled.prediction;
		const failedInStream = end.reason === 'error' || end.error !== undefined;
		const outcome =
			polled.status !== 'timedOut' && failedInStream ? outcomeOf(p, end.error ?? '') : polled;
		settled = true;
		yield { type: 'end', outcome };
	} finally {
		// The consumer stopped reading (or something failed) while the job still ran.
		if (!settled && !isTerminal(p)) {
			await cancelPrediction(job.ctx, p.id, job.itemIndex, job.resource).catch(() => undefined);
		}
	}
}

/**
 * The output texts of the stream at `url`, until its `done` event, its end, a failure to open or
 * read it, a stop, or the deadline; returns what the stream said.
 */
async function* readStream(
	job: Job,
	url: string,
	deadline: number,
): AsyncGenerator<string, StreamEnd> {
	const hangUp = new AbortController();
	const linked = anySignal([job.signal, hangUp.signal]);
	let expired = false;
	// The Timeout's watchdog; it ends (and clears its timer) when the stream is hung up. (Not
	// n8n-workflow's sleepWithAbort: n8n 2.41's n8n-workflow no longer exports it.)
	void pause(Math.max(0, deadline - Date.now()), hangUp.signal).then(() => {
		if (hangUp.signal.aborted) return;
		expired = true;
		hangUp.abort();
	});
	const end: StreamEnd = { expired: false };
	try {
		const stream = await openEventStream(job.ctx, url, linked.signal, job.itemIndex).catch(
			() => undefined,
		);
		// Not opened: the job is read by polling (a stop or the deadline is seen by the caller).
		if (!stream) return { ...end, expired };
		linked.signal.addEventListener('abort', () => stream.close(), { once: true });
		try {
			for await (const e of readEvents(stream.body)) {
				if (e.event === 'output') {
					if (e.data) yield e.data;
				} else if (e.event === 'error') {
					end.error = errorDetail(e.data);
				} else if (e.event === 'done') {
					end.reason = readReason(e.data);
					break;
				}
			}
		} catch {
			// Hung up (a stop or the deadline, seen by the caller), or the connection broke: the job's
			// final state, read next, has the whole output, so the rest of the text still arrives.
		} finally {
			stream.close();
		}
		return { ...end, expired };
	} finally {
		hangUp.abort();
		linked.dispose();
	}
}
