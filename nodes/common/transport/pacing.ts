// Paces requests by Replicate's documented rate limits, per process and per credential: creates
// (600 a minute) and everything else (3000 a minute) each draw from their own token bucket. Nothing
// here is shared across processes or credentials: in queue mode each worker paces itself. Where
// Replicate's answers carry `ratelimit-remaining` (undocumented; see `answered`), each process
// takes only its share of what the account has left, so workers sharing a token stay under the
// limit together; without it, each paces at the limit. A 429 (another worker, or an account with
// lower limits) holds back every request of that credential in this process for the Retry-After
// time and, unless it reported what remains, halves its pace, which recovers over the minute after
// the block lifts.
import { sleep } from 'n8n-workflow';

/** Which of Replicate's limits a request counts against. */
export type LaneKind = 'create' | 'other';

/**
 * Replicate's limits (requests per minute) and the burst each bucket holds. Replicate allows short
 * bursts but does not say how large or how its minute is counted, so each lane keeps both: a bucket
 * refilling at the limit (with some headroom) that holds at most `burst`, and a log of the last
 * minute's requests that never lets more than the limit (with the headroom) into any minute.
 */
export const RATE_LIMITS: Record<LaneKind, { perMinute: number; burst: number }> = {
	create: { perMinute: 600, burst: 50 },
	other: { perMinute: 3000, burst: 100 },
};

/**
 * The share of the limit the steady pace uses: requests do not arrive exactly when they leave
 * (event loop, connection set-up); one that arrives late can put one more into Replicate's minute.
 */
const HEADROOM = 0.95;

/** The slowest pace a 429 can push a lane to (Replicate's most limited accounts: 6 a minute). */
const MIN_FACTOR = 0.01;

export type TakeResult = 'ok' | 'aborted' | 'deadline';

interface Waiter {
	grant: () => void;
	leave: (why: TakeResult) => void;
}

/** One credential's lane for one kind of request, with a FIFO queue of the requests waiting. */
export class Lane {
	private tokens: number;
	private refilledAt: number;
	/** No request leaves before this (epoch ms): set by a 429's Retry-After. */
	private blockedUntil = 0;
	/** Pace relative to the documented limit after the last 429 (1 = full), and when it starts to recover. */
	private slowFactor = 1;
	private slowedAt = 0;
	private readonly queue: Waiter[] = [];
	/** When the requests of the last two minutes left (oldest first, from `sentFrom`). */
	private sent: number[] = [];
	private sentFrom = 0;
	/**
	 * The account's budget as Replicate last reported it: `remaining` when the request sent at `at`
	 * was answered, and how many of this lane's requests were in the minute before `at`.
	 */
	private reported?: { remaining: number; mine: number; at: number };
	/** Whether the last answer carried `ratelimit-remaining`. */
	private lastAnswerReported = false;
	private pumping = false;
	/** Requests granted and 429s seen (for tests and the bench). */
	granted = 0;
	throttles = 0;

	constructor(
		readonly kind: LaneKind,
		/** Multiplies every wait (timings.scale), read on each use. */
		private readonly scale: () => number,
	) {
		this.tokens = RATE_LIMITS[kind].burst;
		this.refilledAt = Date.now();
	}

	get waiting(): number {
		return this.queue.length;
	}

	/**
	 * The pace as a share of the documented limit: halved by a 429, back to 1 over the minute after
	 * its block lifts (so the slower pace still acts when requests leave again).
	 */
	private factor(now: number): number {
		if (this.slowFactor >= 1) return 1;
		const recovered = this.slowFactor + Math.max(0, now - this.slowedAt) / (60_000 * this.scale());
		if (recovered >= 1) this.slowFactor = 1;
		return Math.min(1, recovered);
	}

	/**
	 * The most requests any minute may hold: the documented limit (with headroom), or less where
	 * Replicate's last report says the account has less left: this lane's own requests of the
	 * reported minute plus what remained, so that processes sharing the token fill it together.
	 */
	private perWindow(now = Date.now()): number {
		const limit = RATE_LIMITS[this.kind].perMinute;
		const documented = Math.max(1, Math.floor(limit * HEADROOM));
		const r = this.reported;
		if (!r || now - r.at >= 60_000 * this.scale()) return documented;
		const share = Math.floor(Math.min(limit, r.remaining + r.mine) * HEADROOM);
		return Math.max(1, Math.min(documented, share));
	}

	/** Tokens per ms at the current pace. */
	private rate(now: number): number {
		return (this.perWindow(now) * this.factor(now)) / (60_000 * this.scale());
	}

	/** Index of the first request sent after `t` (the log is in time order). */
	private firstAfter(t: number): number {
		let lo = this.sentFrom;
		let hi = this.sent.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (this.sent[mid] <= t) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}

