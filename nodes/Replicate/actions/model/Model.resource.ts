import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { httpUrl, modelPath, objectAt } from '../../../common/readers';
import { modelLocator } from '../../../common/models/pickers';
import { simpleOperation } from '../simple';
import { defineResource } from '../types';

const R = 'model';
const modelField = [modelLocator({ description: 'The model' })];

/** Models without their default example and the schema inside latest_version. */
export function simplifyModel(m: IDataObject): IDataObject {
	const out: IDataObject = { ...m };
	delete out.default_example;
	const v = objectAt(m, 'latest_version');
	out.latest_version = v
		? { id: v.id, created_at: v.created_at, cog_version: v.cog_version }
		: null;
	return out;
}

/** The link fields: parameter name, Replicate's field, and the displayName errors use. */
const URL_FIELDS = {
	coverImageUrl: ['cover_image_url', 'Cover Image URL'],
	githubUrl: ['github_url', 'GitHub URL'],
	licenseUrl: ['license_url', 'License URL'],
	paperUrl: ['paper_url', 'Paper URL'],
	weightsUrl: ['weights_url', 'Weights URL'],
} as const;
type UrlField = keyof typeof URL_FIELDS;
const urlField = (name: UrlField): INodeProperties => ({
	displayName: URL_FIELDS[name][1],
	name,
	type: 'string',
	default: '',
	placeholder: 'e.g. https://…',
});

const createFields: INodeProperties[] = [
	{
		displayName: 'Owner',
		name: 'owner',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. my-username',
		description: 'Your username or an organization you belong to',
	},
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. my-fine-tune',
		description: 'Lowercase letters, numbers, dashes, underscores and periods',
	},
	{
		displayName: 'Visibility',
		name: 'visibility',
		type: 'options',
		options: [
			{ name: 'Private', value: 'private' },
			{ name: 'Public', value: 'public' },
		],
		default: 'private',
	},
	{
		displayName: 'Hardware Name or ID',
		name: 'hardware',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getHardware' },
		default: 'cpu',
		required: true,
		description:
			'Hardware the model runs on. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{ displayName: 'Description', name: 'description', type: 'string', default: '' },
			urlField('coverImageUrl'),
			urlField('githubUrl'),
			urlField('licenseUrl'),
			urlField('paperUrl'),
		],
	},
];

const updateFields: INodeProperties[] = [
	...modelField,
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{ displayName: 'Description', name: 'description', type: 'string', default: '' },
			urlField('githubUrl'),
			urlField('licenseUrl'),
			urlField('paperUrl'),
			{
				displayName: 'README',
				name: 'readme',
				type: 'string',
				typeOptions: { rows: 6 },
				default: '',
				description: 'Markdown',
			},
			urlField('weightsUrl'),
		],
	},
];

function fieldsBody(ctx: IExecuteFunctions, collection: string, i: number): IDataObject {
	const f = ctx.getNodeParameter(collection, i, {}) as IDataObject;
	const body: IDataObject = {};
	if (f.description !== undefined) body.description = f.description;
	if (f.readme !== undefined) body.readme = f.readme;
	for (const [param, [api, displayName]] of Object.entries(URL_FIELDS)) {
		const v = httpUrl(ctx, displayName, f[param], i);
		if (v) body[api] = v;
	}
	return body;
}

