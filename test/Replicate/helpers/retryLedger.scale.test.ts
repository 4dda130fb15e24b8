// Retry On Fail never pays twice, at scale (issue 26): 20,000 items in one batch and two executions of
// 6,000 at once, through n8n-core's WorkflowExecute (its real retry loop) against the emulator with an
// instant model and the pace scaled far down. 32,000 creates take minutes, so these run in
// `npm run test:scale` (CI runs it), not in `npm test`; retryLedger.test.ts holds the rest.
import type { INodeExecutionData } from 'n8n-workflow';

import { replicateCredentials, runNode } from '../../harness/n8n';
import { useEmulator } from '../../helpers/emulator';
import { runParams } from '../../helpers/params';
import { ledgerSize } from '../../../nodes/Replicate/helpers/retryLedger';
import { resetPacing, timings } from '../../../nodes/shared/transport';

// Instant runs; responses are not checked against the spec here (other files do), to keep 32,000
// creates quick.
const ctx = useEmulator({ speed: 100, startupMs: 0, validateResponses: false });
const creds = () => replicateCredentials(ctx.emu.baseUrl, ctx.emu.token);
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

const retry = { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 };
const creates = () =>
	ctx.emu.requests().filter((r) => /predictions\.create$/.test(r.operationId ?? '')).length;
const batch = (n: number, tag: string) =>
	Array.from({ length: n }, (_, i) => ({ json: { label: `${tag}-${i}` } }));
const params = runParams(
	'emulator/sleep',
	{ seconds: 0 },
	{ download: false, maxConcurrency: 200 },
);
/** Each output item carries its own prediction, and the emulator made no other. */
function expectOnePredictionEach(items: INodeExecutionData[], made: number) {
	expect(items.every((i) => i.json.status === 'succeeded')).toBe(true);
	expect(new Set(items.map((i) => i.json.id)).size).toBe(items.length);
	expect(made).toBe(items.length);
}

describe('Retry On Fail at scale: one prediction per item', () => {
	test('a 20,000-item batch whose last create fails once: the retry makes one more prediction, not 20,000', async () => {
		const before = creates();
		const predictions = ctx.emu.store.predictions.size;
		ctx.emu.addFault({ method: 'POST', path: /\/predictions$/, nth: 20_000, status: 422 });
		const { items, error } = await runNode({
			parameters: params,
			credentials: creds(),
			input: batch(20_000, 'big'),
			nodeSettings: retry,
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(20_000);
		expectOnePredictionEach(items, ctx.emu.store.predictions.size - predictions);
		expect(creates() - before).toBe(20_001); // 20,000 + the one refused, repeated
		expect(ledgerSize()).toEqual({ runs: 0, entries: 0, bytes: 0 }); // the run succeeded: forgotten
	}, 480_000);

	test('two executions of 6,000 items at once, each with failed creates: each item predicted once', async () => {
		const before = creates();
		const predictions = ctx.emu.store.predictions.size;
		// Two creates fail (the 5,000th and the 11,000th overall, whichever execution sent them).
		ctx.emu.addFault({ method: 'POST', path: /\/predictions$/, nth: 5_000, status: 422 });
		ctx.emu.addFault({ method: 'POST', path: /\/predictions$/, nth: 11_000, status: 422 });
		const [a, b] = await Promise.all(
			['twoA', 'twoB'].map((tag) =>
				runNode({
					parameters: params,
					credentials: creds(),
					input: batch(6_000, tag),
					nodeSettings: retry,
				}),
			),
		);
		expect(a.error).toBeUndefined();
		expect(b.error).toBeUndefined();
		expect(a.items).toHaveLength(6_000);
		expect(b.items).toHaveLength(6_000);
		expectOnePredictionEach([...a.items, ...b.items], ctx.emu.store.predictions.size - predictions);
		expect(creates() - before).toBe(12_002);
		expect(ledgerSize()).toEqual({ runs: 0, entries: 0, bytes: 0 });
	}, 480_000);
});
