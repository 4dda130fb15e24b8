// The destination of a training: the model the trained version is pushed to. Replicate requires
// "an existing model owned by the user or organization making the API request" and answers 404
// "The specified training destination does not exist" otherwise. "Create If Missing" checks first
// (GET the model) and creates it only on a 404, once per execution and destination (items share
// the check), so a retry of the item finds the model and never creates it twice.
import type { IDataObject, IExecuteFunctions, INodeProperties, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { parseOwnerName } from '../../../common/models/modelRef';
import { locatorText } from '../../../common/readers';
import { apiRequest, asNodeError } from '../../../common/transport';
import { memo } from '../prediction/input';
import type { Batch } from '../types';

export const destinationFields: INodeProperties[] = [
	{
		displayName: 'Destination',
		name: 'destination',
		type: 'resourceLocator',
		default: { mode: 'id', value: '' },
		required: true,
		description:
			'The model the trained version is pushed to: yours, or one of your organisations’ (owner/name)',
		modes: [
			{
				displayName: 'By Owner/Name',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. my-username/my-fine-tune',
				validation: [
					{
						type: 'regex',
						properties: { regex: '^[^/\\s]+/[^/\\s]+$', errorMessage: 'Use owner/name' },
					},
				],
			},
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Search models…',
				typeOptions: { searchListMethod: 'searchModels', searchable: true },
			},
		],
	},
	{
		displayName: 'Create Destination If Missing',
		name: 'createDestination',
		type: 'boolean',
		default: false,
		description:
			'Whether to create the destination model when it does not exist yet (checked first; never created twice)',
	},
	{
		displayName: 'Destination Visibility',
		name: 'destinationVisibility',
		type: 'options',
		options: [
			{ name: 'Private', value: 'private' },
			{ name: 'Public', value: 'public' },
		],
		default: 'private',
		displayOptions: { show: { createDestination: [true] } },
	},
	{
		displayName: 'Destination Hardware Name or ID',
		name: 'destinationHardware',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getHardware' },
		default: 'gpu-h100',
		displayOptions: { show: { createDestination: [true] } },
		description:
			'Hardware the trained model runs on. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Destination Description',
		name: 'destinationDescription',
		type: 'string',
		default: '',
		displayOptions: { show: { createDestination: [true] } },
	},
];

export interface Destination {
	owner: string;
	name: string;
}

/** The Destination parameter as owner/name, or a clear error naming it. */
export function readDestination(ctx: IExecuteFunctions, i: number): Destination {
	const raw = locatorText(ctx.getNodeParameter('destination', i, '')).trim();
	const ref = parseOwnerName(raw);
	if (!ref)
		throw new NodeOperationError(
			ctx.getNode(),
			raw
				? `The "Destination" parameter "${raw}" is not owner/name`
				: 'The "Destination" parameter is empty',
			{
				itemIndex: i,
				description: 'Use the owner/name of a model, e.g. my-username/my-fine-tune.',
			},
		);
	return ref;
}

const seg = encodeURIComponent;
const status = (e: unknown) => (e instanceof NodeApiError ? Number(e.httpCode) : undefined);

async function exists(ctx: IExecuteFunctions, d: Destination, i: number): Promise<boolean> {
	try {
		await apiRequest(ctx, {
			method: 'GET',
			path: `/models/${seg(d.owner)}/${seg(d.name)}`,
			itemIndex: i,
			retry: 'read',
		});
		return true;
	} catch (error) {
		if (status(error) === 404) return false;
		throw asNodeError(ctx, error, i);
	}
}

/** What Replicate said, without the node's "Replicate: " prefix. */
const said = (e: NodeApiError) =>
	[String(e.message).replace(/^Replicate:\s*/, ''), e.description].filter(Boolean).join(': ');

async function create(ctx: IExecuteFunctions, d: Destination, i: number, batch: Batch) {
	const account = await memo(batch, 'account', async () =>
		apiRequest(ctx, { method: 'GET', path: '/account', itemIndex: i, retry: 'read' }).then(
			(r) => r.body as IDataObject,
		),
	);
	const body: IDataObject = {
		owner: d.owner,
		name: d.name,
		visibility: ctx.getNodeParameter('destinationVisibility', i, 'private') as string,
		hardware: String(ctx.getNodeParameter('destinationHardware', i, 'gpu-h100')).trim(),
	};
	const description = String(ctx.getNodeParameter('destinationDescription', i, '')).trim();
	if (description) body.description = description;
	try {
		// `create`: never sent again when the first try may have reached Replicate.
		await apiRequest(ctx, { method: 'POST', path: '/models', body, itemIndex: i, retry: 'create' });
	} catch (error) {
		const code = status(error);
		// Created meanwhile (another execution, or a first try whose answer was lost): it exists now.
		if (code === 409 && (await exists(ctx, d, i))) return;
		if (!(error instanceof NodeApiError) || !code || code >= 500) throw asNodeError(ctx, error, i);
		// Whether the token may create models for an organisation cannot be checked beforehand
		// (Replicate documents no list of a token's organisations): its own answer is passed on.
		const username = String(account.username ?? '');
		const refused = new NodeApiError(ctx.getNode(), { status: code } as JsonObject, {
			message: `Could not create the destination model ${d.owner}/${d.name}: ${said(error)}`,
			description:
				d.owner === username
					? 'Check the model name (lowercase letters, digits, "-", "_", ".") and the hardware.'
					: `The API token belongs to "${username}". Replicate creates models only for the account (or organisation) the token belongs to: use "${username}/${d.name}", or a token of "${d.owner}".`,
			httpCode: String(code),
			itemIndex: i,
		});
		refused.context.aboutInput = true;
		throw refused;
	}
}

/**
 * Makes sure the destination exists when "Create Destination If Missing" is on: GET first, create
 * on a 404 only. One check (and at most one create) per destination and execution.
 */
export async function ensureDestination(
	ctx: IExecuteFunctions,
	d: Destination,
	i: number,
	batch: Batch,
): Promise<void> {
	if (!ctx.getNodeParameter('createDestination', i, false)) return;
	await memo(batch, `destination:${d.owner}/${d.name}`, async () => {
		if (!(await exists(ctx, d, i))) await create(ctx, d, i, batch);
	});
}
