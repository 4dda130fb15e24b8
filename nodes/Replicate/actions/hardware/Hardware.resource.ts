import type { INodeProperties } from 'n8n-workflow';

import { getMany } from './getMany.operation';

export const operations = { getMany };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['hardware'] } },
		options: [{ name: 'Get Many', value: 'getMany', action: 'Get many hardware options', description: 'List the hardware models can run on' }],
		default: 'getMany',
	},
];
