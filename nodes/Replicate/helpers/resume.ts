// "Wait for Webhook" runs: the execution waits, Replicate's signed completed-webhook resumes it here.
import type { IDataObject, IWebhookDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { answer, checkDelivery } from './delivery';
import { formatPrediction, outputOptions, predictionItems } from './output';
import { DEFAULT_TOLERANCE_SECONDS } from './signature';
import { getPrediction, isTerminal } from './predictions';

/** The signed URL n8n gives a waiting execution: POST /webhook-waiting/<execution>/<node id>. */
export const RESUME_WEBHOOKS: IWebhookDescription[] = [
	{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '', path: '={{ $nodeId }}', restartWebhook: true, isFullPath: true },
];

export async function resumeWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const checked = await checkDelivery(this, DEFAULT_TOLERANCE_SECONDS, false);
	if (!checked.ok) return { noWebhookResponse: true };
	// The delivery must be for this execution's prediction: its webhook is this very URL.
	const req = this.getRequestObject();
	let mine = false;
	try {
		mine = new URL(String(checked.prediction.webhook ?? '')).pathname.replace(/\/$/, '') === String(req.path ?? '').replace(/\/$/, '');
	} catch {
		mine = false;
	}
	if (!mine) {
		answer(this, 409, { error: 'This delivery is not for the prediction this execution waits for' });
		return { noWebhookResponse: true };
	}
	// Confirm the final state with Replicate rather than trusting the body alone.
	const prediction = await getPrediction(this, String(checked.prediction.id));
	if (!isTerminal(prediction)) {
		answer(this, 200, { received: true, waiting: true });
		return { noWebhookResponse: true };
	}
	const options = this.getNodeParameter('options', {}) as IDataObject;
	if (prediction.status !== 'succeeded') {
		const what = prediction.status === 'failed' ? `failed: ${prediction.error ?? 'no error text'}` : `was ${prediction.status}`;
		return { workflowData: [[{ json: { ...formatPrediction(prediction, true), error: `Prediction ${prediction.id} ${what}` } }]] };
	}
	const items = await predictionItems(this, prediction, null, outputOptions(options), 0);
	return { workflowData: [items] };
}
