import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { formatPrediction } from '../../../common/files/output';
import { redactSecrets, secretsOf } from '../../../common/models/secrets';
import { createPrediction } from '../../../common/lifecycle/predictions';
import { readWebhook, webhookOptions } from '../locators';
import { withDisplay } from '../simple';
import { jsonItems, type Operation } from '../types';
import {
	cancelAfterOption,
	concurrencyOption,
	encodingOption,
	targetAndInputFields,
} from './descriptions';
import { readInput, readTarget } from './input';
import { maxConcurrent, readCancelAfter } from './options';

const show = { show: { resource: ['prediction'], operation: ['create'] } };

const description: INodeProperties[] = [
	...withDisplay('prediction', 'create', targetAndInputFields),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [...webhookOptions, cancelAfterOption, encodingOption, concurrencyOption(10)],
	},
];

/** Prediction → Create: start a prediction and return at once. */
export const create: Operation = {
	description,
	concurrency: maxConcurrent(10),
	async execute(i, batch) {
		const options = this.getNodeParameter('options', i, {}) as IDataObject;
		const body = readWebhook(this, options, i);
		const cancelAfter = readCancelAfter(this, i);
		const target = await readTarget(this, i, batch);
		const input = await readInput(this, i, target);
		if (target.version) body.version = target.version;
		body.input = input;
		const p = await createPrediction(this, {
			path: target.createPath,
			body,
			cancelAfter,
			itemIndex: i,
			signal: batch.signal,
		});
		return jsonItems(formatPrediction(redactSecrets(p, secretsOf(target.openapi, p.input)), true));
	},
};
