// The Model and Deployment pickers the Replicate node and the chat model share: their resource
// locators and the searches behind their lists.
import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchResult,
	INodeProperties,
} from 'n8n-workflow';

import { objectAt } from '../readers';
import { apiRequest } from '../transport';

type Page = { results?: IDataObject[]; next?: string | null };

/** One page of a Replicate list (`path`, or the `next` cursor of the page before), for a picker. */
export const listPage = (ctx: ILoadOptionsFunctions, path: string, qs?: IDataObject) =>
	apiRequest<Page>(ctx, {
		method: 'GET',
		path,
		qs,
		retry: 'read',
	});

const modelResult = (m: IDataObject) => ({
	name: `${m.owner}/${m.name}`,
	value: `${m.owner}/${m.name}`,
	url: m.url as string | undefined,
	description: (m.description as string | null) ?? undefined,
});

/** Models: Replicate's search (GET /search) when the user types, else the paginated model list. */
export async function searchModels(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	if (filter?.trim()) {
		const res = await apiRequest<{ models?: Array<{ model: IDataObject }> }>(this, {
			method: 'GET',
			path: '/search',
			qs: { query: filter.trim(), limit: 50 },
			retry: 'read',
		});
		return { results: (res.body.models ?? []).map((r) => modelResult(r.model)) };
	}
	const res = await listPage(this, paginationToken ?? '/models');
	return {
		results: (res.body.results ?? []).map(modelResult),
		paginationToken: res.body.next ?? undefined,
	};
}

export async function searchDeployments(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const res = await listPage(this, paginationToken ?? '/deployments');
	const results = (res.body.results ?? [])
		.map((d) => ({
			name: `${d.owner}/${d.name}`,
			value: `${d.owner}/${d.name}`,
			description: String(objectAt(d, 'current_release')?.model ?? ''),
		}))
		.filter((d) => !filter || d.name.toLowerCase().includes(filter.toLowerCase()));
	return { results, paginationToken: res.body.next ?? undefined };
}

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