	/** Milliseconds until the last minute holds fewer requests than the limit allows (0: now). */
	private windowWait(now: number): number {
		const minute = 60_000 * this.scale();
		// Two minutes are kept: a report counts this lane's requests of the minute before it was sent.
		this.sentFrom = this.firstAfter(now - 2 * minute);
		if (this.sentFrom > 1024) {
			this.sent = this.sent.slice(this.sentFrom);
			this.sentFrom = 0;
		}
		const inWindow = this.sent.length - this.firstAfter(now - minute);
		const cap = this.perWindow(now);
		if (inWindow < cap) return 0;
		// The request that must age out of the minute before one more may leave.
		return Math.max(1, Math.ceil(this.sent[this.sent.length - cap] + minute - now));
	}

	/** Takes one token and notes the time (the caller checked `delay` is 0). */
	private spend(now: number) {
		this.tokens -= 1;
		this.granted++;
		this.sent.push(now);
	}

	private refill(now: number) {
		if (now > this.refilledAt) {
			const from = Math.max(this.refilledAt, this.blockedUntil);
			if (now > from)
				this.tokens = Math.min(
					RATE_LIMITS[this.kind].burst,
					this.tokens + (now - from) * this.rate(now),
				);
			this.refilledAt = now;
		}
	}

	/** Milliseconds until one request may leave (0: now). */
	private delay(now: number): number {
		if (now < this.blockedUntil) return this.blockedUntil - now;
		this.refill(now);
		const window = this.windowWait(now);
		if (window > 0) {
			// Full for this minute: the bucket does not fill up meanwhile, so what leaves when the
			// oldest request ages out is one at a time at the pace, not a second burst (which, landing
			// closer together than the first did, could put Replicate's own minute over the limit).
			this.tokens = Math.min(this.tokens, 1);
			this.refilledAt = Math.max(this.refilledAt, now + window);
			return window;
		}
		if (this.tokens >= 1) return 0;
		return Math.max(1, Math.ceil((1 - this.tokens) / this.rate(now)));
	}

	/**
	 * Waits for this lane's turn (first come, first served). Resolves `aborted` when `signal` aborts
	 * and `deadline` when the deadline (epoch ms) passes first; then no token is taken.
	 */
	async take(signal?: AbortSignal, deadline?: number): Promise<TakeResult> {
		if (signal?.aborted) return 'aborted';
		const now = Date.now();
		if (!this.queue.length && this.delay(now) === 0) {
			this.spend(now);
			return 'ok';
		}
		if (deadline !== undefined && deadline <= Date.now()) return 'deadline';
		let result: TakeResult | undefined;
		let wake = () => {};
		const done = new Promise<void>((resolve) => (wake = resolve));
		const waiter: Waiter = {
			grant: () => {
				result ??= 'ok';
				wake();
			},
			leave: (why: TakeResult) => {
				if (result) return;
				const at = this.queue.indexOf(waiter);
				if (at >= 0) this.queue.splice(at, 1);
				result = why;
				wake();
			},
		};
		if (signal) this.watch(signal, waiter);
		this.queue.push(waiter);
		void this.pump();
		if (deadline !== undefined)
			void sleepUntil(deadline, done).then(() => waiter.leave('deadline'));
		try {
			await done;
		} finally {
			if (signal) this.unwatch(signal, waiter);
		}
		return result ?? 'ok';
	}

	/** One abort listener per signal (a batch's items share one), not one per waiting request. */
	private readonly watched = new Map<AbortSignal, { waiters: Set<Waiter>; onAbort: () => void }>();

	private watch(signal: AbortSignal, waiter: Waiter) {
		let w = this.watched.get(signal);
		if (!w) {
			const waiters = new Set<Waiter>();
			const onAbort = () => {
				this.watched.delete(signal);
				for (const each of waiters) each.leave('aborted');
			};
			w = { waiters, onAbort };
			this.watched.set(signal, w);
			signal.addEventListener('abort', onAbort, { once: true });
		}
		w.waiters.add(waiter);
	}

	private unwatch(signal: AbortSignal, waiter: Waiter) {
		const w = this.watched.get(signal);
		if (!w) return;
		w.waiters.delete(waiter);
		if (!w.waiters.size) {
			this.watched.delete(signal);
			signal.removeEventListener('abort', w.onAbort);
		}
	}

	/** Hands out turns while requests wait; one loop per lane. */
	private async pump() {
		if (this.pumping) return;
		this.pumping = true;
		try {
			while (this.queue.length) {
				const now = Date.now();
				const wait = this.delay(now);
				if (wait > 0) {
					await sleep(wait);
					continue;
				}
				this.spend(now);
				this.queue.shift()?.grant();
			}
		} finally {
			this.pumping = false;
		}
	}

