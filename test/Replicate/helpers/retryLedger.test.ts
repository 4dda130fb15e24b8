// Retry On Fail never pays twice (issue 26): the ledger keeps every succeeded item of a run n8n may
// still retry, however many, and forgets a run as soon as n8n cannot retry it, so its memory is the
// size of the runs in flight. The batch tests run through n8n-core's WorkflowExecute (its real retry
// loop) against the emulator with an instant model and the pace scaled far down.
import type { IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

import { runNode } from '../../harness/n8n';
import { useRetryBatches } from '../../helpers/retryBatches';
import { ledgerSize, retryLedger } from '../../../nodes/Replicate/helpers/retryLedger';

const { ctx, credentials: creds, creates, batch, params, retry } = useRetryBatches();

describe('Retry On Fail: a run n8n cannot retry any more', () => {
	test('a run whose every try fails is forgotten after its last try', async () => {
		const before = creates();
		ctx.emu.addFault({ method: 'POST', path: /\/predictions$/, status: 422 });
		const { error } = await runNode({
			parameters: params,
			credentials: creds(),
			input: batch(3, 'fails'),
			nodeSettings: retry,
		});
		expect(error).toBeDefined();
		expect(creates() - before).toBe(3 * 3); // three items, three tries
		expect(ledgerSize()).toEqual({ runs: 0, entries: 0, bytes: 0 });
	});
});

/** A context for one run of a node: what retryLedger reads. */
function fakeContext(executionId: string, items: INodeExecutionData[], node: Partial<INode> = {}) {
	const full = {
		id: 'node-1',
		name: 'Replicate',
		parameters: {},
		retryOnFail: true,
		maxTries: 3,
		waitBetweenTries: 1000,
		...node,
	} as INode;
	return {
		getNode: () => full,
		getExecutionId: () => executionId,
		getWorkflowDataProxy: () => ({ $runIndex: 0 }),
		getWorkflow: () => ({ id: 'wf' }),
		getInputData: () => items,
	} as unknown as IExecuteFunctions;
}

describe('the ledger holds only runs n8n may still retry', () => {
	const out = (i: number, kb: number) => [{ json: { i, text: 'x'.repeat(kb * 1024) } }];
	afterEach(() => jest.restoreAllMocks());

	test('memory is the size of the runs in flight, and goes back to nothing when they end', () => {
		const items = batch(500, 'mem');
		const peaks: number[] = [];
		for (let run = 0; run < 40; run++) {
			const ledger = retryLedger(fakeContext(`m${run}`, items))!;
			for (let i = 0; i < items.length; i++) ledger.set(i, out(i, 1));
			peaks.push(ledgerSize().bytes);
			ledger.end(true); // a try failed: n8n tries again
			const second = retryLedger(fakeContext(`m${run}`, items))!;
			expect(second.get(7)).toEqual(out(7, 1)); // kept for the retry
			second.end(run % 2 === 0); // then succeeds, or fails again (two tries left of three)
			if (run % 2 === 0) retryLedger(fakeContext(`m${run}`, items))!.end(true); // last try
		}
		// One run of 500 items × 1 KiB at a time: its bytes, about 1 MiB as UTF-16, whatever the number of runs.
		expect(Math.max(...peaks)).toBeGreaterThan(500 * 1024 * 2);
		expect(Math.max(...peaks)).toBeLessThan(500 * 1024 * 2 * 1.2);
		expect(ledgerSize()).toEqual({ runs: 0, entries: 0, bytes: 0 });
	});

	test('a run whose next try never comes (stopped between tries) is dropped once that try is overdue', () => {
		const now = jest.spyOn(Date, 'now');
		now.mockReturnValue(1_000_000);
		const items = batch(3, 'stop');
		const ledger = retryLedger(fakeContext('stopped', items, { waitBetweenTries: 5000 }))!;
		ledger.set(0, out(0, 1));
		ledger.end(true);
		// Long after the wait, but within the grace: another run starting still finds it kept.
		now.mockReturnValue(1_000_000 + 5000 + 59_000);
		retryLedger(fakeContext('other', items))!.end(false);
		expect(ledgerSize().runs).toBe(1);
		now.mockReturnValue(1_000_000 + 5000 + 61_000);
		retryLedger(fakeContext('other2', items))!.end(false);
		expect(ledgerSize()).toEqual({ runs: 0, entries: 0, bytes: 0 });
	});

	test('an item whose input changed between tries is not taken from the ledger', () => {
		const items = batch(2, 'chg');
		const ledger = retryLedger(fakeContext('chg', items))!;
		ledger.set(0, out(0, 1));
		ledger.set(1, out(1, 1));
		ledger.end(true);
		const changed = [items[0], { json: { label: 'something else' } }];
		const next = retryLedger(fakeContext('chg', changed))!;
		expect(next.get(0)).toEqual(out(0, 1));
		expect(next.get(1)).toBeUndefined();
		next.end(false);
	});

	test('without Retry On Fail there is no ledger', () => {
		expect(
			retryLedger(fakeContext('off', batch(1, 'off'), { retryOnFail: false })),
		).toBeUndefined();
	});
});
