// Fields and checks Deployment → Create and Update share.
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export const hardwareField: INodeProperties = {
	displayName: 'Hardware Name or ID',
	name: 'hardware',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getHardware' },
	default: 'cpu',
	description:
		'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
};

/** The instance limits: parameter name, Replicate's field, displayName, maximum, default. */
const INSTANCES = {
	minInstances: { api: 'min_instances', displayName: 'Min Instances', max: 5, def: 0 },
	maxInstances: { api: 'max_instances', displayName: 'Max Instances', max: 20, def: 1 },
} as const;

export const instancesField = (name: keyof typeof INSTANCES): INodeProperties => {
	const { displayName, max, def } = INSTANCES[name];
	return {
		displayName,
		name,
		type: 'number',
		typeOptions: { minValue: 0, maxValue: max },
		default: def,
		description: `From 0 to ${max}`,
	};
};

/** Min/Max Instances in a request body: whole numbers in range, min not above max. */
export function checkInstances(ctx: IExecuteFunctions, i: number, body: IDataObject) {
	for (const { api, displayName, max } of Object.values(INSTANCES)) {
		const v = body[api];
		if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max)) {
			throw new NodeOperationError(
				ctx.getNode(),
				`The "${displayName}" parameter must be a whole number from 0 to ${max} (got ${v})`,
				{ itemIndex: i },
			);
		}
	}
	if (
		typeof body.min_instances === 'number' &&
		typeof body.max_instances === 'number' &&
		body.min_instances > body.max_instances
	) {
		throw new NodeOperationError(
			ctx.getNode(),
			`"Min Instances" (${body.min_instances}) is above "Max Instances" (${body.max_instances})`,
			{ itemIndex: i },
		);
	}
}
