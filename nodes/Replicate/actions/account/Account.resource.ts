import { simpleOperation } from '../simple';
import { defineResource } from '../types';

export const account = defineResource({
	name: 'Account',
	defaultOperation: 'get',
	operations: {
		get: {
			name: 'Get',
			action: 'Get the account',
			description: 'Get the account the API token belongs to',
			operation: simpleOperation({ resource: 'account', operation: 'get', path: () => '/account' }),
		},
	},
});
