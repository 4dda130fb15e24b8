// Dispatches resource/operation, runs items (concurrently where the operation allows), keeps item
// order and pairedItem, and applies Continue On Fail in one place.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { retryLedger } from '../helpers/retryLedger';
import { objectAt } from '../../common/readers';
import { asNodeError, cancelSignal } from '../../common/transport';
import { findOperation } from './resources';
import type { Batch, Operation } from './types';

type NodeError = NodeApiError | NodeOperationError;

function withPairedItem(items: INodeExecutionData[], itemIndex: number): INodeExecutionData[] {
	return items.map((item) => {
		// n8n's Retry On Fail takes an item whose json.error is not undefined for a failure: a null
		// `error` (Replicate's "no error") must not make a successful run look failed.
		if (item.json && item.json.error === null) {
			const json = { ...item.json };
			delete json.error;
			return { ...item, json, pairedItem: { item: itemIndex } };
		}
		return { ...item, pairedItem: { item: itemIndex } };
	});
}

/**
 * The one place a message gets its item. n8n keeps `itemIndex` in the error's context (the editor
 * shows it among the details) but not in the message, which is all Continue On Fail and an error
 * workflow see. Errors about an item's input (local checks, and Replicate's "not found" for what
 * the item names, marked `aboutInput`) say which item; Replicate's own answers stay as sent. An
 * error can be shared by items (one lookup serves them all), so its message is not changed here.
 */
function itemMessage(error: NodeError, itemIndex: number): string {
	const aboutInput = error instanceof NodeOperationError || error.context.aboutInput === true;
	const message = error.message.replace(/ \[item \d+\]$/, '');
	return aboutInput ? `${message} [item ${itemIndex}]` : message;
}

/** The error the node fails with: its message and context name the item. */
function withItem(error: NodeError, itemIndex: number): NodeError {
	error.message = itemMessage(error, itemIndex);
	error.context = { ...error.context, itemIndex };
	return error;
}

/** The item Continue On Fail returns for an error (with the prediction it was about, if any). */
function continueOnFailItem(error: NodeError, itemIndex: number): INodeExecutionData {
	const json: IDataObject = { error: itemMessage(error, itemIndex) };
	if (error.description) json.description = error.description;
	if (error instanceof NodeApiError && error.httpCode) json.httpCode = error.httpCode;
	const prediction = objectAt(error.context, 'prediction');
	return { json: prediction ? { ...prediction, ...json } : json, pairedItem: { item: itemIndex } };
}

/** Runs `count` tasks, at most `limit` at a time; stops starting new ones once `signal` aborts. */
async function pool(
	count: number,
	limit: number,
	signal: AbortSignal,
	task: (i: number) => Promise<void>,
) {
	let next = 0;
	const worker = async () => {
		while (next < count && !signal.aborted) await task(next++);
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker));
}

/** The batch's signal: aborted by a stop of the execution, or by the router itself. */
function batchController(ctx: IExecuteFunctions): AbortController {
	const controller = new AbortController();
	const execution = cancelSignal(ctx);
	if (execution) {
		if (execution.aborted) controller.abort();
		else execution.addEventListener('abort', () => controller.abort(), { once: true });
	}
	return controller;
}

function selectedOperation(ctx: IExecuteFunctions): Operation {
	const resource = ctx.getNodeParameter('resource', 0) as string;
	const operation = ctx.getNodeParameter('operation', 0) as string;
	const found = findOperation(resource, operation);
	if (!found) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The operation "${operation}" of "${resource}" is not supported`,
		);
	}
	return found;
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = selectedOperation(this);
	const controller = batchController(this);
	const batch: Batch = { signal: controller.signal, memo: new Map() };
	const results: INodeExecutionData[][] = new Array(items.length);
	let firstError: { error: NodeError; itemIndex: number } | undefined;
	const continueOnFail = this.continueOnFail();
	let limit = 1;
	try {
		if (operation.concurrency) limit = operation.concurrency.call(this);
	} catch (caught) {
		// a node-wide option, read at the first item
		throw withItem(asNodeError(this, caught), 0);
	}
	const ledger = retryLedger(this);
	let ended = false;
	try {
		await pool(items.length, limit, controller.signal, async (i) => {
			const done = ledger?.get(i);
			if (done) {
				results[i] = done; // succeeded in an earlier try of Retry On Fail: not run (nor paid) again
				return;
			}
			try {
				operation.checkInput?.call(this, items, i);
				results[i] = withPairedItem(await operation.execute.call(this, i, batch), i);
				ledger?.set(i, results[i]);
			} catch (caught) {
				const error = asNodeError(this, caught);
				if (continueOnFail) {
					results[i] = [continueOnFailItem(error, i)];
					return;
				}
				// The first failure is the cause; the others may only be its consequence (they were stopped).
				firstError ??= { error, itemIndex: i };
				// Without Retry On Fail the node fails now: the other items stop waiting and cancel what
				// they started. With it, n8n runs the node again, so the others finish and are kept for
				// that retry (which then repeats only the failed items) instead of being paid twice.
				if (!ledger) controller.abort();
			}
		});
		ended = true;
	} finally {
		if (!ended) ledger?.end(true);
	}
	const output = results.flat().filter(Boolean);
	// n8n tries the node again when it throws or its first item has an error (Continue On Fail; n8n
	// 2.8 counts any value there, 2.41 not null or false: the wider reading keeps a run, never drops it early).
	ledger?.end(firstError !== undefined || output[0]?.json.error !== undefined);
	if (firstError) {
		throw withItem(firstError.error, firstError.itemIndex);
	}
	return [output];
}
