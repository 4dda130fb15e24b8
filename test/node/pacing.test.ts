// Scale (issue 15): Run paces creates and status checks by Replicate's rate limits instead of a
// fixed number of items in flight. The emulator enforces the limits (its sliding windows answer
// 429 with retry_after); time is scaled (emulator speed, timings.scale, the windows) and the tests
// count requests in the emulator's log, never wall-clock durations.
import type { IDataObject } from 'n8n-workflow';

import { Emulator, type LogEntry } from '../emulator';
import { replicateCredentials, runNode } from '../harness/n8n';
import { runParams } from '../helpers/params';
import { RATE_LIMITS, resetPacing, timings } from '../../nodes/common/transport';

const SPEED = 20;
const MINUTE = 60_000 / SPEED;
const savedTimings = { ...timings };
const savedLimits = JSON.parse(JSON.stringify(RATE_LIMITS)) as typeof RATE_LIMITS;
beforeAll(() => {
	timings.scale = 1 / SPEED;
});
afterEach(() => {
	Object.assign(RATE_LIMITS.create, savedLimits.create);
	Object.assign(RATE_LIMITS.other, savedLimits.other);
	resetPacing();
});
afterAll(() => {
	Object.assign(timings, savedTimings);
});

let emu: Emulator | undefined;
afterEach(async () => {
	const violations = emu ? [...emu.violations] : [];
	await emu?.stop();
	emu = undefined;
	expect(violations).toEqual([]);
});

/** An emulator whose limits (per scaled minute) are `create` and `other`. */
async function start(create: number, other: number): Promise<Emulator> {
	emu = await new Emulator({
		speed: SPEED,
		rateLimits: {
			create: { limit: create, windowMs: MINUTE, retryAfterScale: SPEED },
			other: { limit: other, windowMs: MINUTE, retryAfterScale: SPEED },
		},
	}).start();
	return emu;
}

/**
 * The emulator's limit for a node pace of `n` a minute: 20 % more, since at this time scale a busy
 * machine's event-loop lag (tens of ms) is a large share of the 3 s "minute" and can shift arrivals
 * into one window. Without pacing the batches below go several times over.
 */
const slack = (n: number) => Math.ceil(n * 1.2);

const isCreate = (l: LogEntry) => /predictions\.create$/.test(l.operationId ?? '');
const isPoll = (l: LogEntry) => l.operationId === 'predictions.get';
const throttled = (e: Emulator) => e.log.filter((l) => l.status === 429);

/** The most requests answered (not 429) in any window of `ms`, by arrival time. */
function busiestWindow(entries: LogEntry[], ms: number): number {
	const at = entries.map((l) => l.at).sort((a, b) => a - b);
	let most = 0;
	for (let i = 0, j = 0; j < at.length; j++) {
		while (at[j] - at[i] >= ms) i++;
		most = Math.max(most, j - i + 1);
	}
	return most;
}

/** The most create requests open at once (each item's create is held until its prediction ends). */
function mostOpenCreates(e: Emulator): number {
	const edges = e.log
		.filter((l) => isCreate(l) && l.status < 300)
		.flatMap((l) => [
			{ t: l.at, d: 1 },
			{ t: l.at + l.ms, d: -1 },
		])
		.sort((a, b) => a.t - b.t || a.d - b.d);
	let open = 0;
	let most = 0;
	for (const { d } of edges) most = Math.max(most, (open += d));
	return most;
}

async function runBatch(
	e: Emulator,
	count: number,
	input: IDataObject,
	options: IDataObject = {},
	typeVersion = 1.1,
) {
	const r = await runNode({
		parameters: runParams('emulator/sleep', input, { download: false, ...options }),
		credentials: replicateCredentials(e.baseUrl, e.token),
		input: Array.from({ length: count }, (_, i) => ({ json: { i } })),
		nodeSettings: { typeVersion },
	});
	expect(r.error?.message).toBeUndefined();
	expect(r.items).toHaveLength(count);
	expect(r.items.every((item) => item.json.status === 'succeeded')).toBe(true);
	return r;
}

