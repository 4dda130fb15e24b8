// Waiting for a prediction with remote cancel, and turning a finished prediction into items.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { formatPrediction, predictionItems } from '../../../shared/files/output';
import {
	cancelPrediction,
	isTerminal,
	pollPrediction,
	type Prediction,
	type WaitOptions,
} from '../../../shared/lifecycle/predictions';
import { redactSecrets, secretsOf } from '../../../shared/models/secrets';
import { schemaOfPrediction as predictionSchema } from '../../../shared/models/targets';
import type { Batch } from '../types';
import { memo } from './input';
import type { WaitSettings } from './options';

/** Polls until done; on a stop (execution stopped, another item failed) cancels the prediction. */
export async function waitFor(
	ctx: IExecuteFunctions,
	p: Prediction,
	i: number,
	batch: Batch,
	deadline: number,
	start: WaitOptions['start'],
	maxDelayMs: number,
) {
	const r = await pollPrediction(ctx, p, {
		itemIndex: i,
		deadline,
		signal: batch.signal,
		start,
		maxDelayMs,
	});
	if (r.stopped) await stopped(ctx, r.prediction, i);
	return r;
}

/** The execution stopped while a prediction ran: cancel it on Replicate, then fail. */
export async function stopped(ctx: IExecuteFunctions, p: Prediction, i: number): Promise<never> {
	if (!isTerminal(p)) await cancelPrediction(ctx, p.id, i).catch(() => undefined);
	// "canceled" in the message is what makes n8n list a stopped execution as canceled.
	throw new NodeOperationError(
		ctx.getNode(),
		`Stopped; prediction ${p.id} was canceled on Replicate`,
		{ itemIndex: i },
	);
}

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

function logTail(logs: unknown, lines = 15): string | undefined {
	if (typeof logs !== 'string' || !logs.trim()) return undefined;
	return logs.trimEnd().split('\n').slice(-lines).join('\n');
}

/** A finished (or timed-out) prediction as items, or the error it deserves. */
export async function finish(
	ctx: IExecuteFunctions,
	prediction: Prediction,
	openapi: IDataObject | null | undefined,
	s: WaitSettings,
	i: number,
	timedOut: boolean,
): Promise<INodeExecutionData[]> {
	// Secret inputs echoed back by Replicate go before anything becomes an item or an error.
	const secrets = secretsOf(openapi, prediction.input);
	let p = redactSecrets(prediction, secrets);
	if (timedOut) {
		let ended = false;
		if (s.cancelOnTimeout) {
			p = await cancelPrediction(ctx, p.id, i).then(
				(c) => ((ended = true), redactSecrets(c, secrets)),
				() => p,
			);
		}
		if (s.onTimeout === 'return')
			return [{ json: { ...formatPrediction(p, s.output.includeLogs), timedOut: true } }];
		const state = !s.cancelOnTimeout
			? 'It is still running on Replicate (Cancel on Timeout is off).'
			: ended
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
	const tail = logTail(p.logs);
	switch (p.status) {
		case 'succeeded':
			return await predictionItems(ctx, p, openapi, s.output, i);
		case 'failed':
			throw predictionError(
				ctx,
				p,
				i,
				`Prediction ${p.id} failed: ${typeof p.error === 'string' && p.error ? p.error : 'no error text'}`,
				tail ? `Last lines of the model's logs:\n${tail}` : undefined,
			);
		case 'canceled':
			throw predictionError(
				ctx,
				p,
				i,
				`Prediction ${p.id} was stopped on Replicate before it finished`,
				'Its status is "canceled": its Cancel-After deadline passed while it ran, or it was canceled from the dashboard or the API.',
			);
		case 'aborted':
			throw predictionError(
				ctx,
				p,
				i,
				`Prediction ${p.id} was aborted`,
				'Its deadline (Cancel-After) passed before it started.',
			);
		default:
			return [{ json: formatPrediction(p, s.output.includeLogs) }];
	}
}

/**
 * The schema of an existing prediction's version (for file detection and text joining); best
 * effort.
 */
export async function schemaOfPrediction(
	ctx: IExecuteFunctions,
	p: Prediction,
	i: number,
	batch: Batch,
): Promise<IDataObject | null> {
	return await memo(batch, `schema:${String(p.model ?? '')}:${String(p.version ?? '')}`, () =>
		predictionSchema(ctx, p, i),
	);
}
