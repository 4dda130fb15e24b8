// Resource locators for files and collections, and readers for path segments, URLs and webhooks.
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readModelParameter } from '../../shared/models/modelRef';
import { readLocator } from '../../shared/readers';

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

/** `.` and `..` would address another endpoint (the URL parser resolves them). */
export const isDotSegment = (v: string) => /^(?:\.|%2e){1,2}$/i.test(v);

/**
 * A path segment read from a parameter; fails naming the parameter and item when empty or
 * malformed.
 */
export function segment(
	ctx: IExecuteFunctions,
	name: string,
	label: string,
	i: number,
	pattern = /^[\w.-]+$/,
): string {
	const v = readLocator(ctx, name, i);
	if (!v || !pattern.test(v) || isDotSegment(v)) {
		throw new NodeOperationError(
			ctx.getNode(),
			v ? `The "${label}" parameter "${v}" is not valid` : `The "${label}" parameter is empty`,
			{ itemIndex: i },
		);
	}
	return encodeURIComponent(v);
}

/** `owner/name` of a model parameter, for a path (versions in the reference are ignored here). */
export function modelPath(ctx: IExecuteFunctions, i: number): string {
	const ref = readModelParameter(ctx, i);
	return `${encodeURIComponent(ref.owner)}/${encodeURIComponent(ref.name)}`;
}

export function httpUrl(
	ctx: IExecuteFunctions,
	label: string,
	value: unknown,
	i: number,
	kind: 'parameter' | 'option' = 'parameter',
): string | undefined {
	const v = String(value ?? '').trim();
	if (!v) return undefined;
	let ok = false;
	try {
		ok = /^https?:$/.test(new URL(v).protocol);
	} catch {
		ok = false;
	}
	if (!ok)
		throw new NodeOperationError(
			ctx.getNode(),
			`The "${label}" ${kind} "${v}" is not an http(s) URL`,
			{ itemIndex: i },
		);
	return v;
}

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
export function readWebhook(ctx: IExecuteFunctions, options: IDataObject, i: number): IDataObject {
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
