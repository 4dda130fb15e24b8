import type { INodeProperties } from 'n8n-workflow';

import * as account from './account/Account.resource';
import * as hardware from './hardware/Hardware.resource';
import * as prediction from './prediction/Prediction.resource';

/** The node's parameters: the resource selector, then each resource's operations and fields. */
export const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Account', value: 'account' },
			{ name: 'Hardware', value: 'hardware' },
			{ name: 'Prediction', value: 'prediction' },
		],
		default: 'prediction',
	},
	...account.description,
	...hardware.description,
	...prediction.description,
];
