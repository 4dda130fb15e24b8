import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { resources } from './resources';

/**
 * Resources in order of use, as n8n's own OpenAI node orders them: the node panel lists the actions
 * resource by resource in this order, so "Run a model" comes first.
 */
const RESOURCES: INodePropertyOptions[] = [
	{ name: 'Prediction', value: 'prediction' },
	{ name: 'Model', value: 'model' },
	{ name: 'Model Version', value: 'modelVersion' },
	{ name: 'Deployment', value: 'deployment' },
	{ name: 'Training', value: 'training' },
	{ name: 'File', value: 'file' },
	{ name: 'Collection', value: 'collection' },
	{ name: 'Hardware', value: 'hardware' },
	{ name: 'Webhook', value: 'webhook' },
	{ name: 'Account', value: 'account' },
];

const operationProperties: INodeProperties[] = Object.values(resources).flatMap(
	(r) => r.description,
);

/** `resource:operation` → the action sentence ("Run a model"), from the operation options. */
export function actionNames(props: INodeProperties[]): Record<string, string> {
	const names: Record<string, string> = {};
	for (const p of props) {
		if (p.name !== 'operation' || p.type !== 'options') continue;
		for (const resource of (p.displayOptions?.show?.resource as string[] | undefined) ?? []) {
			for (const o of (p.options ?? []) as INodePropertyOptions[]) {
				names[`${resource}:${String(o.value)}`] = o.action ?? o.name;
			}
		}
	}
	return names;
}

/** The canvas subtitle: the chosen action, as n8n's own nodes show it. */
export const subtitle = `={{ ${JSON.stringify(actionNames(operationProperties))}[$parameter["resource"] + ":" + $parameter["operation"]] ?? "" }}`;

/** The node's parameters: the resource selector, then each resource's operations and fields. */
export const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: RESOURCES,
		default: 'prediction',
	},
	...operationProperties,
];
