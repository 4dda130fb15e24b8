// Parameters shared across resources: resource locators, Return All / Limit.
import type { INodeProperties } from 'n8n-workflow';

export const modelLocator = (extra: Partial<INodeProperties> = {}): INodeProperties => ({
	displayName: 'Model',
	name: 'model',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The model to run. Official models run without a version.',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Search models…',
			typeOptions: { searchListMethod: 'searchModels', searchable: true },
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'e.g. https://replicate.com/black-forest-labs/flux-schnell',
			extractValue: { type: 'regex', regex: 'https?://[^/]+/([^/?#]+/[^/?#]+)' },
			validation: [
				{
					type: 'regex',
					properties: {
						regex: 'https?://[^/]+/[^/?#]+/[^/?#]+.*',
						errorMessage: 'Not a model URL (https://replicate.com/owner/name)',
					},
				},
			],
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. black-forest-labs/flux-schnell or owner/name:version',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '^[^/\\s]+/[^/:\\s]+(:[^\\s]+)?$',
						errorMessage: 'Use owner/name or owner/name:version',
					},
				},
			],
		},
	],
	...extra,
});

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

export const deploymentLocator = (extra: Partial<INodeProperties> = {}): INodeProperties => ({
	displayName: 'Deployment',
	name: 'deployment',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a deployment…',
			typeOptions: { searchListMethod: 'searchDeployments', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. acme/image-generator',
			validation: [
				{
					type: 'regex',
					properties: { regex: '^[^/\\s]+/[^/\\s]+$', errorMessage: 'Use owner/name' },
				},
			],
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
