import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { createPrediction, isTerminal } from '../../helpers/predictions';
import { withDisplay } from '../simple';
import type { Batch, Operation } from '../types';
import { cancelAfterOption, concurrencyOption, encodingOption, targetAndInputFields, waitAndOutputOptions } from './fields';
import { finish, readCancelAfter, readConcurrency, readInput, readTarget, readWaitSettings, stopped, waitFor } from './shared';

const show = { show: { resource: ['prediction'], operation: ['run'] } };

const description: INodeProperties[] = [
	...withDisplay('prediction', 'run', targetAndInputFields),
	{
		displayName: 'Wait Mode',
		name: 'waitMode',
		type: 'options',
		displayOptions: show,
		options: [
			{ name: 'Sync, Then Poll', value: 'sync', description: 'Replicate holds the request up to a minute, then the node polls' },
			{
				name: 'Wait for Webhook (Suspend Execution)',
				value: 'webhook',
				description: 'For long runs: the execution waits without polling and Replicate\'s signed webhook resumes it. n8n must be reachable from Replicate.',
			},
		],
		default: 'sync',
	},
	{
		displayName: 'Replicate calls this n8n instance back when the prediction finishes, so its webhook URL must be reachable from the internet. One item per execution; the Timeout option is the longest wait (Replicate cancels the prediction then).',
		name: 'webhookNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { ...show.show, waitMode: ['webhook'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			...waitAndOutputOptions,
			{
				displayName: 'Sync Wait (Seconds)',
				name: 'syncWait',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 60 },
				default: 60,
				description: 'Replicate holds the create request up to this long and answers with the finished prediction (Prefer: wait). Longer runs are then polled.',
			},
			cancelAfterOption,
			encodingOption,
			concurrencyOption(50),
		],
	},
];

/**
 * Wait for Webhook: create the prediction with n8n's signed resume URL as its webhook (completed
 * only) and a Cancel-After of the timeout, try a sync hold first, then suspend the execution.
 * n8n does not run the node again when a wait expires, so the deadline is enforced by Replicate: it
 * cancels the prediction and its (canceled) webhook resumes the execution.
 */
export async function runAndSuspend(this: IExecuteFunctions, batch: Batch): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length > 1) {
		throw new NodeOperationError(this.getNode(), `"Wait for Webhook" handles one item per execution (got ${items.length})`, {
			description: 'Use "Sync, Then Poll", or run each item in its own execution (Execute Workflow node with "Run Once for Each Item").',
		});
	}
	const i = 0;
	const settings = readWaitSettings(this, i);
	const sync = Number(this.getNodeParameter('options.syncWait', i, 60));
	const userDeadline = readCancelAfter(this, i);
	const target = await readTarget(this, i, batch);
	const input = await readInput(this, i, target);
	const timeoutSeconds = Math.ceil(settings.timeoutMs / 1000);
	const created = await createPrediction(this, {
		path: target.createPath,
		body: { ...(target.version ? { version: target.version } : {}), input, webhook: this.getSignedResumeUrl(), webhook_events_filter: ['completed'] },
		syncSeconds: Math.max(1, Math.min(60, sync, timeoutSeconds)),
		cancelAfter: userDeadline ?? `${Math.max(5, timeoutSeconds)}s`,
		itemIndex: i,
	});
	if (batch.signal.aborted) await stopped(this, created, i);
	if (isTerminal(created)) {
		const out = await finish(this, created, target.openapi, settings, i, false);
		return [out.map((item) => ({ ...item, pairedItem: { item: 0 } }))];
	}
	// A margin past Replicate's deadline, so its canceled-webhook can still resume the execution.
	await this.putExecutionToWait(new Date(Date.now() + (timeoutSeconds + 300) * 1000));
	return [items];
}

/** Prediction → Run: create, wait (sync first, then poll), return the output and its files. */
export const run: Operation = {
	description,
	concurrency(this: IExecuteFunctions) {
		return readConcurrency(this, 50);
	},
	async execute(i, batch) {
		const settings = readWaitSettings(this, i);
		const sync = Number(this.getNodeParameter('options.syncWait', i, 60));
		if (!Number.isInteger(sync) || sync < 1 || sync > 60) {
			throw new NodeOperationError(this.getNode(), `The "Sync Wait (Seconds)" option must be a whole number from 1 to 60 (got ${sync}) [item ${i}]`, { itemIndex: i });
		}
		const cancelAfter = readCancelAfter(this, i, settings);
		const target = await readTarget(this, i, batch);
		const input = await readInput(this, i, target);
		if (batch.signal.aborted) throw new NodeOperationError(this.getNode(), 'Stopped before the prediction was created', { itemIndex: i });

		const started = Date.now();
		const deadline = started + settings.timeoutMs;
		const syncSeconds = Math.min(sync, Math.ceil(settings.timeoutMs / 1000));
		const created = await createPrediction(this, {
			path: target.createPath,
			body: target.version ? { version: target.version, input } : { input },
			syncSeconds,
			cancelAfter,
			itemIndex: i,
		});
		// Stopped during the hold: cancel what still runs. A finished prediction is paid for already, so
		// its result is kept (Retry On Fail reuses it; otherwise the node fails with the first error).
		if (batch.signal.aborted && !isTerminal(created)) await stopped(this, created, i);
		// Unfinished with no output yet: the hold ran out on a long run, so polls ramp up from a short
		// first interval to the cap (a run that ends just after the hold is noticed within a second or
		// three, at about one request per 5 s over the run). Unfinished with output: Replicate answered
		// early because the files are ready; poll soon.
		const longRun = created.output === null || created.output === undefined;
		const { prediction, timedOut } = isTerminal(created)
			? { prediction: created, timedOut: false }
			: await waitFor(this, created, i, batch, deadline, longRun ? 'afterHold' : 'soon', settings.maxPollMs);
		return await finish(this, prediction, target.openapi, settings, i, timedOut);
	},
};
