// The waits the transport makes, in one place so tests can shorten them, and the one way to wait.
import { sleep } from 'n8n-workflow';

/**
 * The waits the node makes, in one place so tests can shorten them (`scale` multiplies every wait:
 * retry backoff, Retry-After, poll intervals). Production values; per process, never per credential.
 */
export const timings = {
	/** First backoff after a transient failure; doubles on each retry. */
	retryBaseMs: 500,
	/** Poll intervals after a sync hold ran out, before the Max Poll Interval cap takes over. */
	pollRampMs: [1000, 2000, 2500, 3500],
	/** First poll of a prediction that is not in a long run (it has output, or Wait just started). */
	firstPollMs: 250,
	scale: 1,
};

export const scaled = (ms: number) => Math.round(ms * timings.scale);

/**
 * Waits `ms`, or less when `signal` aborts (it resolves then; callers check `signal.aborted`).
 * n8n-workflow's sleepWithAbort leaves its abort listener behind after every normal wake-up, which
 * piles up over a long poll; this removes it.
 */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
	if (!signal) return await sleep(ms);
	if (signal.aborted) return;
	let onAbort = () => {};
	const aborted = new Promise<void>((resolve) => {
		onAbort = () => resolve();
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await Promise.race([sleep(ms), aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}
