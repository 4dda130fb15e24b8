import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { parseOwnerName } from '../../../shared/models/modelRef';
import { versionOrLatest } from '../../../shared/models/targets';
import { readJsonObject, readModelRef } from '../../../shared/readers';
import { apiRequest } from '../../../shared/transport';
import { modelLocator, versionLocator } from '../common.descriptions';
import { readWebhook, webhookOptions } from '../locators';
import { withDisplay } from '../simple';
import { jsonItems, type Operation } from '../types';

const description: INodeProperties[] = withDisplay('training', 'create', [
	modelLocator({ description: 'The trainable model' }),
	versionLocator({ description: 'The version to train; leave empty for the latest' }),
	{
		displayName: 'Destination',
		name: 'destination',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. my-username/my-fine-tune',
		description: 'The owner/name of a model you own; the trained version is pushed there',
	},
	{
		displayName: 'Input (JSON)',
		name: 'input',
		type: 'json',
		default: '{}',
		description: 'The training input',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [...webhookOptions],
	},
]);

/** Training → Create: fine-tune a model version into a model the user owns. */
export const create: Operation = {
	description,
	async execute(i) {
		const ref = readModelRef(this, i);
		const version = await versionOrLatest(this, ref, i, 'train');
		const destination = String(this.getNodeParameter('destination', i, '')).trim();
		if (!parseOwnerName(destination))
			throw new NodeOperationError(
				this.getNode(),
				`The "Destination" parameter "${destination}" is not owner/name`,
				{ itemIndex: i },
			);
		const input = readJsonObject(this, 'Input (JSON)', this.getNodeParameter('input', i, '{}'), i);
		const options = this.getNodeParameter('options', i, {}) as IDataObject;
		const body: IDataObject = { destination, input, ...readWebhook(this, options, i) };
		const model = `${encodeURIComponent(ref.owner)}/${encodeURIComponent(ref.name)}`;
		const path = `/models/${model}/versions/${encodeURIComponent(version)}/trainings`;
		const res = await apiRequest(this, {
			method: 'POST',
			path,
			body,
			itemIndex: i,
			retry: 'create',
		});
		return jsonItems(res.body);
	},
};
