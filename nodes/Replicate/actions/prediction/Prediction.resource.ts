import type { INodeProperties } from 'n8n-workflow';

import { cancel } from './cancel.operation';
import { create } from './create.operation';
import { get } from './get.operation';
import { getMany } from './getMany.operation';
import { run } from './run.operation';
import { wait } from './wait.operation';
import { operationOptions, type OperationOption } from '../simple';

export const operations = { cancel, create, get, getMany, run, wait };

/** Run first: it is what most workflows use (the node panel lists actions in this order). */
const OPERATIONS: OperationOption[] = [
	{
		name: 'Run',
		value: 'run',
		action: 'Run a model',
		description: 'Run a model and wait for its output, with files as binary data',
	},
	{
		name: 'Create',
		value: 'create',
		action: 'Create a prediction',
		description: 'Start a prediction and return at once (optionally with a webhook)',
	},
	{ name: 'Get', value: 'get', action: 'Get a prediction', description: 'Get a prediction by ID' },
	{
		name: 'Get Many',
		value: 'getMany',
		action: 'Get many predictions',
		description: 'List your predictions, newest first',
	},
	{
		name: 'Wait',
		value: 'wait',
		action: 'Wait for a prediction',
		description: 'Wait for an existing prediction to finish and return its output',
	},
	{
		name: 'Cancel',
		value: 'cancel',
		action: 'Cancel a prediction',
		description: 'Cancel a running prediction',
	},
];

export const description: INodeProperties[] = [
	operationOptions('prediction', OPERATIONS, 'run'),
	...Object.values(operations).flatMap((op) => op.description),
];
