// How a prediction's (or training's) outcome (the shared lifecycle's tagged result) comes out of
// Run, Wait and Training → Create: its output as items, or the error it deserves. Secret inputs
// echoed back by Replicate are redacted before anything becomes an item or an error.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { formatPrediction, predictionItems } from '../../../common/files/output';
import { noun, type Prediction, type Resource } from '../../../common/lifecycle/predictions';
import { redactSecrets, secretsOf, type Secrets } from '../../../common/models/secrets';
import type { Outcome } from '../../../common/lifecycle/wait';
import type { WaitSettings } from './options';

/**
 * A failure about a prediction: the message avoids the word n8n reads as a user's stop
 * ("canceled"), and the prediction travels along so Continue On Fail returns it with the error.
 */
function predictionError(
	ctx: IExecuteFunctions,
	formatted: IDataObject,
	i: number,
	message: string,
	description?: string,
): NodeOperationError {
	const error = new NodeOperationError(ctx.getNode(), message, {
		itemIndex: i,
		description,
	});
	error.context = { ...(error.context ?? {}), prediction: formatted };
	return error;
}

export interface OutcomeOptions {
	itemIndex: number;
	settings: WaitSettings;
	/** The version's schema (file detection, joining text, which inputs are secret), or null. */
	openapi: IDataObject | null | undefined;
	/** `predictions` (default) or `trainings`: what the messages call it. */
	resource?: Resource;
	/** The secrets to redact; by default the version's secret inputs with the values echoed back. */
	secrets?: Secrets;
	/** The job as an item's JSON (default: the prediction's fields). */
	format?: (p: IDataObject, includeLogs: boolean) => IDataObject;
	/** A success as items (default: the output and its files). */
	items?: (p: Prediction) => Promise<INodeExecutionData[]>;
}

/** The outcome as items (a success; a timeout with On Timeout "return"), or its error. */
export async function outcomeItems(
	ctx: IExecuteFunctions,
	outcome: Outcome,
	o: OutcomeOptions,
): Promise<INodeExecutionData[]> {
	const { settings: s, itemIndex: i } = o;
	const secrets = o.secrets ?? secretsOf(o.openapi, outcome.prediction.input);
	const p = redactSecrets(outcome.prediction, secrets);
	const format = o.format ?? formatPrediction;
	const what = noun(o.resource);
	const What = `${what.charAt(0).toUpperCase()}${what.slice(1)} ${p.id}`;
	const fail = (message: string, description?: string) =>
		predictionError(ctx, format(p, true), i, message, description);
	switch (outcome.status) {
		case 'succeeded':
			return o.items ? await o.items(p) : await predictionItems(ctx, p, o.openapi, s.output, i);
		case 'timedOut': {
			if (s.onTimeout === 'return')
				return [{ json: { ...format(p, s.output.includeLogs), timedOut: true } }];
			const state = !s.cancelOnTimeout
				? 'It is still running on Replicate (Cancel on Timeout is off).'
				: outcome.canceled
					? 'It was stopped on Replicate (Cancel on Timeout).'
					: 'Stopping it on Replicate did not succeed; its Cancel-After deadline, if any, ends it.';
			throw fail(
				`${What} timed out: not finished after ${s.timeoutMs / 1000} s`,
				`${state} Raise "Timeout (Seconds)", or set "On Timeout" to return the ${what} as it is.`,
			);
		}
		case 'failed': {
			const tail = outcome.logsTail ? redactSecrets({ logs: outcome.logsTail }, secrets).logs : '';
			throw fail(
				`${What} failed: ${String(redactSecrets({ error: outcome.error }, secrets).error)}`,
				tail
					? `Last lines of the ${o.resource === 'trainings' ? "training's" : "model's"} logs:\n${String(tail)}`
					: undefined,
			);
		}
		case 'canceled':
			throw p.status === 'aborted'
				? fail(`${What} was aborted`, 'Its deadline (Cancel-After) passed before it started.')
				: fail(
						`${What} was stopped on Replicate before it finished`,
						`Its status is "canceled": ${o.resource === 'trainings' ? 'it was canceled from the dashboard or the API' : 'its Cancel-After deadline passed while it ran, or it was canceled from the dashboard or the API'}.`,
					);
	}
}
