import type { INodeProperties } from 'n8n-workflow';

import { propertyHint } from '../../common/builderHints';
import { resourceList } from './resources';

/** Each resource's Operation list, then its operations' fields, all from the resource map. */
const operationProperties: INodeProperties[] = resourceList.flatMap(([resource, r]) => {
	const defaultOperation = r.defaultOperation;
	return [
		{
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			displayOptions: { show: { resource: [resource] } },
			options: Object.entries(r.operations).map(
				([value, { name, action, description, builderHint }]) => ({
					name,
					value,
					action,
					description,
					...(builderHint ? propertyHint(builderHint) : {}),
				}),
			),
			default: defaultOperation,
		},
		...Object.values(r.operations).flatMap(({ operation }) => operation.description),
	];
});

/** `resource:operation` → the action sentence ("Run a model"). */
export const actionNames: Record<string, string> = Object.fromEntries(
	resourceList.flatMap(([resource, r]) =>
		Object.entries(r.operations).map(([op, { action }]) => [`${resource}:${op}`, action]),
	),
);

/** The canvas subtitle: the chosen action, as n8n's own nodes show it. */
export const subtitle = `={{ ${JSON.stringify(actionNames)}[$parameter["resource"] + ":" + $parameter["operation"]] ?? "" }}`;

/** The node's parameters: the resource selector, then each resource's operations and fields. */
export const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: resourceList.map(([value, r]) => ({ name: r.name, value })),
		default: 'prediction',
	},
	...operationProperties,
];
