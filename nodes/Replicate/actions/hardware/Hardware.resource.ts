import { simpleOperation } from '../simple';
import { defineResource } from '../types';

export const hardware = defineResource({
	name: 'Hardware',
	defaultOperation: 'getMany',
	operations: {
		getMany: {
			name: 'Get Many',
			action: 'Get many hardware options',
			description: 'List the hardware models can run on',
			// Replicate answers GET /hardware with a bare array, not a page.
			operation: simpleOperation({
				resource: 'hardware',
				operation: 'getMany',
				path: () => '/hardware',
			}),
		},
	},
});
