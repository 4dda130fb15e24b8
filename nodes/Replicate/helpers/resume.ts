// "Wait for Webhook" runs: the execution waits; Replicate's signed completed-webhook resumes it
// here.
//
// Suspending: the prediction's webhook is this execution's resume URL (what $execution.resumeUrl
// gives, which carries n8n's resume token from n8n 2.16 on) plus this node's id, and the id of the
// prediction is kept in the execution's own data ($execution.customData) before it waits.
// Resuming: the delivery's signature is verified, its prediction id must be the one this execution
// kept, the prediction is fetched again by that id, and only a finished prediction resumes the run.
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
	IWorkflowDataProxyAdditionalKeys,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { answer, checkDelivery, reject } from '../../common/webhooks/delivery';
import { formatPrediction, outputOptions, predictionItems } from '../../common/files/output';
import { trainingItems, formatTraining } from '../../common/files/trainingOutput';
import { getPrediction, isTerminal, noun } from '../../common/lifecycle/predictions';
import { redactSecrets, secretsOf } from '../../common/models/secrets';
import { locatorText } from '../../common/readers';
import { DEFAULT_TOLERANCE_SECONDS } from '../../common/webhooks/signature';
import { schemaOfPrediction } from '../../common/models/targets';

/** The resume URL: POST /webhook-waiting/<execution>/<node id>[?signature=<n8n's resume token>]. */
export const RESUME_WEBHOOKS: IWebhookDescription[] = [
	{
		name: 'default',
		httpMethod: 'POST',
		responseMode: 'onReceived',
		responseData: '',
		path: '={{ $nodeId }}',
		restartWebhook: true,
		isFullPath: true,
	},
];

type ExecutionKeys = NonNullable<IWorkflowDataProxyAdditionalKeys['$execution']>;

function executionKeys(ctx: IExecuteFunctions): ExecutionKeys | undefined {
	return ctx.getWorkflowDataProxy(0).$execution as ExecutionKeys | undefined;
}

/**
 * The URL Replicate calls back: this execution's resume URL with the node id appended to its path.
 * On n8n >= 2.16 the resume URL carries the execution's random resume token (`?signature=`), which
 * the waiting-webhook endpoint checks; on older versions it has none and none is checked. (The
 * HMAC-signed URL of getSignedResumeUrl() is accepted there only for send-and-wait operations.)
 */
export function callbackUrl(ctx: IExecuteFunctions, itemIndex: number): string {
	const resumeUrl = executionKeys(ctx)?.resumeUrl;
	let url: URL;
	try {
		url = new URL(String(resumeUrl ?? ''));
	} catch {
		throw new NodeOperationError(ctx.getNode(), `n8n gave no resume URL for this execution`, {
			itemIndex,
			description: 'Set WEBHOOK_URL for this n8n instance, or use the "Sync, Then Poll" wait mode.',
		});
	}
	url.pathname = `${url.pathname.replace(/\/+$/, '')}/${encodeURIComponent(ctx.getNode().id)}`;
	return url.toString();
}

/**
 * The execution custom-data key holding the prediction this node waits for (n8n allows
 * [A-Za-z0-9_]).
 */
export function waitingKey(nodeId: string): string {
	return `replicate_${nodeId.replace(/[^A-Za-z0-9]/g, '_')}`.slice(0, 50);
}

const PENDING = 'pending';

/**
 * Claims this node's custom-data entry before the paid request: n8n keeps at most 10 entries per
 * execution and silently drops more, and a run that could not remember its prediction must not
 * start.
 */
export function reserveWaitSlot(ctx: IExecuteFunctions, itemIndex: number): void {
	const data = executionKeys(ctx)?.customData;
	const key = waitingKey(ctx.getNode().id);
	data?.set(key, PENDING);
	if (data?.get(key) !== PENDING) {
		throw new NodeOperationError(
			ctx.getNode(),
			`"Wait for Webhook" could not store its state in this execution`,
			{
				itemIndex,
				description:
					"The node keeps the id of the prediction it waits for in the execution's custom data, and n8n allows 10 entries per execution. Set fewer custom data entries before this node.",
			},
		);
	}
}

/**
 * Keeps the id of the prediction this execution waits for in the execution's own (persisted) data.
 */
export function rememberPrediction(ctx: IExecuteFunctions, id: string): void {
	executionKeys(ctx)?.customData?.set(waitingKey(ctx.getNode().id), id);
}

const keptValue = (value: unknown): string | undefined =>
	typeof value === 'string' && value && value !== PENDING ? value : undefined;

