// The waits the transport makes, in one place so tests can shorten them, and the one way to wait.
import { sleep } from 'n8n-workflow';

/**
 * The waits the node makes, in one place so tests can shorten them (`scale` multiplies every wait:
 * retry backoff, Retry-After, poll intervals). The poll schedules themselves are named beside the
 * lifecycle (lifecycle/schedule.ts). Production values; per process, never per credential.
 */
export const timings = {
	/** First backoff after a transient failure; doubles on each retry. */
	retryBaseMs: 500,
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
