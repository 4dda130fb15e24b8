import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readModelRef, readPredictionId } from '../../helpers/modelRef';
import { resolveModel } from '../../helpers/targets';
import { apiRequest } from '../../transport';
import { modelLocator, versionLocator } from '../common.descriptions';
import { jsonObject, readWebhook, webhookOptions } from '../locators';
import { operationOptions, simpleOperation, withDisplay } from '../simple';
import type { Operation } from '../types';

const R = 'training';
const trainingId: INodeProperties = {
	displayName: 'Training ID',
	name: 'trainingId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. zz4ibbonubfz7carwiefibzgga',
};

const create: Operation = {
	description: withDisplay(R, 'create', [
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
	]),
	async execute(i) {
		const ref = readModelRef(this, i);
		const version = ref.version ?? (await resolveModel(this, ref, i)).version;
		if (!version)
			throw new NodeOperationError(
				this.getNode(),
				`The model ${ref.owner}/${ref.name} has no version to train [item ${i}]`,
				{ itemIndex: i },
			);
		const destination = String(this.getNodeParameter('destination', i, '')).trim();
		if (!/^[\w.-]+\/[\w.-]+$/.test(destination))
			throw new NodeOperationError(
				this.getNode(),
				`The "Destination" parameter "${destination}" is not owner/name [item ${i}]`,
				{ itemIndex: i },
			);
		const body: IDataObject = {
			destination,
			input: jsonObject(
				this,
				'Input (JSON)',
				this.getNodeParameter('input', i, '{}'),
				i,
			) as IDataObject,
		};
		Object.assign(
			body,
			readWebhook(this, this.getNodeParameter('options', i, {}) as IDataObject, i),
		);
		const path = `/models/${encodeURIComponent(ref.owner)}/${encodeURIComponent(ref.name)}/versions/${encodeURIComponent(version)}/trainings`;
		return (
			await apiRequest.call(this, { method: 'POST', path, body, itemIndex: i, retry: 'create' })
		).body as IDataObject;
	},
};

export const operations = {
	create,
	get: simpleOperation({
		resource: R,
		operation: 'get',
		path(i) {
			return `/trainings/${readPredictionId(this, i, 'trainingId')}`;
		},
		fields: [trainingId],
	}),
	getMany: simpleOperation({
		resource: R,
		operation: 'getMany',
		list: true,
		path: () => '/trainings',
	}),
	cancel: simpleOperation({
		resource: R,
		operation: 'cancel',
		method: 'POST',
		retry: 'idempotent',
		path(i) {
			return `/trainings/${readPredictionId(this, i, 'trainingId')}/cancel`;
		},
		fields: [trainingId],
	}),
};

export const description: INodeProperties[] = [
	operationOptions(
		R,
		[
			{
				name: 'Cancel',
				value: 'cancel',
				action: 'Cancel a training',
				description: 'Cancel a running training',
			},
			{
				name: 'Create',
				value: 'create',
				action: 'Create a training',
				description: 'Fine-tune a model version into a model you own',
			},
			{ name: 'Get', value: 'get', action: 'Get a training', description: 'Get a training by ID' },
			{
				name: 'Get Many',
				value: 'getMany',
				action: 'Get many trainings',
				description: 'List your trainings, newest first',
			},
		],
		'get',
	),
	...Object.values(operations).flatMap((o) => o.description),
];
