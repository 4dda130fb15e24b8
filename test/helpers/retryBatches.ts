// Batches of items through the Run operation with Retry On Fail, for the retry-ledger tests (the
// in-process ones and the scale ones): the emulator with an instant model and the node's waits and
// pace scaled far down, and counters of what the emulator created.
import { replicateCredentials } from '../harness/n8n';
import { useEmulator } from './emulator';
import { runParams } from './params';
import { resetPacing, timings } from '../../nodes/common/transport';

export function useRetryBatches() {
	// Instant runs; responses are not checked against the spec here (other files do), to keep tens of
	// thousands of creates quick.
	const ctx = useEmulator({ speed: 100, startupMs: 0, validateResponses: false });
	const saved = { ...timings };
	beforeAll(() => {
		// 20,000 creates at Replicate's pace would take half an hour: the pace (and every other wait)
		// runs 100 times faster here, faster than these creates can go. (Much faster, and the backoff of
		// a poll's retries after a dropped connection ends before the machine recovers.)
		timings.scale = 1 / 100;
		resetPacing();
	});
	afterAll(() => {
		Object.assign(timings, saved);
		resetPacing();
	});
	return {
		ctx,
		credentials: () => replicateCredentials(ctx.emu.baseUrl, ctx.emu.token),
		/** How many prediction creates reached the emulator so far (refused ones included). */
		creates: () =>
			ctx.emu.requests().filter((r) => /predictions\.create$/.test(r.operationId ?? '')).length,
		batch: (n: number, tag: string) =>
			Array.from({ length: n }, (_, i) => ({ json: { label: `${tag}-${i}` } })),
		params: runParams('emulator/sleep', { seconds: 0 }, { download: false, maxConcurrency: 200 }),
		retry: { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 },
	};
}
