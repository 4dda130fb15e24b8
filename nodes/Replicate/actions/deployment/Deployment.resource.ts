import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readModelRef } from '../../helpers/modelRef';
import { resolveModel } from '../../helpers/targets';
import { deploymentLocator, modelLocator, versionLocator } from '../common.descriptions';
import { ownerName } from '../locators';
import { operationOptions, simpleOperation, withDisplay } from '../simple';
import type { Operation } from '../types';
import { apiRequest } from '../../transport';

const R = 'deployment';
const deployment = deploymentLocator();
const hardware: INodeProperties = {
	displayName: 'Hardware Name or ID',
	name: 'hardware',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getHardware' },
	default: 'cpu',
	description:
		'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
};
const instances = (
	name: string,
	displayName: string,
	max: number,
	def: number,
): INodeProperties => ({
	displayName,
	name,
	type: 'number',
	typeOptions: { minValue: 0, maxValue: max },
	default: def,
	description: `From 0 to ${max}`,
});

function checkInstances(ctx: IExecuteFunctions, i: number, body: IDataObject) {
	for (const [key, label, max] of [
		['min_instances', 'Min Instances', 5],
		['max_instances', 'Max Instances', 20],
	] as const) {
		const v = body[key];
		if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max)) {
			throw new NodeOperationError(
				ctx.getNode(),
				`The "${label}" parameter must be a whole number from 0 to ${max} (got ${v}) [item ${i}]`,
				{ itemIndex: i },
			);
		}
	}
	if (
		typeof body.min_instances === 'number' &&
		typeof body.max_instances === 'number' &&
		body.min_instances > body.max_instances
	) {
		throw new NodeOperationError(
			ctx.getNode(),
			`"Min Instances" (${body.min_instances}) is above "Max Instances" (${body.max_instances}) [item ${i}]`,
			{ itemIndex: i },
		);
	}
}

const create: Operation = {
	description: withDisplay(R, 'create', [
		{
			displayName: 'Name',
			name: 'name',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. my-image-generator',
		},
		modelLocator(),
		versionLocator(),
		{ ...hardware, required: true },
		instances('minInstances', 'Min Instances', 5, 0),
		instances('maxInstances', 'Max Instances', 20, 1),
	]),
	async execute(i) {
		const name = String(this.getNodeParameter('name', i, '')).trim();
		if (!/^[a-z0-9][a-z0-9_-]*$/.test(name))
			throw new NodeOperationError(
				this.getNode(),
				`The "Name" parameter "${name}" must use lowercase letters, numbers, dashes and underscores [item ${i}]`,
				{ itemIndex: i },
			);
		const ref = readModelRef(this, i);
		const version = ref.version ?? (await resolveModel(this, ref, i)).version;
		if (!version)
			throw new NodeOperationError(
				this.getNode(),
				`The model ${ref.owner}/${ref.name} has no version to deploy [item ${i}]`,
				{ itemIndex: i },
			);
		const body: IDataObject = {
			name,
			model: `${ref.owner}/${ref.name}`,
			version,
			hardware: this.getNodeParameter('hardware', i),
			min_instances: this.getNodeParameter('minInstances', i, 0),
			max_instances: this.getNodeParameter('maxInstances', i, 1),
		};
		checkInstances(this, i, body);
		return (
			await apiRequest.call(this, {
				method: 'POST',
				path: '/deployments',
				body,
				itemIndex: i,
				retry: 'create',
			})
		).body as IDataObject;
	},
};

const deploymentPath = function (this: IExecuteFunctions, i: number) {
	return `/deployments/${ownerName(this, 'deployment', 'Deployment', i)}`;
};

export const operations = {
	create,
	get: simpleOperation({
		resource: R,
		operation: 'get',
		path: deploymentPath,
		fields: [deployment],
	}),
	getMany: simpleOperation({
		resource: R,
		operation: 'getMany',
		list: true,
		path: () => '/deployments',
	}),
	update: simpleOperation({
		resource: R,
		operation: 'update',
		method: 'PATCH',
		retry: 'create', // every update makes a new release: not repeated after a 5xx
		path: deploymentPath,
		fields: [
			deployment,
			{
				displayName: 'Update Fields',
				name: 'updateFields',
				type: 'collection',
				placeholder: 'Add Field',
				default: {},
				options: [
					hardware,
					instances('maxInstances', 'Max Instances', 20, 1),
					instances('minInstances', 'Min Instances', 5, 0),
					{
						displayName: 'Version ID',
						name: 'version',
						type: 'string',
						default: '',
						description: 'A version of the same model',
					},
				],
			},
		],
		body(i) {
			const f = this.getNodeParameter('updateFields', i, {}) as IDataObject;
			const body: IDataObject = {};
			if (f.hardware) body.hardware = f.hardware;
			if (f.minInstances !== undefined) body.min_instances = f.minInstances;
			if (f.maxInstances !== undefined) body.max_instances = f.maxInstances;
			if (f.version) body.version = String(f.version).trim();
			if (!Object.keys(body).length)
				throw new NodeOperationError(
					this.getNode(),
					`Add at least one field under "Update Fields" [item ${i}]`,
					{ itemIndex: i },
				);
			checkInstances(this, i, body);
			return body;
		},
	}),
	delete: simpleOperation({
		resource: R,
		operation: 'delete',
		method: 'DELETE',
		retry: 'delete',
		path: deploymentPath,
		fields: [deployment],
		deleted: true,
	}),
};

export const description: INodeProperties[] = [
	operationOptions(
		R,
		[
			{
				name: 'Create',
				value: 'create',
				action: 'Create a deployment',
				description: 'Deploy a model version on hardware you choose, with its own endpoint',
			},
			{
				name: 'Delete',
				value: 'delete',
				action: 'Delete a deployment',
				description: 'Only deployments offline and unused for 15 minutes can be deleted',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a deployment',
				description: 'Get a deployment with its current release',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				action: 'Get many deployments',
				description: 'List your deployments',
			},
			{
				name: 'Update',
				value: 'update',
				action: 'Update a deployment',
				description: 'Change hardware, instances or version (creates a new release)',
			},
		],
		'get',
	),
	...Object.values(operations).flatMap((o) => o.description),
];
