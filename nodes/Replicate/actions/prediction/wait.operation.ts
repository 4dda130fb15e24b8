import type { INodeProperties } from 'n8n-workflow';

import { getPrediction } from '../../../common/lifecycle/predictions';
import { pollSchedules } from '../../../common/lifecycle/schedule';
import { waitFor } from '../../../common/lifecycle/wait';
import { schemaOfPrediction } from '../../../common/models/targets';
import type { Operation } from '../types';
import { concurrencyOption, predictionIdField, waitAndOutputOptions } from './descriptions';
import { memo } from './input';
import { maxConcurrent, readWaitSettings } from './options';
import { outcomeItems } from './outcome';
import { readPredictionId } from '../../../common/readers';

const show = { show: { resource: ['prediction'], operation: ['wait'] } };

const description: INodeProperties[] = [
	{ ...predictionIdField, displayOptions: show },
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [...waitAndOutputOptions, concurrencyOption(50)],
	},
];

/** Prediction → Wait: wait for an existing prediction, with the same output handling as Run. */
export const wait: Operation = {
	description,
	concurrency: maxConcurrent(50),
	async execute(i, batch) {
		const settings = readWaitSettings(this, i);
		const id = readPredictionId(this, i);
		const deadline = Date.now() + settings.timeoutMs;
		const first = await getPrediction(this, id, i, { deadline, signal: batch.signal });
		const job = {
			ctx: this,
			itemIndex: i,
			signal: batch.signal,
			cancelOnTimeout: settings.cancelOnTimeout,
		};
		const outcome = await waitFor(job, first, {
			deadline,
			schedule: pollSchedules.soon(settings.maxPollMs),
		});
		const p = outcome.prediction;
		const openapi =
			settings.output.download || settings.output.simplify
				? await memo(batch, `schema:${String(p.model ?? '')}:${String(p.version ?? '')}`, () =>
						schemaOfPrediction(this, p, i),
					)
				: null;
		return await outcomeItems(this, outcome, { itemIndex: i, settings, openapi });
	},
};
