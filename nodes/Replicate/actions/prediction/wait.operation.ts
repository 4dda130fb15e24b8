import type { INodeProperties } from 'n8n-workflow';

import { readPredictionId } from '../../../shared/models/modelRef';
import { getPrediction } from '../../../shared/lifecycle/predictions';
import type { Operation } from '../types';
import { concurrencyOption, predictionIdField, waitAndOutputOptions } from './descriptions';
import { maxConcurrent, readWaitSettings } from './options';
import { finish, schemaOfPrediction, waitFor } from './waiting';

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
		const { prediction, timedOut } = await waitFor(
			this,
			first,
			i,
			batch,
			deadline,
			'soon',
			settings.maxPollMs,
		);
		const openapi =
			settings.output.download || settings.output.simplify
				? await schemaOfPrediction(this, prediction, i, batch)
				: null;
		return await finish(this, prediction, openapi, settings, i, timedOut);
	},
};
