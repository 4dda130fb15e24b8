import { isJsonObject, segment } from '../../../common/readers';
import { collectionLocator } from '../locators';
import { simplifyModel } from '../model/Model.resource';
import { simpleOperation } from '../simple';
import { defineResource } from '../types';

const R = 'collection';

export const collection = defineResource({
	name: 'Collection',
	defaultOperation: 'get',
	operations: {
		get: {
			name: 'Get',
			action: 'Get a collection',
			description: 'Get a collection with its models',
			operation: simpleOperation({
				resource: R,
				operation: 'get',
				path(i) {
					return `/collections/${segment(this, 'collection', 'Collection', i)}`;
				},
				fields: [collectionLocator],
				simplify: (c) => ({
					...c,
					models: Array.isArray(c.models)
						? c.models.map((m) => (isJsonObject(m) ? simplifyModel(m) : m))
						: c.models,
				}),
			}),
		},
		getMany: {
			name: 'Get Many',
			action: 'Get many collections',
			description: 'List the curated collections of models',
			operation: simpleOperation({
				resource: R,
				operation: 'getMany',
				response: 'list',
				path: () => '/collections',
			}),
		},
	},
});