export const model = defineResource({
	name: 'Model',
	defaultOperation: 'get',
	operations: {
		create: {
			name: 'Create',
			action: 'Create a model',
			description: 'Create a model to push versions to or train into',
			operation: simpleOperation({
				resource: R,
				operation: 'create',
				method: 'POST',
				retry: 'create',
				path: () => '/models',
				fields: createFields,
				body(i) {
					const name = String(this.getNodeParameter('name', i, '')).trim();
					const owner = String(this.getNodeParameter('owner', i, '')).trim();
					if (!owner)
						throw new NodeOperationError(this.getNode(), `The "Owner" parameter is empty`, {
							itemIndex: i,
						});
					if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) {
						throw new NodeOperationError(
							this.getNode(),
							`The "Name" parameter "${name}" must use lowercase letters, numbers, dashes, underscores and periods`,
							{ itemIndex: i },
						);
					}
					return {
						owner,
						name,
						visibility: this.getNodeParameter('visibility', i),
						hardware: this.getNodeParameter('hardware', i),
						...fieldsBody(this, 'additionalFields', i),
					};
				},
			}),
		},
		delete: {
			name: 'Delete',
			action: 'Delete a model',
			description: 'Delete a private model that has no versions',
			operation: simpleOperation({
				resource: R,
				operation: 'delete',
				method: 'DELETE',
				retry: 'delete',
				path(i) {
					return `/models/${modelPath(this, i)}`;
				},
				fields: modelField,
				response: 'deleted',
			}),
		},
		get: {
			name: 'Get',
			action: 'Get a model',
			description: 'Get a model with its latest version',
			operation: simpleOperation({
				resource: R,
				operation: 'get',
				path(i) {
					return `/models/${modelPath(this, i)}`;
				},
				fields: modelField,
				simplify: simplifyModel,
			}),
		},
		getExamples: {
			name: 'Get Examples',
			action: 'Get examples of a model',
			description: "Get the example predictions the model's author chose",
			operation: simpleOperation({
				resource: R,
				operation: 'getExamples',
				response: 'list',
				path(i) {
					return `/models/${modelPath(this, i)}/examples`;
				},
				fields: modelField,
			}),
		},
		getMany: {
			name: 'Get Many',
			action: 'Get many models',
			description: 'List public models',
			operation: simpleOperation({
				resource: R,
				operation: 'getMany',
				response: 'list',
				path: () => '/models',
				fields: [
					{
						displayName: 'Sort By',
						name: 'sortBy',
						type: 'options',
						options: [
							{ name: 'Latest Version Created At', value: 'latest_version_created_at' },
							{ name: 'Model Created At', value: 'model_created_at' },
						],
						default: 'latest_version_created_at',
					},
					{
						displayName: 'Sort Direction',
						name: 'sortDirection',
						type: 'options',
						options: [
							{ name: 'Descending', value: 'desc' },
							{ name: 'Ascending', value: 'asc' },
						],
						default: 'desc',
					},
				],
				qs(i) {
					return {
						sort_by: this.getNodeParameter('sortBy', i, 'latest_version_created_at'),
						sort_direction: this.getNodeParameter('sortDirection', i, 'desc'),
					};
				},
				simplify: simplifyModel,
			}),
		},
		getReadme: {
			name: 'Get README',
			action: 'Get the README of a model',
			description: "Get the model's README as Markdown",
			operation: simpleOperation({
				resource: R,
				operation: 'getReadme',
				path(i) {
					return `/models/${modelPath(this, i)}/readme`;
				},
				fields: modelField,
				response: 'text',
			}),
		},
		search: {
			name: 'Search',
			action: 'Search models',
			description: "Search public models with Replicate's search",
			operation: simpleOperation({
				resource: R,
				operation: 'search',
				path: () => '/search',
				fields: [
					{
						displayName: 'Query',
						name: 'query',
						type: 'string',
						default: '',
						required: true,
						placeholder: 'e.g. upscale image',
					},
					{
						displayName: 'Limit',
						name: 'limit',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 50 },
						default: 50,
						description: 'Max number of results to return',
					},
				],
				qs(i) {
					const query = String(this.getNodeParameter('query', i, '')).trim();
					if (!query)
						throw new NodeOperationError(this.getNode(), `The "Query" parameter is empty`, {
							itemIndex: i,
						});
					const limit = Number(this.getNodeParameter('limit', i, 50));
					if (!Number.isInteger(limit) || limit < 1 || limit > 50)
						throw new NodeOperationError(
							this.getNode(),
							`The "Limit" parameter must be from 1 to 50 (got ${limit})`,
							{ itemIndex: i },
						);
					return { query, limit };
				},
				// One item per model, with Replicate's search metadata (score, tags, generated description).
				response: {
					transform: (body) =>
						((body.models ?? []) as IDataObject[]).map((m) => ({
							...objectAt(m, 'model'),
							search: m.metadata,
						})),
				},
				simplify: simplifyModel,
			}),
		},
		update: {
			name: 'Update',
			action: 'Update a model',
			description: "Change a model's description, README or links",
			operation: simpleOperation({
				resource: R,
				operation: 'update',
				method: 'PATCH',
				retry: 'idempotent',
				path(i) {
					return `/models/${modelPath(this, i)}`;
				},
				fields: updateFields,
				body(i) {
					return fieldsBody(this, 'updateFields', i);
				},
			}),
		},
	},
});
