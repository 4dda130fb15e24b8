import type { INodeProperties } from 'n8n-workflow';

import { operationOptions, simpleOperation } from '../simple';

export const operations = {
	getDefaultSecret: simpleOperation({
		resource: 'webhook',
		operation: 'getDefaultSecret',
		path: () => '/webhooks/default/secret',
	}),
};

export const description: INodeProperties[] = [
	operationOptions(
		'webhook',
		[
			{
				name: 'Get Default Signing Secret',
				value: 'getDefaultSecret',
				action: 'Get the default webhook signing secret',
				description: 'The whsec_ key Replicate signs webhook deliveries with',
			},
		],
		'getDefaultSecret',
	),
];
