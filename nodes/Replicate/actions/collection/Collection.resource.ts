import type { INodeProperties } from 'n8n-workflow';

import { collectionLocator, segment } from '../locators';
import { simplifyModel } from '../model/Model.resource';
import { operationOptions, simpleOperation } from '../simple';

const R = 'collection';

export const operations = {
	get: simpleOperation({
		resource: R,
		operation: 'get',
		path(i) {
			return `/collections/${segment(this, 'collection', 'Collection', i)}`;
		},
		fields: [collectionLocator],
		simplify: (c) => ({
			...c,
			models: Array.isArray(c.models) ? c.models.map((m) => simplifyModel(m as never)) : c.models,
		}),
	}),
	getMany: simpleOperation({
		resource: R,
		operation: 'getMany',
		list: true,
		path: () => '/collections',
	}),
};

export const description: INodeProperties[] = [
	operationOptions(
		R,
		[
			{
				name: 'Get',
				value: 'get',
				action: 'Get a collection',
				description: 'Get a collection with its models',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				action: 'Get many collections',
				description: 'List the curated collections of models',
			},
		],
		'get',
	),
	...Object.values(operations).flatMap((o) => o.description),
];
