import { simpleOperation } from '../simple';
import { defineResource } from '../types';

export const webhook = defineResource({
	name: 'Webhook',
	defaultOperation: 'getDefaultSecret',
	operations: {
		getDefaultSecret: {
			name: 'Get Default Signing Secret',
			action: 'Get the default webhook signing secret',
			description: 'The whsec_ key Replicate signs webhook deliveries with',
			operation: simpleOperation({
				resource: 'webhook',
				operation: 'getDefaultSecret',
				path: () => '/webhooks/default/secret',
			}),
		},
	},
});
