import type { INodeProperties } from 'n8n-workflow';

import { operationOptions, simpleOperation } from '../simple';

export const operations = {
	get: simpleOperation({ resource: 'account', operation: 'get', path: () => '/account' }),
};

export const description: INodeProperties[] = [
	operationOptions(
		'account',
		[
			{
				name: 'Get',
				value: 'get',
				action: 'Get the account',
				description: 'Get the account the API token belongs to',
			},
		],
		'get',
	),
];
