// Dispatches resource/operation, runs items (concurrently where the operation allows), keeps item
// order and pairedItem, and applies Continue On Fail in one place.
import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { retryLedger } from '../helpers/retryLedger';
import { cancelSignal, redactText } from '../transport';
import { resources } from './resources';
import type { Batch, OperationResult } from './types';

function toItems(
	this: IExecuteFunctions,
	result: OperationResult,
	itemIndex: number,
): INodeExecutionData[] {
	const items: INodeExecutionData[] =
		Array.isArray(result) && result.length && 'json' in (result[0] as object)
			? (result as INodeExecutionData[])
			: this.helpers.returnJsonArray(result as IDataObject | IDataObject[]);
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

function errorItem(
	error: Error & { description?: string; httpCode?: string | null; context?: IDataObject },
	itemIndex: number,
): INodeExecutionData {
	const json: IDataObject = { error: redactText(error.message) };
	if (error.description) json.description = redactText(error.description);
	if (error.httpCode) json.httpCode = error.httpCode;
	const prediction = error.context?.prediction as IDataObject | undefined;
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

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = (resources as Record<string, { operations: Record<string, unknown> }>)[resource]
		?.operations[operationName] as import('./types').Operation | undefined;
	if (!operation) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operationName}" of "${resource}" is not supported`,
		);
	}

	const controller = new AbortController();
	const execution = cancelSignal(this);
	if (execution) {
		if (execution.aborted) controller.abort();
		else execution.addEventListener('abort', () => controller.abort(), { once: true });
	}
	const batch: Batch = { signal: controller.signal, memo: new Map() };
	operation.checkInput?.call(this, items);
	const results: INodeExecutionData[][] = new Array(items.length);
	let firstError: { error: Error; index: number } | undefined;
	let failed = false;
	const continueOnFail = this.continueOnFail();
	const limit = operation.concurrency ? operation.concurrency.call(this) : 1;
	const ledger = retryLedger(this);

	await pool(items.length, limit, controller.signal, async (i) => {
		const done = ledger?.get(i);
		if (done) {
			results[i] = done; // succeeded in an earlier try of Retry On Fail: not run (nor paid) again
			return;
		}
		try {
			results[i] = toItems.call(this, await operation.execute.call(this, i, batch), i);
			ledger?.set(i, results[i]);
		} catch (error) {
			failed = true;
			// Nothing that looks like a credential leaves in a message (the transport already removed the token).
			if (error instanceof NodeApiError || error instanceof NodeOperationError) {
				error.message = redactText(error.message);
				if (error.description) error.description = redactText(error.description);
			}
			// Local checks name the item in their message; make sure every one does.
			if (error instanceof NodeOperationError && !/\[item \d+\]/.test(error.message))
				error.message = `${error.message} [item ${i}]`;
			if (continueOnFail) {
				results[i] = [errorItem(error as Error, i)];
				return;
			}
			// The first failure is the cause; the others may only be its consequence (they were stopped).
			firstError ??= { error: error as Error, index: i };
			// Without Retry On Fail the node fails now: the other items stop waiting and cancel what
			// they started. With it, n8n runs the node again, so the others finish and are kept for
			// that retry (which then repeats only the failed items) instead of being paid twice.
			if (!ledger) controller.abort();
		}
	});

	if (!failed) ledger?.clear();
	if (firstError) {
		const { error, index } = firstError;
		if (error instanceof NodeApiError || error instanceof NodeOperationError) {
			error.context = { ...(error.context ?? {}), itemIndex: index };
			throw error;
		}
		throw new NodeOperationError(this.getNode(), error as unknown as JsonObject, {
			itemIndex: index,
		});
	}
	return [results.flat().filter(Boolean)];
}
