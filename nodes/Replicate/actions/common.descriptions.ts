// Parameters shared across the Replicate node's resources: the Version locator, Return All / Limit.
// (The Model and Deployment pickers, shared with the chat model, are in shared/models/pickers.ts.)
import type { INodeProperties } from 'n8n-workflow';

export const versionLocator = (extra: Partial<INodeProperties> = {}): INodeProperties => ({
	displayName: 'Version',
	name: 'version',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	description: 'Leave empty to run the latest version',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Latest version',
			typeOptions: { searchListMethod: 'searchVersions', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 39ed52f2a78e934b3ba6e2a89f5b1c712de7dfea535525255b1aa35c5565e08b',
		},
	],
	...extra,
});

export const returnAllOrLimit: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];
