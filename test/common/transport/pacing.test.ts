// The rate-limit lanes on their own, on jest's fake clock: which request leaves when, with and
// without Replicate's rate-limit headers.
import { Lane, RATE_LIMITS } from '../../../nodes/common/transport/pacing';

const MINUTE = 60_000;
const saved = JSON.parse(JSON.stringify(RATE_LIMITS)) as typeof RATE_LIMITS;

beforeEach(() => {
	jest.useFakeTimers({ now: 1_000_000 });
	RATE_LIMITS.create = { perMinute: 60, burst: 10 };
});
afterEach(() => {
	jest.useRealTimers();
	Object.assign(RATE_LIMITS.create, saved.create);
});

/** Queues `count` requests at once and returns the (fake) times they were let through. */
async function grants(lane: Lane, count: number, horizonMs: number): Promise<number[]> {
	const at: number[] = [];
	const all = Array.from({ length: count }, () =>
		lane.take().then((r) => {
			expect(r).toBe('ok');
			at.push(Date.now());
		}),
	);
	for (let t = 0; t < horizonMs && at.length < count; t += 100)
		await jest.advanceTimersByTimeAsync(100);
	await Promise.all(all);
	return at;
}

/** The most entries in any span of `ms`. */
function busiest(times: number[], ms: number): number {
	let most = 0;
	for (let i = 0, j = 0; j < times.length; j++) {
		while (times[j] - times[i] >= ms) i++;
		most = Math.max(most, j - i + 1);
	}
	return most;
}

describe('a lane paces requests by the limit', () => {
	test('the burst leaves at once, no minute holds more than the limit (with headroom), and the pace is the limit', async () => {
		const lane = new Lane('create', () => 1);
		const start = Date.now();
		const at = await grants(lane, 200, 10 * MINUTE);
		expect(at).toHaveLength(200);
		// the burst: ten leave without waiting
		expect(at.filter((t) => t === start)).toHaveLength(10);
		// 60 a minute with 5 % headroom: 57 in any minute at most
		expect(busiest(at, MINUTE)).toBeLessThanOrEqual(57);
		// The long-run pace is the limit's, not the limit minus the burst: 200 at 57 a minute take
		// about 3.5 minutes (at 47 a minute, 60 minus the burst minus the headroom, over 4.2).
		expect(at[at.length - 1] - start).toBeLessThan(3.7 * MINUTE);
		// after the first burst, one at a time at the pace: no second burst when the first ages out
		const gaps = at.slice(11).map((t, i) => t - at[i + 10]);
		expect(Math.min(...gaps)).toBeGreaterThan(MINUTE / 57 / 2);
	});

	test('a 429 holds every request back for its Retry-After, then the pace is slower for a while', async () => {
		const lane = new Lane('create', () => 1);
		const start = Date.now();
		lane.throttled(5_000);
		const at = await grants(lane, 20, 5 * MINUTE);
		expect(Math.min(...at) - start).toBeGreaterThanOrEqual(5_000);
		// The bucket starts empty after the hold and refills at half the pace, recovering to the full
		// pace (57 a minute, one each 1.05 s) over a minute: the first turns come well over 1.3 s apart.
		const gaps = at.slice(1, 6).map((t, i) => t - at[i]);
		for (const gap of gaps) expect(gap).toBeGreaterThan(1.3 * (MINUTE / 57));
		expect(lane.throttles).toBe(1);
	});

	test('a request whose signal aborts while it waits leaves the queue and takes no turn', async () => {
		const lane = new Lane('create', () => 1);
		for (let i = 0; i < 10; i++) await lane.take();
		const stop = new AbortController();
		const waiting = lane.take(stop.signal);
		stop.abort();
		await expect(waiting).resolves.toBe('aborted');
		expect(lane.granted).toBe(10);
		expect(lane.waiting).toBe(0);
	});
});

describe('after a 429', () => {
	test('a 429 that reports nothing remains blocks until its Retry-After but does not halve the pace', async () => {
		const lane = new Lane('create', () => 1);
		const start = Date.now();
		lane.answered({ 'ratelimit-remaining': '0', 'ratelimit-reset': '5' }, start);
		lane.throttled(5_000);
		// A newer report: the account has room again.
		lane.answered({ 'ratelimit-remaining': '59' }, start + 1);
		const at = await grants(lane, 6, 2 * MINUTE);
		expect(Math.min(...at) - start).toBeGreaterThanOrEqual(5_000);
		const gaps = at.slice(1).map((t, i) => t - at[i]);
		for (const gap of gaps) expect(gap).toBeLessThan(1.1 * (MINUTE / 57));
	});

	test('a Retry-After as long as the minute: when the block lifts, the pace is still the halved one', async () => {
		const lane = new Lane('create', () => 1);
		const start = Date.now();
		lane.throttled(MINUTE);
		const at = await grants(lane, 12, 5 * MINUTE);
		expect(Math.min(...at) - start).toBeGreaterThanOrEqual(MINUTE);
		// Half of 57 a minute is one each 2.1 s; full pace would be one each 1.05 s.
		const gaps = at.slice(1, 6).map((t, i) => t - at[i]);
		for (const gap of gaps) expect(gap).toBeGreaterThan(1.3 * (MINUTE / 57));
	});
});

/**
 * Replicate as seen by several processes sharing one token: a sliding minute of `limit` requests
 * that answers each request at once, with the rate-limit headers when `headers` is set, or 429.
 */