	/**
	 * Replicate answered 429: no request of this lane leaves for `retryAfterMs` (already scaled), the
	 * bucket starts empty after that, and, unless the answer reported what remains, the pace halves
	 * (recovering over the minute after the block).
	 */
	throttled(retryAfterMs: number) {
		const now = Date.now();
		this.throttles++;
		this.block(now, retryAfterMs);
		// A 429 that reports what remains (nothing) needs no guess: that report already holds this
		// process to less than it has sent in the minute. Without one, the pace halves, and recovers
		// from when requests may leave again, not from the 429: a block as long as the minute would
		// otherwise lift with the pace already back to full.
		if (this.lastAnswerReported) return;
		this.slowFactor = Math.max(MIN_FACTOR, this.factor(now) / 2);
		this.slowedAt = this.blockedUntil;
	}

	/** No request of this lane leaves for `ms`, and the bucket starts empty after that. */
	private block(now: number, ms: number) {
		this.refill(now);
		this.tokens = Math.min(this.tokens, 0);
		this.blockedUntil = Math.max(this.blockedUntil, now + ms);
		this.refilledAt = Math.max(this.refilledAt, this.blockedUntil);
	}

	/**
	 * An answer of Replicate to a request of this lane sent at `sentAt` (epoch ms), with its
	 * headers (lower-case names). Replicate's answers have been seen carrying `ratelimit-remaining`
	 * and `ratelimit-reset`, but its documents describe neither, so only the cautious reading is
	 * used: `remaining` is what the account (every process using the token) may still send, counted
	 * when the request arrived; it can only lower this lane's pace below the documented one, and a
	 * count above the documented limit (seen on some endpoints, which have their own) changes
	 * nothing. `reset` is read as seconds, the only reading that fits the values seen (always 1 with
	 * a full budget), and only used when nothing remains: no request leaves until then (at most a
	 * minute), and then one, whose answer tells more. Answers without the headers change nothing (the documented pace alone).
	 */
	answered(headers: Record<string, string | undefined>, sentAt: number) {
		const remaining = count(headers['ratelimit-remaining']);
		this.lastAnswerReported = remaining !== undefined;
		if (remaining === undefined) return;
		const now = Date.now();
		const minute = 60_000 * this.scale();
		if (now - sentAt >= minute || (this.reported && sentAt < this.reported.at)) return;
		const mine = this.firstAfter(sentAt) - this.firstAfter(sentAt - minute);
		this.reported = { remaining, mine, at: sentAt };
		const reset = count(headers['ratelimit-reset']);
		if (remaining === 0 && reset !== undefined) {
			this.block(now, Math.min(minute, reset * 1000 * this.scale()));
			// One request then asks again (its answer brings the next report), not one a minute.
			this.tokens = 1;
		}
	}
}

/** A header holding a whole number (what the rate-limit headers were seen to hold), else undefined. */
function count(value: string | undefined): number | undefined {
	const text = value?.trim() ?? '';
	return /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

/** Resolves at `deadline` or when `done` settles, whichever is first; no timer lingers long. */
async function sleepUntil(deadline: number, done: Promise<void>): Promise<void> {
	let finished = false;
	void done.then(() => (finished = true));
	// Wakes at most every few seconds to notice that the wait already ended.
	while (!finished) {
		const left = deadline - Date.now();
		if (left <= 0) return;
		await Promise.race([sleep(Math.min(left, 5000)), done]);
	}
}

/** At most this many credentials' lanes are kept; idle ones go first. */
const MAX_CREDENTIALS = 100;

const lanes = new Map<string, Record<LaneKind, Lane>>();

/** The lanes of one credential (its key from `connection`, never the token) in this process. */
export function lanesFor(key: string, scale: () => number): Record<LaneKind, Lane> {
	let entry = lanes.get(key);
	if (!entry) {
		if (lanes.size >= MAX_CREDENTIALS) {
			for (const [k, v] of lanes) {
				if (!v.create.waiting && !v.other.waiting) lanes.delete(k);
				if (lanes.size < MAX_CREDENTIALS) break;
			}
		}
		entry = { create: new Lane('create', scale), other: new Lane('other', scale) };
		lanes.set(key, entry);
	} else {
		// Most recently used last, so the idle ones are found first.
		lanes.delete(key);
		lanes.set(key, entry);
	}
	return entry;
}

/** Forgets every lane (tests start each file with full buckets). */
export function resetPacing() {
	lanes.clear();
}

/** Creates count against the create limit: POST …/predictions or …/trainings. */
export function laneKind(method: string, path: string): LaneKind {
	const bare = path
		.replace(/^https?:\/\/[^/]*/i, '')
		.split(/[?#]/)[0]
		.replace(/\/+$/, '');
	return method === 'POST' && /\/(predictions|trainings)$/.test(bare) ? 'create' : 'other';
}
