import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { versionOrLatest } from '../../../common/models/targets';
import { apiRequest } from '../../../common/transport';
import { versionLocator } from '../common.descriptions';
import { modelLocator } from '../../../common/models/pickers';
import { withDisplay } from '../simple';
import { jsonItems, type Operation } from '../types';
import { checkInstances, hardwareField, instancesField } from './hardwareAndInstances';
import { readModelRef } from '../../../common/readers';

const description: INodeProperties[] = withDisplay('deployment', 'create', [
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
	{ ...hardwareField, required: true },
	instancesField('minInstances'),
	instancesField('maxInstances'),
]);

/** Deployment → Create: a model version (the latest when none is given) on chosen hardware. */
export const create: Operation = {
	description,
	async execute(i) {
		const name = String(this.getNodeParameter('name', i, '')).trim();
		if (!/^[a-z0-9][a-z0-9_-]*$/.test(name))
			throw new NodeOperationError(
				this.getNode(),
				`The "Name" parameter "${name}" must use lowercase letters, numbers, dashes and underscores`,
				{ itemIndex: i },
			);
		const ref = readModelRef(this, i);
		const version = await versionOrLatest(this, ref, i, 'deploy');
		const body: IDataObject = {
			name,
			model: `${ref.owner}/${ref.name}`,
			version,
			hardware: this.getNodeParameter('hardware', i),
			min_instances: this.getNodeParameter('minInstances', i, 0),
			max_instances: this.getNodeParameter('maxInstances', i, 1),
		};
		checkInstances(this, i, body);
		const res = await apiRequest(this, {
			method: 'POST',
			path: '/deployments',
			body,
			itemIndex: i,
			retry: 'create',
		});
		return jsonItems(res.body);
	},
};
