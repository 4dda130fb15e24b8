import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { modelLocator, versionLocator } from '../common.descriptions';
import { modelPath, segment } from '../locators';
import { operationOptions, simpleOperation } from '../simple';

const R = 'modelVersion';
const model = modelLocator({ description: 'The model whose versions to use' });
const version = versionLocator({ required: true, description: 'The version' });

const simplifyVersion = (v: IDataObject): IDataObject => ({
	id: v.id,
	created_at: v.created_at,
	cog_version: v.cog_version,
});
const versionPath = function (this: import('n8n-workflow').IExecuteFunctions, i: number) {
	return `/models/${modelPath(this, i)}/versions/${segment(this, 'version', 'Version', i)}`;
};

export const operations = {
	get: simpleOperation({
		resource: R,
		operation: 'get',
		path: versionPath,
		fields: [model, version],
	}),
	getMany: simpleOperation({
		resource: R,
		operation: 'getMany',
		list: true,
		path(i) {
			return `/models/${modelPath(this, i)}/versions`;
		},
		fields: [model],
		simplify: simplifyVersion,
	}),
	delete: simpleOperation({
		resource: R,
		operation: 'delete',
		method: 'DELETE',
		retry: 'delete',
		path: versionPath,
		fields: [model, version],
		deleted: true,
	}),
};

export const description: INodeProperties[] = [
	operationOptions(
		R,
		[
			{
				name: 'Delete',
				value: 'delete',
				action: 'Delete a model version',
				description: 'Delete a version of a model you own',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a model version',
				description: 'Get a version, including its OpenAPI schema',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				action: 'Get many model versions',
				description: "List a model's versions, newest first",
			},
		],
		'get',
	),
	...Object.values(operations).flatMap((o) => o.description),
];
