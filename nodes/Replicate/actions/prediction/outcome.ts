// How a prediction's outcome (the shared lifecycle's tagged result) comes out of Run and Wait:
// its output as items, or the error it deserves.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { formatPrediction, predictionItems } from '../../../shared/files/output';
import type { Prediction } from '../../../shared/lifecycle/predictions';
import type { Outcome } from '../../../shared/lifecycle/wait';
import type { WaitSettings } from './options';

/**
 * A failure about a prediction: the message avoids the word n8n reads as a user's stop
 * ("canceled"), and the prediction travels along so Continue On Fail returns it with the error.
 */
function predictionError(
	ctx: IExecuteFunctions,
	p: Prediction,
	i: number,
	message: string,
	description?: string,
): NodeOperationError {
	const error = new NodeOperationError(ctx.getNode(), message, {
		itemIndex: i,
		description,
	});
	error.context = { ...(error.context ?? {}), prediction: formatPrediction(p, true) };
	return error;
}

export interface OutcomeOptions {
	itemIndex: number;
	settings: WaitSettings;
	/** The model version's schema (file detection, joining text), or null. */
	openapi: IDataObject | null | undefined;
}

/** The outcome as items (a success; a timeout with On Timeout "return"), or its error. */
export async function outcomeItems(
	ctx: IExecuteFunctions,
	outcome: Outcome,
	o: OutcomeOptions,
): Promise<INodeExecutionData[]> {
	const { settings: s, itemIndex: i } = o;
	const p = outcome.prediction;
	switch (outcome.status) {
		case 'succeeded':
			return await predictionItems(ctx, p, o.openapi, s.output, i);
		case 'timedOut': {
			if (s.onTimeout === 'return')
				return [{ json: { ...formatPrediction(p, s.output.includeLogs), timedOut: true } }];
			const state = !s.cancelOnTimeout
				? 'It is still running on Replicate (Cancel on Timeout is off).'
				: outcome.canceled
					? 'It was stopped on Replicate (Cancel on Timeout).'
					: 'Stopping it on Replicate did not succeed; its Cancel-After deadline, if any, ends it.';
			throw predictionError(
				ctx,
				p,
				i,
				`Prediction ${p.id} timed out: not finished after ${s.timeoutMs / 1000} s`,
				`${state} Raise "Timeout (Seconds)", or set "On Timeout" to return the prediction as it is.`,
			);
		}
		case 'failed':
			throw predictionError(
				ctx,
				p,
				i,
				`Prediction ${p.id} failed: ${outcome.error}`,
				outcome.logsTail ? `Last lines of the model's logs:\n${outcome.logsTail}` : undefined,
			);
		case 'canceled':
			throw p.status === 'aborted'
				? predictionError(
						ctx,
						p,
						i,
						`Prediction ${p.id} was aborted`,
						'Its deadline (Cancel-After) passed before it started.',
					)
				: predictionError(
						ctx,
						p,
						i,
						`Prediction ${p.id} was stopped on Replicate before it finished`,
						'Its status is "canceled": its Cancel-After deadline passed while it ran, or it was canceled from the dashboard or the API.',
					);
	}
}
