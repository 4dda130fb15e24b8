// The rate-limit lanes on their own, on jest's fake clock: which request leaves when.
import { Lane, RATE_LIMITS } from '../../nodes/shared/transport/pacing';

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
