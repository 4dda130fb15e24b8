// Retry On Fail never pays twice, at scale (issue 26): 20,000 items in one batch and two executions of
// 6,000 at once, through n8n-core's WorkflowExecute (its real retry loop) against the emulator with an
// instant model and the pace scaled far down. 32,000 creates take minutes, so these run in
// `npm run test:scale` (CI runs it), not in `npm test`; retryLedger.test.ts holds the rest.
import type { INodeExecutionData } from 'n8n-workflow';

import { runNode } from '../../harness/n8n';
import { useRetryBatches } from '../../helpers/retryBatches';
import { ledgerSize } from '../../../nodes/Replicate/helpers/retryLedger';

const { ctx, credentials: creds, creates, batch, params, retry } = useRetryBatches();
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
