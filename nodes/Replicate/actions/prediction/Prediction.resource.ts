import { defineResource } from '../types';
import { cancel } from './cancel.operation';
import { create } from './create.operation';
import { get } from './get.operation';
import { getMany } from './getMany.operation';
import { run } from './run.operation';
import { wait } from './wait.operation';

/** Run first: it is what most workflows use. */
export const prediction = defineResource({
	name: 'Prediction',
	defaultOperation: 'run',
	operations: {
		run: {
			name: 'Run',
			action: 'Run a model',
			description: 'Run a model and wait for its output, with files as binary data',
			operation: run,
		},
		create: {
			name: 'Create',
			action: 'Create a prediction',
			description: 'Start a prediction and return at once (optionally with a webhook)',
			operation: create,
		},
		get: {
			name: 'Get',
			action: 'Get a prediction',
			description: 'Get a prediction by ID',
			operation: get,
		},
		getMany: {
			name: 'Get Many',
			action: 'Get many predictions',
			description: 'List your predictions, newest first',
			operation: getMany,
		},
		wait: {
			name: 'Wait',
			action: 'Wait for a prediction',
			description: 'Wait for an existing prediction to finish and return its output',
			operation: wait,
		},
		cancel: {
			name: 'Cancel',
			action: 'Cancel a prediction',
			description: 'Cancel a running prediction',
			operation: cancel,
		},
	},
});