/**
 * The prediction id the waiting execution kept, or undefined (not a waiting "Wait for Webhook"
 * run).
 */
export function waitingFor(ctx: IWebhookFunctions): string | undefined {
	const key = waitingKey(ctx.getNode().id);
	let value: string | undefined;
	try {
		value = keptValue(ctx.evaluateExpression(`{{ $execution.customData.get("${key}") }}`, 0));
	} catch {
		value = undefined;
	}
	if (value) return value;
	// n8n's sandboxed expression engine (the "vm" engine of newer n8n) cannot call functions such as
	// customData.get(); the same $execution object is then read from the webhook context's own
	// expression keys (feature-detected; absent there, the delivery is refused).
	const keys = ('additionalKeys' in ctx ? ctx.additionalKeys : undefined) as
		IWorkflowDataProxyAdditionalKeys | undefined;
	try {
		return keptValue(keys?.$execution?.customData?.get(key));
	} catch {
		return undefined;
	}
}

/** Answers a delivery that does not resume the run, and says why in n8n's log. */
function refuse(
	ctx: IWebhookFunctions,
	status: number,
	error: string,
	reason = error,
): IWebhookResponseData {
	reject(ctx, 'resume', status, { error }, `Wait for Webhook did not resume: ${reason}`);
	return { noWebhookResponse: true };
}

function errorItem(formatted: IDataObject, message: string): INodeExecutionData {
	return { json: { ...formatted, error: message } };
}

async function resume(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const checked = await checkDelivery(ctx, 'resume', DEFAULT_TOLERANCE_SECONDS);
	if (!checked.ok) return { noWebhookResponse: true };
	const expected = waitingFor(ctx);
	if (!expected)
		return refuse(ctx, 409, 'This execution is not waiting for a Replicate prediction');
	const body =
		checked.prediction && typeof checked.prediction === 'object' ? checked.prediction : {};
	if (String(body.id ?? '') !== expected)
		return refuse(ctx, 409, 'This delivery is for another prediction');
	if (!isTerminal(body)) {
		answer(ctx, 200, { received: true, ignored: `status ${String(body.status)} is not final` });
		return { noWebhookResponse: true };
	}
	// The body only says which prediction; its state comes from Replicate, fetched by the kept id.
	const training = ctx.getNodeParameter('resource', 'prediction') === 'training';
	const resource = training ? 'trainings' : 'predictions';
	const fetched = await getPrediction(ctx, expected, undefined, { resource });
	if (!isTerminal(fetched)) {
		// Replicate retries a terminal delivery answered with an error; the run stays suspended.
		return refuse(ctx, 503, `Replicate does not report this ${noun(resource)} as finished yet`);
	}
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const output = outputOptions(options);
	// The version's schema: file detection, Simplify joining text, and which inputs are secret.
	const openapi = await schemaOfPrediction(ctx, fetched);
	const prediction = redactSecrets(fetched, secretsOf(openapi, fetched.input));
	const destination = training
		? locatorText(ctx.getNodeParameter('destination', '')) || undefined
		: undefined;
	const format = (p: IDataObject) =>
		training
			? formatTraining(p, output.includeLogs, destination)
			: formatPrediction(p, output.includeLogs);
	const Noun = training ? 'Training' : 'Prediction';
	if (prediction.status !== 'succeeded') {
		const what =
			prediction.status === 'failed'
				? `failed: ${String(prediction.error ?? 'no error text')}`
				: `was ${prediction.status}`;
		return { workflowData: [[errorItem(format(prediction), `${Noun} ${expected} ${what}`)]] };
	}
	try {
		const items = training
			? await trainingItems(
					ctx,
					prediction,
					{ ...output, download: options.download === true },
					0,
					destination,
				)
			: await predictionItems(ctx, prediction, openapi, output, 0);
		return { workflowData: [items] };
	} catch (error) {
		const message = `${Noun} ${expected} succeeded, but its output could not be passed on: ${(error as Error).message}`;
		return { workflowData: [[errorItem(format(prediction), message)]] };
	}
}

export async function resumeWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	try {
		return await resume(this);
	} catch (error) {
		// Never throw here: n8n would resume the execution without the prediction. A 5xx makes
		// Replicate retry the delivery; the execution keeps waiting meanwhile.
		return refuse(
			this,
			503,
			'Could not confirm the prediction with Replicate; retry later',
			`could not confirm the prediction with Replicate (${(error as Error)?.message ?? String(error)}); Replicate retries the delivery`,
		);
	}
}
