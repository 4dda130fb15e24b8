// The poll schedules (nodes/common/lifecycle/schedule.ts): the n-th poll's delay, before scaling.
import type { IDataObject } from 'n8n-workflow';

import { pollDelay, pollSchedules, pollTimings } from '../../../nodes/common/lifecycle/schedule';

const first = (schedule: Parameters<typeof pollDelay>[0], count: number) =>
	Array.from({ length: count }, (_, n) => pollDelay(schedule, n));

test('after a sync hold the polls follow the ramp, then the cap', () => {
	expect(first(pollSchedules.afterHold(5000), 5)).toEqual([1000, 2000, 2500, 3500, 5000]);
});

test('a prediction that may end soon is polled at 250 ms, doubling up to the cap', () => {
	expect(first(pollSchedules.soon(5000), 6)).toEqual([250, 500, 1000, 2000, 4000, 5000]);
});

test('a given first delay is kept; the cap wins over any delay, in both kinds of schedule', () => {
	expect(pollDelay({ firstMs: 2000, maxMs: 5000 }, 0)).toBe(2000);
	expect(pollDelay(pollSchedules.afterHold(500), 0)).toBe(500);
	expect(pollDelay({ firstMs: 8000, maxMs: 5000 }, 0)).toBe(5000);
});

test('doubling never overflows on a very long wait', () => {
	expect(pollDelay(pollSchedules.soon(60_000), 5000)).toBe(60_000);
});

test('Run picks the ramp when the hold ran out without output, else the short schedule', () => {
	const noOutput: IDataObject = { id: 'p', status: 'processing', output: null };
	const withOutput: IDataObject = { id: 'p', status: 'processing', output: ['file'] };
	expect(pollSchedules.afterCreate(noOutput, 5000)).toEqual(pollSchedules.afterHold(5000));
	expect(pollSchedules.afterCreate(withOutput, 5000)).toEqual(pollSchedules.soon(5000));
});

test('the chat model polls at 250 ms doubling up to 2 s', () => {
	expect(first(pollSchedules.chat(), 5)).toEqual([250, 500, 1000, 2000, 2000]);
});

test("after a stream's done event the final state is read within 100 ms; without one, from 500 ms", () => {
	expect(pollDelay(pollSchedules.afterStream(true), 0)).toBe(pollTimings.afterStreamMs);
	expect(pollDelay(pollSchedules.afterStream(false), 0)).toBe(pollTimings.withoutStreamMs);
	expect(pollDelay(pollSchedules.afterStream(true), 10)).toBe(pollTimings.chatMaxPollMs);
});
