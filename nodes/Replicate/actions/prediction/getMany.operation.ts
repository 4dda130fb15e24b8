import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { apiRequestAllItems } from '../../../common/transport';
import { returnAllOrLimit } from '../common.descriptions';
import { withDisplay } from '../simple';
import { jsonItems, type Operation } from '../types';

const show = { show: { resource: ['prediction'], operation: ['getMany'] } };

const description: INodeProperties[] = [
	...withDisplay('prediction', 'getMany', returnAllOrLimit),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Created After',
				name: 'createdAfter',
				type: 'dateTime',
				default: '',
				description: 'Only predictions created after this time',
			},
			{
				displayName: 'Created Before',
				name: 'createdBefore',
				type: 'dateTime',
				default: '',
				description: 'Only predictions created before this time',
			},
		],
	},
];

function isoOrFail(
	ctx: IExecuteFunctions,
	value: unknown,
	name: string,
	i: number,
): string | undefined {
	if (value === undefined || value === '' || value === null) return undefined;
	const ms = Date.parse(String(value));
	if (Number.isNaN(ms))
		throw new NodeOperationError(
			ctx.getNode(),
			`The "${name}" filter "${value}" is not a date-time`,
			{ itemIndex: i },
		);
	return new Date(ms).toISOString();
}

export const getMany: Operation = {
	description,
	async execute(i) {
		const filters = this.getNodeParameter('filters', i, {}) as IDataObject;
		const qs: IDataObject = {};
		const after = isoOrFail(this, filters.createdAfter, 'Created After', i);
		const before = isoOrFail(this, filters.createdBefore, 'Created Before', i);
		if (after) qs.created_after = after;
		if (before) qs.created_before = before;
		const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
		const limit = returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number);
		const predictions = await apiRequestAllItems(
			this,
			{ path: '/predictions', qs, itemIndex: i },
			limit,
		);
		return jsonItems(predictions);
	},
};
