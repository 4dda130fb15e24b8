import type {
	IDataObject,
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { answer, checkDelivery, eventOf, reject } from '../common/webhooks/delivery';
import { maxFileSizeOption, outputOptions, predictionItems } from '../common/files/output';
import { trainingItems } from '../common/files/trainingOutput';
import { getPrediction } from '../common/lifecycle/predictions';
import { redactSecrets, secretsOf } from '../common/models/secrets';
import { fetchDefaultSecret } from '../common/webhooks/secret';
import { asNodeError } from '../common/transport';
import {
	DEFAULT_TOLERANCE_SECONDS,
	signingKey,
	toleranceProblem,
} from '../common/webhooks/signature';
import { schemaOfPrediction } from '../common/models/targets';
import { type DescribedForBuilder } from '../common/builderHints';

/**
 * Whether a delivery is a training's. A `urls.get` under /trainings/ says so; otherwise the body
 * alone cannot tell (Replicate's training objects have been seen with /predictions/ URLs, and
 * nothing else in them is documented as telling the two apart), so Replicate is asked when it
 * matters: the id is a training when GET /trainings/{id} finds it.
 */
async function isTrainingDelivery(
	ctx: IWebhookFunctions,
	p: IDataObject,
	mustKnow: boolean,
): Promise<boolean> {
	const get = String((p.urls as IDataObject | undefined)?.get ?? '');
	if (/\/trainings\//.test(get)) return true;
	// Asked only when it matters: a filter on one kind, or an output shaped like a training's.
	const output = p.output as IDataObject | null | undefined;
	const trainingShaped = !!output && typeof output === 'object' && 'weights' in output;
	if (!mustKnow && !trainingShaped) return false;
	if (typeof p.id !== 'string' || !p.id) return false;
	try {
		await getPrediction(ctx, p.id, 0, { resource: 'trainings' });
		return true;
	} catch (error) {
		if (error instanceof NodeApiError && error.httpCode === '404') return false;
		throw asNodeError(ctx, error, 0);
	}
}

/**
 * The version's schema for a delivery: which inputs are secret (both kinds), and for a prediction
 * the output files. A training's output ({version, weights}) is not described by it.
 */
async function deliverySchema(ctx: IWebhookFunctions, p: IDataObject) {
	return await schemaOfPrediction(ctx, p);
}

/** Refuses, when the workflow is activated, settings that would reject every genuine delivery. */
async function assertSettings(ctx: IHookFunctions) {
	const creds = await ctx.getCredentials('replicateApi');
	const secret = String(creds.webhookSecret ?? '').trim();
	if (secret && !signingKey(secret)) {
		throw new NodeOperationError(
			ctx.getNode(),
			'The "Webhook Signing Secret" of the Replicate API credential is not a signing secret',
			{
				description:
					'Paste the key as Replicate gives it (whsec_ followed by base64), or leave the field empty to fetch it from Replicate.',
			},
		);
	}
	const tolerance = ctx.getNodeParameter('options.tolerance', DEFAULT_TOLERANCE_SECONDS);
	const problem = toleranceProblem(tolerance);
	if (problem)
		throw new NodeOperationError(ctx.getNode(), problem, {
			description: 'Use a number of seconds, for example 300.',
		});
	return creds;
}

/** The canvas subtitle: "Prediction completed", "Prediction started, completed", … */
const EVENTS_SUBTITLE =
	'={{ "Prediction " + ($parameter["events"] ?? []).map((e) => ' +
	'({ start: "started", output: "output", logs: "logs", completed: "completed" })[e] ?? e)' +
	'.join(", ") }}';

export class ReplicateTrigger implements INodeType {
	description: DescribedForBuilder = {
		displayName: 'Replicate Trigger',
		name: 'replicateTrigger',
		icon: { light: 'file:../../icons/replicate.svg', dark: 'file:../../icons/replicate.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: EVENTS_SUBTITLE,
		// n8n's node panel shows the trigger's description for the whole Replicate entry (actions and
		// triggers), so it describes both.
		description:
			'Run any Replicate model, manage predictions, models and files, and start workflows when a prediction or training starts, progresses or finishes',
		defaults: { name: 'Replicate Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'replicateApi', required: true }],
		webhooks: [
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' },
		],
		builderHint: {
			searchHint:
				"Starts a new workflow when Replicate calls this trigger's webhook about a prediction or training (pass its Production URL as the prediction's webhook). Verifies Replicate's signature; output files can arrive as binary data. To wait for a model's result inside one workflow, use the Replicate node's Prediction → Run (Wait Mode Wait for Webhook for long runs) instead.",
		},
		triggerPanel: {
			header: "Pass this node's Test URL as the webhook of a prediction",
			executionsHelp: {
				inactive:
					'While you build: click "Execute step", then start a prediction with this node\'s ' +
					'<b>Test URL</b> as its webhook. The first delivery that passes the Events filter shows ' +
					'here. Once the workflow is published, pass the <b>Production URL</b> instead: every ' +
					'delivery to it runs the workflow.',
				active:
					'The workflow is published: every delivery to the <b>Production URL</b> runs it ' +
					'(see the Executions list). To test a change, use the <b>Test URL</b> with "Execute step".',
			},
			activationHint:
				'Publish the workflow, then pass the Production URL as the webhook of your predictions.',
		},
		properties: [
			{
				displayName:
					"Give Replicate this node's webhook URL as the webhook of a prediction or training " +
					'(Replicate node → Prediction → Create → Options → Webhook URL, or any client). ' +
					'While you build, use the <b>Test URL</b>: click "Execute step", then start the prediction. ' +
					'Once the workflow is published, use the <b>Production URL</b>. ' +
					"Every delivery's signature is verified.",
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Deliveries Of',
				name: 'kinds',
				type: 'multiOptions',
				options: [
					{ name: 'Predictions', value: 'prediction' },
					{ name: 'Trainings', value: 'training' },
				],
				default: ['prediction', 'training'],
				description:
					'Which deliveries start the workflow: predictions, trainings (fine-tunes), or both',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: [
					{
						name: 'Prediction Completed',
						value: 'completed',
						description: 'It finished: succeeded, failed, canceled or aborted (see Final Status)',
					},
					{ name: 'Prediction Started', value: 'start', description: 'It started running' },
					{ name: 'New Logs', value: 'logs', description: 'It wrote log lines while running' },
					{ name: 'New Output', value: 'output', description: 'It produced output while running' },
				],
				default: ['completed'],
				description:
					'Which deliveries start the workflow (match the webhook_events_filter you send)',
			},
			{
				displayName: 'Final Status',
				name: 'statuses',
				type: 'multiOptions',
				options: [
					{ name: 'Aborted', value: 'aborted' },
					{ name: 'Canceled', value: 'canceled' },
					{ name: 'Failed', value: 'failed' },
					{ name: 'Succeeded', value: 'succeeded' },
				],
				default: ['succeeded', 'failed', 'canceled', 'aborted'],
				displayOptions: { show: { events: ['completed'] } },
				description: 'Which final statuses of a completed prediction start the workflow',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Download Output Files',
						name: 'download',
						type: 'boolean',
						default: false,
						description:
							'Whether to download the output files into binary data (the delivery is answered after the download)',
					},
					maxFileSizeOption,
					{
						displayName: 'Put Output File in Field',
						name: 'binaryProperty',
						type: 'string',
						default: 'data',
						description: 'Binary property of the first file; further files get _1, _2, …',
					},
					{
						displayName: 'Timestamp Tolerance (Seconds)',
						name: 'tolerance',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: DEFAULT_TOLERANCE_SECONDS,
						description: 'Deliveries signed longer ago (or later) than this are rejected',
					},
				],
			},
		],
	};

	webhookMethods = {
		default: {
			/**
			 * Nothing is registered at Replicate (the URL is passed per prediction); ready once a secret is
			 * known.
			 */
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const creds = await assertSettings(this);
				const data = this.getWorkflowStaticData('node');
				return Boolean(String(creds.webhookSecret ?? '').trim() || data.signingSecret);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const creds = await assertSettings(this);
				if (String(creds.webhookSecret ?? '').trim()) return true;
				this.getWorkflowStaticData('node').signingSecret = await fetchDefaultSecret(this);
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				const data = this.getWorkflowStaticData('node');
				delete data.signingSecret;
				delete data.seenWebhookIds;
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const tolerance = Number(options.tolerance ?? DEFAULT_TOLERANCE_SECONDS);
		const problem = toleranceProblem(options.tolerance ?? DEFAULT_TOLERANCE_SECONDS);
		if (problem) {
			reject(this, 'trigger', 500, { error: problem }, problem);
			return { noWebhookResponse: true };
		}
		const checked = await checkDelivery(this, 'trigger', tolerance);
		if (!checked.ok) return { noWebhookResponse: true };
		const { prediction } = checked;
		const events = this.getNodeParameter('events', ['completed']) as string[];
		const statuses = this.getNodeParameter('statuses', []) as string[];
		const event = eventOf(prediction.status);
		const wanted =
			event === 'progress'
				? events.includes('output') || events.includes('logs')
				: events.includes(event);
		if (
			!wanted ||
			(event === 'completed' && statuses.length && !statuses.includes(String(prediction.status)))
		) {
			answer(this, 200, {
				received: true,
				ignored: `${event} ${prediction.status} is filtered out`,
			});
			return { noWebhookResponse: true };
		}
		// The delivery is claimed before the downloads start, so a retry that Replicate sends while they
		// run is answered 200 at once; a failed download releases it for Replicate's next retry.
		let items: INodeExecutionData[];
		try {
			const kinds = this.getNodeParameter('kinds', ['prediction', 'training']) as string[];
			const training = await isTrainingDelivery(this, prediction, kinds.length === 1);
			if (kinds.length && !kinds.includes(training ? 'training' : 'prediction')) {
				answer(this, 200, {
					received: true,
					ignored: `${training ? 'trainings' : 'predictions'} are filtered out`,
				});
				return { noWebhookResponse: true };
			}
			const openapi = await deliverySchema(this, prediction);
			const safe = redactSecrets(prediction, secretsOf(openapi, prediction.input));
			const output = outputOptions(options, { includeLogs: true });
			items = training
				? await trainingItems(this, safe, { ...output, download: options.download === true }, 0)
				: options.download
					? await predictionItems(this, safe, openapi, output, 0)
					: [{ json: safe }];
		} catch (error) {
			checked.release();
			throw asNodeError(this, error, 0);
		}
		return { workflowData: [items] };
	}
}
