import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { deploymentLocator } from '../../../common/models/pickers';
import { simpleOperation } from '../simple';
import { defineResource } from '../types';
import { create } from './create.operation';
import { checkInstances, hardwareField, instancesField } from './hardwareAndInstances';
import { readDeploymentRef } from '../../../common/readers';

const R = 'deployment';
const deploymentField = deploymentLocator();

const deploymentPath = function (this: IExecuteFunctions, i: number) {
	const { owner, name } = readDeploymentRef(this, i);
	return `/deployments/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
};

export const deployment = defineResource({
	name: 'Deployment',
	defaultOperation: 'get',
	operations: {
		create: {
			name: 'Create',
			action: 'Create a deployment',
			description: 'Deploy a model version on hardware you choose, with its own endpoint',
			operation: create,
		},
		delete: {
			name: 'Delete',
			action: 'Delete a deployment',
			description: 'Only deployments offline and unused for 15 minutes can be deleted',
			operation: simpleOperation({
				resource: R,
				operation: 'delete',
				method: 'DELETE',
				retry: 'delete',
				path: deploymentPath,
				fields: [deploymentField],
				response: 'deleted',
			}),
		},
		get: {
			name: 'Get',
			action: 'Get a deployment',
			description: 'Get a deployment with its current release',
			operation: simpleOperation({
				resource: R,
				operation: 'get',
				path: deploymentPath,
				fields: [deploymentField],
			}),
		},
		getMany: {
			name: 'Get Many',
			action: 'Get many deployments',
			description: 'List your deployments',
			operation: simpleOperation({
				resource: R,
				operation: 'getMany',
				response: 'list',
				path: () => '/deployments',
			}),
		},
		update: {
			name: 'Update',
			action: 'Update a deployment',
			description: 'Change hardware, instances or version (creates a new release)',
			operation: simpleOperation({
				resource: R,
				operation: 'update',
				method: 'PATCH',
				retry: 'create', // every update makes a new release: not repeated after a 5xx
				path: deploymentPath,
				fields: [
					deploymentField,
					{
						displayName: 'Update Fields',
						name: 'updateFields',
						type: 'collection',
						placeholder: 'Add Field',
						default: {},
						options: [
							hardwareField,
							instancesField('maxInstances'),
							instancesField('minInstances'),
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
							'Add at least one field under "Update Fields"',
							{ itemIndex: i },
						);
					checkInstances(this, i, body);
					return body;
				},
			}),
		},
	},
});
