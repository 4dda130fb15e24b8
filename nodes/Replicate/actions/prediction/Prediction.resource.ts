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
			builderHint:
				'The operation that runs a model (image, video, audio, text) and returns its output in one step. Output files arrive as binary properties data, data_1, … (or one item per file with Split Files Into Items). For runs over a few minutes set Wait Mode to Wait for Webhook rather than adding a Wait node.',
			operation: run,
		},
		create: {
			name: 'Create',
			action: 'Create a prediction',
			description: 'Start a prediction and return at once (optionally with a webhook)',
			builderHint:
				'Only starts the prediction: the output is not ready yet and no files are downloaded. Use Run to get the result, or Wait (or a Replicate Trigger on the Webhook URL) later.',
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
			builderHint:
				'Takes the ID of a prediction started earlier (by Create); returns its output with files as binary data, like Run.',
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
