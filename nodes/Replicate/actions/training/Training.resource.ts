import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { simpleOperation } from '../simple';
import { defineResource } from '../types';
import { create } from './create.operation';
import { readPredictionId } from '../../../common/readers';

const R = 'training';
const trainingId: INodeProperties = {
	displayName: 'Training ID',
	name: 'trainingId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. zz4ibbonubfz7carwiefibzgga',
};
const trainingPath = function (this: IExecuteFunctions, i: number) {
	return `/trainings/${readPredictionId(this, i, trainingId.name, trainingId.displayName)}`;
};

export const training = defineResource({
	name: 'Training',
	defaultOperation: 'get',
	operations: {
		cancel: {
			name: 'Cancel',
			action: 'Cancel a training',
			description: 'Cancel a running training',
			operation: simpleOperation({
				resource: R,
				operation: 'cancel',
				method: 'POST',
				retry: 'idempotent',
				path(i) {
					return `${trainingPath.call(this, i)}/cancel`;
				},
				fields: [trainingId],
			}),
		},
		create: {
			name: 'Create',
			action: 'Create a training',
			description: 'Fine-tune a model version into a model you own',
			operation: create,
		},
		get: {
			name: 'Get',
			action: 'Get a training',
			description: 'Get a training by ID',
			operation: simpleOperation({
				resource: R,
				operation: 'get',
				path: trainingPath,
				fields: [trainingId],
			}),
		},
		getMany: {
			name: 'Get Many',
			action: 'Get many trainings',
			description: 'List your trainings, newest first',
			operation: simpleOperation({
				resource: R,
				operation: 'getMany',
				response: 'list',
				path: () => '/trainings',
			}),
		},
	},
});
