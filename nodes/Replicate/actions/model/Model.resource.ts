import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { modelLocator } from '../common.descriptions';
import { httpUrl, modelPath } from '../locators';
import { operationOptions, simpleOperation } from '../simple';

const R = 'model';
const model = [modelLocator({ description: 'The model' })];

/** Models without their default example and the schema inside latest_version. */
export function simplifyModel(m: IDataObject): IDataObject {
	const out: IDataObject = { ...m };
	delete out.default_example;
	const v = m.latest_version as IDataObject | null | undefined;
	out.latest_version = v
		? { id: v.id, created_at: v.created_at, cog_version: v.cog_version }
		: null;
	return out;
}

const URL_FIELDS: Array<[string, string]> = [
	['githubUrl', 'github_url'],
	['paperUrl', 'paper_url'],
	['licenseUrl', 'license_url'],
	['coverImageUrl', 'cover_image_url'],
	['weightsUrl', 'weights_url'],
];
const urlField = (name: string, displayName: string): INodeProperties => ({
	displayName,
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
			urlField('coverImageUrl', 'Cover Image URL'),
			urlField('githubUrl', 'GitHub URL'),
			urlField('licenseUrl', 'License URL'),
			urlField('paperUrl', 'Paper URL'),
		],
	},
];

const updateFields: INodeProperties[] = [
	...model,
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{ displayName: 'Description', name: 'description', type: 'string', default: '' },
			urlField('githubUrl', 'GitHub URL'),
			urlField('licenseUrl', 'License URL'),
			urlField('paperUrl', 'Paper URL'),
			{
				displayName: 'README',
				name: 'readme',
				type: 'string',
				typeOptions: { rows: 6 },
				default: '',
				description: 'Markdown',
			},
			urlField('weightsUrl', 'Weights URL'),
		],
	},
];

function fieldsBody(ctx: IExecuteFunctions, collection: string, i: number): IDataObject {
	const f = ctx.getNodeParameter(collection, i, {}) as IDataObject;
	const body: IDataObject = {};
	if (f.description !== undefined) body.description = f.description;
	if (f.readme !== undefined) body.readme = f.readme;
	for (const [param, api] of URL_FIELDS) {
		const label = param.replace(/Url$/, ' URL').replace(/^./, (c) => c.toUpperCase());
		const v = httpUrl(ctx, label, f[param], i);
		if (v) body[api] = v;
	}
	return body;
}

export const operations = {
	search: simpleOperation({
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
				throw new NodeOperationError(this.getNode(), `The "Query" parameter is empty [item ${i}]`, {
					itemIndex: i,
				});
			const limit = Number(this.getNodeParameter('limit', i, 50));
			if (!Number.isInteger(limit) || limit < 1 || limit > 50)
				throw new NodeOperationError(
					this.getNode(),
					`The "Limit" parameter must be from 1 to 50 (got ${limit}) [item ${i}]`,
					{ itemIndex: i },
				);
			return { query, limit };
		},
		// One item per model, with Replicate's search metadata (score, tags, generated description).
		transform: (body) =>
			((body.models ?? []) as IDataObject[]).map((m) => ({
				...(m.model as IDataObject),
				search: m.metadata,
			})),
		simplify: simplifyModel,
	}),
	get: simpleOperation({
		resource: R,
		operation: 'get',
		path(i) {
			return `/models/${modelPath(this, i)}`;
		},
		fields: model,
		simplify: simplifyModel,
	}),
	getMany: simpleOperation({
		resource: R,
		operation: 'getMany',
		list: true,
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
	create: simpleOperation({
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
				throw new NodeOperationError(this.getNode(), `The "Owner" parameter is empty [item ${i}]`, {
					itemIndex: i,
				});
			if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) {
				throw new NodeOperationError(
					this.getNode(),
					`The "Name" parameter "${name}" must use lowercase letters, numbers, dashes, underscores and periods [item ${i}]`,
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
	update: simpleOperation({
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
	delete: simpleOperation({
		resource: R,
		operation: 'delete',
		method: 'DELETE',
		retry: 'delete',
		path(i) {
			return `/models/${modelPath(this, i)}`;
		},
		fields: model,
		deleted: true,
	}),
	getReadme: simpleOperation({
		resource: R,
		operation: 'getReadme',
		path(i) {
			return `/models/${modelPath(this, i)}/readme`;
		},
		fields: model,
		text: true,
	}),
	getExamples: simpleOperation({
		resource: R,
		operation: 'getExamples',
		list: true,
		path(i) {
			return `/models/${modelPath(this, i)}/examples`;
		},
		fields: model,
	}),
};

export const description: INodeProperties[] = [
	operationOptions(
		R,
		[
			{
				name: 'Create',
				value: 'create',
				action: 'Create a model',
				description: 'Create a model to push versions to or train into',
			},
			{
				name: 'Delete',
				value: 'delete',
				action: 'Delete a model',
				description: 'Delete a private model that has no versions',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a model',
				description: 'Get a model with its latest version',
			},
			{
				name: 'Get Examples',
				value: 'getExamples',
				action: 'Get examples of a model',
				description: "Get the example predictions the model's author chose",
			},
			{
				name: 'Get Many',
				value: 'getMany',
				action: 'Get many models',
				description: 'List public models',
			},
			{
				name: 'Get README',
				value: 'getReadme',
				action: 'Get the README of a model',
				description: "Get the model's README as Markdown",
			},
			{
				name: 'Search',
				value: 'search',
				action: 'Search models',
				description: "Search public models with Replicate's search",
			},
			{
				name: 'Update',
				value: 'update',
				action: 'Update a model',
				description: "Change a model's description, README or links",
			},
		],
		'get',
	),
	...Object.values(operations).flatMap((o) => o.description),
];
