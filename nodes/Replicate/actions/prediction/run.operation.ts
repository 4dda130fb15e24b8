import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, WAIT_INDEFINITELY } from 'n8n-workflow';

import { formatPrediction } from '../../../common/files/output';
import { redactSecrets, secretsOf } from '../../../common/models/secrets';
import { isTerminal } from '../../../common/lifecycle/predictions';
import { pollSchedules } from '../../../common/lifecycle/schedule';
import { outcomeOf, run as runJob, start, type Job } from '../../../common/lifecycle/wait';
import { callbackUrl, rememberPrediction, reserveWaitSlot } from '../../helpers/resume';
import type { Target } from '../../../common/models/targets';
import { withDisplay } from '../simple';
import type { Operation, OperationResult } from '../types';
import {
	cancelAfterOption,
	concurrencyOption,
	encodingOption,
	targetAndInputFields,
	waitAndOutputOptions,
} from './descriptions';
import { readInput, readTarget } from './input';
import {
	durationSeconds,
	maxConcurrent,
	readCancelAfter,
	readSyncWait,
	readWaitSettings,
	type WaitSettings,
} from './options';
import { outcomeItems } from './outcome';
import { propertyHint } from '../../../common/builderHints';

const show = { show: { resource: ['prediction'], operation: ['run'] } };

const description: INodeProperties[] = [
	...withDisplay('prediction', 'run', targetAndInputFields),
	{
		displayName: 'Wait Mode',
		name: 'waitMode',
		type: 'options',
		displayOptions: show,
		options: [
			{
				name: 'Sync, Then Poll',
				value: 'sync',
				description: 'Replicate holds the request up to a minute, then the node polls',
			},
			{
				name: 'Wait for Webhook (Suspend Execution)',
				value: 'webhook',
				description:
					"For long runs: the execution waits without polling and Replicate's signed webhook resumes it. n8n must be reachable from Replicate.",
				...propertyHint(
					'Use for a long run inside this workflow: the execution suspends and resumes with the output. The Replicate Trigger is for starting a new workflow on webhooks of predictions started elsewhere.',
				),
			},
		],
		default: 'sync',
	},
	{
		displayName:
			'Replicate calls this n8n instance back when the prediction finishes, so its webhook URL must be reachable from the internet. One item per execution; the Timeout option is the longest wait (Replicate cancels the prediction then). A failed or canceled prediction comes out with an error field.',
		name: 'webhookNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { ...show.show, waitMode: ['webhook'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show,
		options: [
			...waitAndOutputOptions,
			{
				displayName: 'Sync Wait (Seconds)',
				name: 'syncWait',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 60 },
				default: 60,
				description:
					'Replicate holds the create request up to this long and answers with the finished prediction (Prefer: wait). Longer runs are then polled.',
			},
			cancelAfterOption,
			encodingOption,
			concurrencyOption(50),
		],
	},
];

interface Prepared {
	settings: WaitSettings;
	sync: number;
	cancelAfter: string | undefined;
	target: Target;
	input: IDataObject;
}

/**
 * Wait for Webhook: create the prediction with this execution's resume URL as its webhook
 * (completed only), try a sync hold first, then suspend the execution until the webhook comes.
 *
 * n8n ends an expired wait by running the workflow on with the node disabled, which passes the
 * node's input on as if it were the output. So the wait never expires: Replicate's deadline bounds
 * it instead. Cancel-After is the Timeout (or the Server-Side Deadline when shorter); Replicate
 * then cancels the prediction and its canceled webhook resumes the execution with an error item.
 */
async function createAndSuspend(
	ctx: IExecuteFunctions,
	job: Job,
	p: Prepared,
): Promise<OperationResult> {
	const i = job.itemIndex;
	const timeoutSeconds = Math.max(5, Math.ceil(p.settings.timeoutMs / 1000));
	const ownDeadline = p.cancelAfter ? durationSeconds(p.cancelAfter) : Number.POSITIVE_INFINITY;
	const cancelAfter =
		p.settings.cancelOnTimeout && timeoutSeconds < ownDeadline
			? `${timeoutSeconds}s`
			: p.cancelAfter;
	const webhook = callbackUrl(ctx, i);
	reserveWaitSlot(ctx, i);
	const { prediction: created } = await start(
		job,
		{
			path: p.target.createPath,
			body: {
				...(p.target.version ? { version: p.target.version } : {}),
				input: p.input,
				webhook,
				webhook_events_filter: ['completed'],
			},
			syncSeconds: Math.min(p.sync, timeoutSeconds),
			cancelAfter,
		},
		p.settings.timeoutMs,
	);
	if (isTerminal(created)) {
		const o = { itemIndex: i, settings: p.settings, openapi: p.target.openapi };
		return await outcomeItems(ctx, outcomeOf(created), o);
	}
	if (typeof created.id !== 'string' || !created.id) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Replicate answered the create without a prediction id`,
			{ itemIndex: i },
		);
	}
	rememberPrediction(ctx, created.id);
	await ctx.putExecutionToWait(WAIT_INDEFINITELY);
	// Shown while the execution waits; the resumed output replaces it.
	return [
		{
			json: formatPrediction(
				redactSecrets(created, secretsOf(p.target.openapi, created.input)),
				false,
			),
		},
	];
}

/**
 * Prediction → Run: create, wait (sync first, then poll, or suspend), return the output and its
 * files.
 */
export const run: Operation = {
	description,
	concurrency: maxConcurrent(50),
	checkInput(this: IExecuteFunctions, items) {
		if (this.getNodeParameter('waitMode', 0, 'sync') !== 'webhook' || items.length <= 1) return;
		throw new NodeOperationError(
			this.getNode(),
			`"Wait for Webhook" handles one item per execution (got ${items.length})`,
			{
				description:
					'Use "Sync, Then Poll", or run each item in its own execution (Execute Workflow node with "Run Once for Each Item").',
			},
		);
	},
	async execute(i, batch) {
		// One path for every wait mode: the same checks, in the same order, before anything is sent.
		const webhook = this.getNodeParameter('waitMode', i, 'sync') === 'webhook';
		const settings = readWaitSettings(this, i);
		const sync = readSyncWait(this, i);
		const cancelAfter = readCancelAfter(this, i, settings);
		const target = await readTarget(this, i, batch);
		const input = await readInput(this, i, target);
		const job: Job = {
			ctx: this,
			itemIndex: i,
			signal: batch.signal,
			cancelOnTimeout: settings.cancelOnTimeout,
		};
		if (webhook)
			return await createAndSuspend(this, job, { settings, sync, cancelAfter, target, input });
		const outcome = await runJob(job, {
			path: target.createPath,
			body: target.version ? { version: target.version, input } : { input },
			syncSeconds: Math.min(sync, Math.ceil(settings.timeoutMs / 1000)),
			cancelAfter,
			timeoutMs: settings.timeoutMs,
			schedule: (created) => pollSchedules.afterCreate(created, settings.maxPollMs),
		});
		return await outcomeItems(this, outcome, { itemIndex: i, settings, openapi: target.openapi });
	},
};
