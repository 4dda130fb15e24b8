import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { versionLocator } from '../common.descriptions';
import { modelLocator } from '../../../common/models/pickers';
import { simpleOperation } from '../simple';
import { defineResource } from '../types';
import { modelPath, segment } from '../../../common/readers';

const R = 'modelVersion';
const model = modelLocator({ description: 'The model whose versions to use' });
const version = versionLocator({ required: true, description: 'The version' });

const simplifyVersion = (v: IDataObject): IDataObject => ({
	id: v.id,
	created_at: v.created_at,
	cog_version: v.cog_version,
});
const versionPath = function (this: IExecuteFunctions, i: number) {
	return `/models/${modelPath(this, i)}/versions/${segment(this, 'version', 'Version', i)}`;
};

export const modelVersion = defineResource({
	name: 'Model Version',
	defaultOperation: 'get',
	operations: {
		delete: {
			name: 'Delete',
			action: 'Delete a model version',
			description: 'Delete a version of a model you own',
			operation: simpleOperation({
				resource: R,
				operation: 'delete',
				method: 'DELETE',
				retry: 'delete',
				path: versionPath,
				fields: [model, version],
				response: 'deleted',
			}),
		},
		get: {
			name: 'Get',
			action: 'Get a model version',
			description: 'Get a version, including its OpenAPI schema',
			operation: simpleOperation({
				resource: R,
				operation: 'get',
				path: versionPath,
				fields: [model, version],
			}),
		},
		getMany: {
			name: 'Get Many',
			action: 'Get many model versions',
			description: "List a model's versions, newest first",
			operation: simpleOperation({
				resource: R,
				operation: 'getMany',
				response: 'list',
				path(i) {
					return `/models/${modelPath(this, i)}/versions`;
				},
				fields: [model],
				simplify: simplifyVersion,
			}),
		},
	},
});
