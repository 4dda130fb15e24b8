import type { INodeProperties } from 'n8n-workflow';

import { resources } from './resources';

/** The node's parameters: the resource selector, then each resource's operations and fields. */
export const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Account', value: 'account' },
			{ name: 'Collection', value: 'collection' },
			{ name: 'Deployment', value: 'deployment' },
			{ name: 'File', value: 'file' },
			{ name: 'Hardware', value: 'hardware' },
			{ name: 'Model', value: 'model' },
			{ name: 'Model Version', value: 'modelVersion' },
			{ name: 'Prediction', value: 'prediction' },
			{ name: 'Training', value: 'training' },
			{ name: 'Webhook', value: 'webhook' },
		],
		default: 'prediction',
	},
	...Object.values(resources).flatMap((r) => r.description),
];
