// Resource locators for files and collections, and the webhook options with their reader (every
// other parameter reader is in nodes/common/readers.ts).
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { httpUrl } from '../../common/readers';

export const fileLocator: INodeProperties = {
	displayName: 'File',
	name: 'fileId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a file…',
			typeOptions: { searchListMethod: 'searchFiles', searchable: true },
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'e.g. https://api.replicate.com/v1/files/cneqzikepnug6xezperrr4z55o',
			extractValue: { type: 'regex', regex: '/files/([^/?#]+)' },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. cneqzikepnug6xezperrr4z55o',
		},
	],
};

export const collectionLocator: INodeProperties = {
	displayName: 'Collection',
	name: 'collection',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a collection…',
			typeOptions: { searchListMethod: 'searchCollections', searchable: true },
		},
		{ displayName: 'By Slug', name: 'id', type: 'string', placeholder: 'e.g. text-to-image' },
	],
};

export const WEBHOOK_EVENTS = ['start', 'output', 'logs', 'completed'];

export const webhookOptions: INodeProperties[] = [
	{
		displayName: 'Webhook URL',
		name: 'webhook',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://n8n.example.com/webhook/…',
		description: "Replicate POSTs the prediction here (for example a Replicate Trigger's URL)",
	},
	{
		displayName: 'Webhook Events',
		name: 'webhookEvents',
		type: 'multiOptions',
		options: [
			{ name: 'Completed', value: 'completed' },
			{ name: 'Logs', value: 'logs' },
			{ name: 'Output', value: 'output' },
			{ name: 'Start', value: 'start' },
		],
		default: ['completed'],
		description: 'Which events call the webhook',
	},
];

/**
 * The `webhook` and `webhook_events_filter` body fields from the Webhook URL / Webhook Events
 * options.
 */
export function readWebhook(
	ctx: Pick<IExecuteFunctions, 'getNode'>,
	options: IDataObject,
	i: number,
): IDataObject {
	const webhook = httpUrl(ctx, 'Webhook URL', options.webhook, i, 'option');
	if (!webhook) return {};
	const raw = options.webhookEvents ?? ['completed'];
	const events = Array.isArray(raw)
		? raw.map(String)
		: String(raw)
				.split(',')
				.map((e) => e.trim())
				.filter(Boolean);
	const bad = events.filter((e) => !WEBHOOK_EVENTS.includes(e));
	if (bad.length) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The "Webhook Events" option has unknown events: ${bad.join(', ')}`,
			{ itemIndex: i, description: `Use ${WEBHOOK_EVENTS.join(', ')}.` },
		);
	}
	return events.length ? { webhook, webhook_events_filter: events } : { webhook };
}
