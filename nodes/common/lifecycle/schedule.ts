// How often a wait reads a prediction (or a training): every poll schedule of the package, named
// here and nowhere else. A delay is in milliseconds before the transport's `timings.scale` (which
// tests and benchmarks use to run faster); `pollDelay` gives the n-th poll's delay.
import type { IDataObject } from 'n8n-workflow';

/**
 * A poll schedule: either fixed delays for the first polls (`rampMs`) and then `maxMs`, or a first
 * delay (`firstMs`) that doubles on each poll up to `maxMs`.
 */
export type PollSchedule =
	{ rampMs: readonly number[]; maxMs: number } | { firstMs: number; maxMs: number };

/** The delays behind the named schedules below (ms). */
export const pollTimings = {
	/** Polls after a sync hold ran out on a long run, before the cap takes over. */
	afterHoldRampMs: [1000, 2000, 2500, 3500] as readonly number[],
	/** First poll of a prediction that may end any moment; doubles on each poll. */
	firstPollMs: 250,
	/** The chat model's cap: a person waits for the answer. */
	chatMaxPollMs: 2000,
	/** After a chat stream's `done` event: the final state (with the metrics) is a moment away. */
	afterStreamMs: 100,
	/** After a chat stream broke off or could not be opened: the model may still be writing. */
	withoutStreamMs: 500,
	/** A training's first polls (it runs for minutes to hours), before its cap takes over. */
	trainingRampMs: [2000, 5000, 10000] as readonly number[],
};

export const pollSchedules = {
	/**
	 * Run, when Replicate's sync hold ran out on a long run (no output yet): a run that ends just
	 * after the hold is noticed within a second or three, at about one request per 5 s over the run.
	 */
	afterHold: (maxMs: number): PollSchedule => ({ rampMs: pollTimings.afterHoldRampMs, maxMs }),
	/** A prediction that may end any moment (it has output, or Wait just started). */
	soon: (maxMs: number): PollSchedule => ({ firstMs: pollTimings.firstPollMs, maxMs }),
	/**
	 * Run after its create: unfinished with no output yet means the hold ran out on a long run;
	 * unfinished with output means Replicate answered early because the files are ready.
	 */
	afterCreate(created: IDataObject, maxMs: number): PollSchedule {
		const longRun = created.output === null || created.output === undefined;
		return longRun ? pollSchedules.afterHold(maxMs) : pollSchedules.soon(maxMs);
	},
	/**
	 * A training (Training → Create, "Wait for It to Finish"): it runs for minutes to hours, so the
	 * first polls come after 2, 5 and 10 s (a training refused at start is seen soon), then one
	 * every `maxMs` (Max Poll Interval, default 30 s) until it ends.
	 */
	training: (maxMs: number): PollSchedule => ({ rampMs: pollTimings.trainingRampMs, maxMs }),
	/** The chat model's answer without a stream. */
	chat: (): PollSchedule => ({
		firstMs: pollTimings.firstPollMs,
		maxMs: pollTimings.chatMaxPollMs,
	}),
	/** A job's final state after its stream (stream.ts): soon after `done`, else as it writes on. */
	afterStream: (ended: boolean): PollSchedule => ({
		firstMs: ended ? pollTimings.afterStreamMs : pollTimings.withoutStreamMs,
		maxMs: pollTimings.chatMaxPollMs,
	}),
};

/** The n-th poll's delay (ms, before scaling). */
export function pollDelay(schedule: PollSchedule, n: number): number {
	const raw =
		'rampMs' in schedule
			? (schedule.rampMs[n] ?? schedule.maxMs)
			: schedule.firstMs * 2 ** Math.min(n, 30);
	return Math.min(raw, schedule.maxMs);
}
