import type { INodeProperties } from 'n8n-workflow';

import { operationOptions, simpleOperation } from '../simple';

// Replicate answers GET /hardware with a bare array, not a page.
export const operations = {
	getMany: simpleOperation({ resource: 'hardware', operation: 'getMany', path: () => '/hardware' }),
};

export const description: INodeProperties[] = [
	operationOptions(
		'hardware',
		[
			{
				name: 'Get Many',
				value: 'getMany',
				action: 'Get many hardware options',
				description: 'List the hardware models can run on',
			},
		],
		'getMany',
	),
];
