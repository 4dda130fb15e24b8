import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { createPrediction, isTerminal } from '../../helpers/predictions';
import type { Operation } from '../types';
import { cancelAfterOption, concurrencyOption, encodingOption, targetAndInputFields, waitAndOutputOptions } from './fields';
import { finish, readCancelAfter, readInput, readTarget, readWaitSettings, stopped, waitFor } from './shared';

const show = { show: { resource: ['prediction'], operation: ['run'] } };

const description: INodeProperties[] = [
	...targetAndInputFields.map((p) => ({ ...p, displayOptions: { show: { ...show.show, ...(p.displayOptions?.show ?? {}) } } })),
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

/** Prediction → Run: create, wait (sync first, then poll), return the output and its files. */
export const run: Operation = {
	description,
	concurrency(this: IExecuteFunctions) {
		return Math.max(1, Number(this.getNodeParameter('options.maxConcurrency', 0, 50)) || 50);
	},
	async execute(i, batch) {
		const settings = readWaitSettings(this, i);
		const sync = Number(this.getNodeParameter('options.syncWait', i, 60));
		if (!Number.isInteger(sync) || sync < 1 || sync > 60) {
			throw new NodeOperationError(this.getNode(), `The "Sync Wait (Seconds)" option must be a whole number from 1 to 60 (got ${sync}) [item ${i}]`, { itemIndex: i });
		}
		const cancelAfter = readCancelAfter(this, i);
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
		if (batch.signal.aborted) await stopped(this, created, i);
		// A create that held the full sync time is a long run: poll at the slow end right away.
		const heldFull = Date.now() - started >= syncSeconds * 1000 - 500;
		const { prediction, timedOut } = isTerminal(created)
			? { prediction: created, timedOut: false }
			: await waitFor(this, created, i, batch, deadline, heldFull ? settings.maxPollMs : 250, settings.maxPollMs);
		return await finish(this, prediction, target.openapi, settings, i, timedOut);
	},
};
