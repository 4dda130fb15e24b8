// The one map of resources → operations. The editor's Resource and Operation lists (names, order,
// action sentences), the canvas subtitle and the router's table all derive from it.
import { account } from './account/Account.resource';
import { collection } from './collection/Collection.resource';
import { deployment } from './deployment/Deployment.resource';
import { file } from './file/File.resource';
import { hardware } from './hardware/Hardware.resource';
import { model } from './model/Model.resource';
import { modelVersion } from './modelVersion/ModelVersion.resource';
import { prediction } from './prediction/Prediction.resource';
import { training } from './training/Training.resource';
import type { Operation, ResourceDefinition } from './types';
import { webhook } from './webhook/Webhook.resource';

/**
 * Every resource, keyed by its parameter value, in the order of the Resource list (order of use, as
 * n8n's OpenAI node orders them: the node panel lists actions resource by resource, "Run a model"
 * first).
 */
export const resources = {
	prediction,
	model,
	modelVersion,
	deployment,
	training,
	file,
	collection,
	hardware,
	webhook,
	account,
} satisfies Record<string, ResourceDefinition>;

/** Every resource with its operations, for code that walks all of them. */
export const resourceList: ReadonlyArray<[string, ResourceDefinition]> = Object.entries(resources);

const table = new Map<string, Operation>(
	resourceList.flatMap(([resource, r]) =>
		Object.entries(r.operations).map(([op, entry]): [string, Operation] => [
			`${resource}:${op}`,
			entry.operation,
		]),
	),
);

/** The operation the Resource and Operation parameters select, or undefined for an unknown pair. */
export function findOperation(resource: string, operation: string): Operation | undefined {
	return table.get(`${resource}:${operation}`);
}