function account(limit: number, headers: boolean) {
	const window: number[] = [];
	let refused = 0;
	const answer = (lane: Lane): boolean => {
		const now = Date.now();
		while (window.length && now - window[0] >= MINUTE) window.shift();
		const full = window.length >= limit;
		if (!full) window.push(now);
		const untilFree = Math.max(1, Math.ceil((MINUTE - (now - window[0])) / 1000));
		if (headers)
			lane.answered(
				{
					'ratelimit-remaining': String(limit - window.length),
					'ratelimit-reset': String(untilFree),
				},
				now,
			);
		if (full) {
			refused++;
			lane.throttled(untilFree * 1000);
		}
		return !full;
	};
	return { answer, refused: () => refused, inWindow: () => window.length };
}

/** Each lane (one process) sends `count` requests through the account; a refused one is sent again. */
async function shareAccount(lanes: Lane[], count: number, acc: ReturnType<typeof account>) {
	const accepted: number[] = [];
	let peak = 0;
	const one = async (lane: Lane): Promise<void> => {
		for (;;) {
			await lane.take();
			const ok = acc.answer(lane);
			peak = Math.max(peak, acc.inWindow());
			if (ok) {
				accepted.push(Date.now());
				return;
			}
		}
	};
	const all = lanes.flatMap((lane) => Array.from({ length: count }, () => one(lane)));
	const done = Promise.all(all);
	let finished = false;
	void done.then(() => (finished = true));
	for (let t = 0; t < 30 * MINUTE && !finished; t += 100) await jest.advanceTimersByTimeAsync(100);
	await done;
	return { accepted, peak };
}

describe("with Replicate's rate-limit headers, processes sharing a token share its budget", () => {
	test('two processes, 150 requests each, a 60-a-minute account: no 429, and the pair sends near the limit', async () => {
		const acc = account(60, true);
		const lanes = [new Lane('create', () => 1), new Lane('create', () => 1)];
		const start = Date.now();
		const { accepted } = await shareAccount(lanes, 150, acc);
		expect(accepted).toHaveLength(300);
		expect(acc.refused()).toBe(0);
		// Together at no less than 90 % of the limit: 300 in under 5.6 minutes (the two shares, each
		// with headroom and in whole requests, come to about 56 of the 60 a minute).
		const took = Math.max(...accepted) - start;
		expect(took).toBeLessThan(5.6 * MINUTE);
		expect(busiest(accepted, MINUTE)).toBeLessThanOrEqual(60);
	});

	test('the same two processes without the headers: each paces at the limit and takes 429s (as before)', async () => {
		const acc = account(60, false);
		const lanes = [new Lane('create', () => 1), new Lane('create', () => 1)];
		const { accepted } = await shareAccount(lanes, 150, acc);
		expect(accepted).toHaveLength(300);
		expect(acc.refused()).toBeGreaterThan(2);
	});

	test('one process alone with the headers keeps the documented pace', async () => {
		const withHeaders = new Lane('create', () => 1);
		const without = new Lane('create', () => 1);
		const a = await shareAccount([withHeaders], 100, account(60, true));
		jest.setSystemTime(1_000_000);
		const b = await shareAccount([without], 100, account(60, false));
		const rel = (t: number[]) => t.map((x) => x - Math.min(...t));
		expect(rel(a.accepted)).toEqual(rel(b.accepted));
	});

	test('nothing left: no request leaves before ratelimit-reset (read as seconds)', async () => {
		const lane = new Lane('create', () => 1);
		const start = Date.now();
		lane.answered({ 'ratelimit-remaining': '0', 'ratelimit-reset': '7' }, start);
		const at = await grants(lane, 2, 3 * MINUTE);
		expect(at[0] - start).toBeGreaterThanOrEqual(7_000);
		// Then one request asks again, and with no newer report the lane holds back for the minute.
		expect(at[0] - start).toBeLessThan(8_000);
		expect(at[1] - start).toBeGreaterThanOrEqual(MINUTE);
	});

	test('what the cautious reading ignores: an older report, a count above the limit, a stale or unreadable one', async () => {
		const lane = new Lane('create', () => 1);
		const start = Date.now();
		// A newer report says plenty remains; an older one arriving later (nothing left) is ignored.
		lane.answered({ 'ratelimit-remaining': '50' }, start);
		lane.answered({ 'ratelimit-remaining': '0', 'ratelimit-reset': '30' }, start - 1000);
		// Endpoints with their own, larger budget (59999 was seen on prediction reads) change nothing.
		lane.answered({ 'ratelimit-remaining': '59999', 'ratelimit-reset': '1' }, start);
		lane.answered({ 'ratelimit-remaining': 'many' }, start);
		lane.answered({ 'ratelimit-remaining': '0', 'ratelimit-reset': '30' }, start - MINUTE);
		const at = await grants(lane, 10, MINUTE);
		expect(at.every((t) => t === start)).toBe(true); // the burst, at once
	});

	test('a report that little remains slows this process to what it already sends plus that', async () => {
		const lane = new Lane('create', () => 1);
		const start = Date.now();
		// Another process used 50 of the minute's 60: this one may have about 10 (with headroom 9).
		lane.answered({ 'ratelimit-remaining': '10' }, start - 1);
		const at = await grants(lane, 20, 3 * MINUTE);
		expect(at.filter((t) => t - start < MINUTE)).toHaveLength(9);
	});
});