describe('creates are paced by the rate limit, not by a fixed number in flight', () => {
	test('a batch far larger than the create limit: no 429, never more creates in a minute than the limit', async () => {
		// A small limit keeps the batch small: 40 creates a (scaled) minute, 5 of them as a burst.
		RATE_LIMITS.create = { perMinute: 40, burst: 5 };
		const e = await start(slack(40), 3000);
		const count = 60;
		await runBatch(e, count, { seconds: 2 });
		const creates = e.log.filter(isCreate);
		expect(throttled(e)).toEqual([]);
		expect(creates).toHaveLength(count);
		expect(busiestWindow(creates, MINUTE)).toBeLessThanOrEqual(slack(40));
	});

	test('without the option (version 1.1) more predictions wait at once than version 1 allowed', async () => {
		const e = await start(600, 3000);
		// 20 s model runs, held by Prefer: wait: every item's create stays open while its model runs
		// (the 80 creates leave within 8 s at 600 a minute).
		await runBatch(e, 80, { seconds: 20 });
		expect(throttled(e)).toEqual([]);
		expect(mostOpenCreates(e)).toBeGreaterThan(50);
	});

	test('version 1 keeps its default of 50 at a time', async () => {
		const e = await start(600, 3000);
		await runBatch(e, 80, { seconds: 20 }, {}, 1);
		expect(mostOpenCreates(e)).toBeLessThanOrEqual(50);
	});

	test('Max Concurrent Predictions is still honoured as a user limit', async () => {
		const e = await start(600, 3000);
		await runBatch(e, 8, { seconds: 10 }, { maxConcurrency: 4 });
		const most = mostOpenCreates(e);
		expect(most).toBeLessThanOrEqual(4);
		expect(most).toBeGreaterThan(1);
	});
});

describe('a stop reaches the items waiting for their turn', () => {
	test('an item that fails stops the batch: the creates still waiting are never sent', async () => {
		// Two creates may leave at once, the next one only after a (scaled) 16 s.
		RATE_LIMITS.create = { perMinute: 6, burst: 2 };
		const e = await start(600, 3000);
		const { error } = await runNode({
			parameters: runParams(
				'emulator/sleep',
				{ seconds: '={{ $json.s }}' },
				{ download: false, syncWait: 1 },
			),
			credentials: replicateCredentials(e.baseUrl, e.token),
			input: [...Array.from({ length: 8 }, () => ({ json: { s: 3600 } })), { json: { s: -1 } }],
			nodeSettings: { typeVersion: 1.1 },
		});
		expect(error?.message).toMatch(/must be at least 0 \(got -1\) \[item 8\]/);
		const runs = () => [...e.store.predictions.values()];
		const end = Date.now() + 10_000;
		while (runs().some((p) => !p.terminal) && Date.now() < end)
			await new Promise((r) => setTimeout(r, 50));
		expect(e.log.filter(isCreate).length).toBeLessThanOrEqual(2);
		expect(runs().map((p) => p.status)).toEqual(runs().map(() => 'canceled'));
	});
});

describe('waiting shares one read budget', () => {
	test('many predictions polled at once stay within the limit for other requests', async () => {
		// 60 reads a minute for the whole node, while 40 predictions each want a poll every second.
		RATE_LIMITS.other = { perMinute: 60, burst: 5 };
		const e = await start(600, slack(60));
		await runBatch(e, 40, { seconds: 20 }, { syncWait: 1, maxPollInterval: 1, timeout: 600 });
		const reads = e.log.filter((l) => !isCreate(l));
		expect(e.log.filter(isPoll).length).toBeGreaterThan(40);
		expect(throttled(e)).toEqual([]);
		expect(busiestWindow(reads, MINUTE)).toBeLessThanOrEqual(slack(60));
	});
});

describe('a 429 slows the whole pace', () => {
	test('a limit lower than the documented one (another worker on the same token): few 429s, all items done', async () => {
		// The node paces for 40 a minute; Replicate lets through only 20 (as when a second worker uses
		// the same credential). Each 429 holds back every create and halves the pace, so the batch
		// sees a few of them, not one per item (which is what items retrying on their own would get).
		RATE_LIMITS.create = { perMinute: 40, burst: 5 };
		const e = await start(20, 3000);
		const count = 40;
		await runBatch(e, count, { seconds: 1 });
		const refused = throttled(e);
		expect(refused.length).toBeGreaterThan(0);
		expect(refused.length).toBeLessThanOrEqual(count / 5);
		expect(e.log.filter((l) => isCreate(l) && l.status < 300)).toHaveLength(count);
	});

	test('Retry-After is respected: no create leaves before the time it names', async () => {
		// One create a (scaled) 5 s; the first is refused with Retry-After: 15 s, so the second,
		// due after 5 s, must wait the 15 s instead.
		RATE_LIMITS.create = { perMinute: 12, burst: 1 };
		const e = await start(600, 3000);
		e.addFault({
			method: 'POST',
			path: '/predictions',
			nth: 1,
			status: 429,
			headers: { 'retry-after': '15' },
			body: { detail: 'Request was throttled.', status: 429, retry_after: 15 },
		});
		await runBatch(e, 3, { seconds: 1 });
		const refused = throttled(e);
		expect(refused).toHaveLength(1);
		const answered = e.log.filter((l) => isCreate(l) && l.status < 300);
		expect(answered).toHaveLength(3);
		for (const l of answered)
			expect(l.at).toBeGreaterThanOrEqual(refused[0].at + refused[0].ms + 15_000 / SPEED - 5);
	});
});
