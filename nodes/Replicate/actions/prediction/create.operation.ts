import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { formatPrediction } from '../../helpers/output';
import { createPrediction } from '../../helpers/predictions';
import type { Operation } from '../types';
import { cancelAfterOption, concurrencyOption, encodingOption, targetAndInputFields } from './fields';
import { option, readCancelAfter, readInput, readTarget } from './shared';

const show = { show: { resource: ['prediction'], operation: ['create'] } };
const EVENTS = ['start', 'output', 'logs', 'completed'];

const description: INodeProperties[] = [
	...targetAndInputFields.map((p) => ({ ...p, displayOptions: { show: { ...show.show, ...(p.displayOptions?.show ?? {}) } } })),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			{ displayName: 'Webhook URL', name: 'webhook', type: 'string', default: '', placeholder: 'e.g. https://n8n.example.com/webhook/…', description: 'Replicate POSTs the prediction here (for example a Replicate Trigger\'s URL)' },
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
			cancelAfterOption,
			encodingOption,
			concurrencyOption(10),
		],
	},
];

/** Prediction → Create: start a prediction and return at once. */
export const create: Operation = {
	description,
	concurrency() {
		return Math.max(1, Number(this.getNodeParameter('options.maxConcurrency', 0, 10)) || 10);
	},
	async execute(i, batch) {
		const body: IDataObject = {};
		const webhook = String(option(this, i, 'webhook', '')).trim();
		if (webhook) {
			let ok = false;
			try {
				ok = /^https?:$/.test(new URL(webhook).protocol);
			} catch {
				ok = false;
			}
			if (!ok) throw new NodeOperationError(this.getNode(), `The "Webhook URL" option "${webhook}" is not an http(s) URL [item ${i}]`, { itemIndex: i });
			const events = option<string[] | string>(this, i, 'webhookEvents', ['completed']);
			const list = Array.isArray(events) ? events : String(events).split(',').map((e) => e.trim()).filter(Boolean);
			const bad = list.filter((e) => !EVENTS.includes(e));
			if (bad.length) throw new NodeOperationError(this.getNode(), `The "Webhook Events" option has unknown events: ${bad.join(', ')} [item ${i}]`, { itemIndex: i, description: `Use ${EVENTS.join(', ')}.` });
			body.webhook = webhook;
			if (list.length) body.webhook_events_filter = list;
		}
		const cancelAfter = readCancelAfter(this, i);
		const target = await readTarget(this, i, batch);
		const input = await readInput(this, i, target);
		if (target.version) body.version = target.version;
		body.input = input;
		const p = await createPrediction(this, { path: target.createPath, body, cancelAfter, itemIndex: i });
		return formatPrediction(p, true);
	},
};
