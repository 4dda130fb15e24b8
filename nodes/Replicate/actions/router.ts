// Dispatches resource/operation, runs items (concurrently where the operation allows), keeps item
// order and pairedItem, and applies Continue On Fail in one place.
import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { cancelSignal } from '../transport';
import { resources } from './resources';
import type { Batch, OperationResult } from './types';

function toItems(this: IExecuteFunctions, result: OperationResult, itemIndex: number): INodeExecutionData[] {
	const items: INodeExecutionData[] =
		Array.isArray(result) && result.length && 'json' in (result[0] as object)
			? (result as INodeExecutionData[])
			: this.helpers.returnJsonArray(result as IDataObject | IDataObject[]);
	return items.map((item) => ({ ...item, pairedItem: { item: itemIndex } }));
}

function errorItem(error: Error & { description?: string; httpCode?: string | null; context?: IDataObject }, itemIndex: number): INodeExecutionData {
	const json: IDataObject = { error: error.message };
	if (error.description) json.description = error.description;
	if (error.httpCode) json.httpCode = error.httpCode;
	const prediction = error.context?.prediction as IDataObject | undefined;
	return { json: prediction ? { ...prediction, ...json } : json, pairedItem: { item: itemIndex } };
}

/** Runs `count` tasks, at most `limit` at a time; stops starting new ones once `signal` aborts. */
async function pool(count: number, limit: number, signal: AbortSignal, task: (i: number) => Promise<void>) {
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
	const operation = (resources as Record<string, { operations: Record<string, unknown> }>)[resource]?.operations[
		operationName
	] as import('./types').Operation | undefined;
	if (!operation) {
		throw new NodeOperationError(this.getNode(), `The operation "${operationName}" of "${resource}" is not supported`);
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
	const continueOnFail = this.continueOnFail();
	const limit = operation.concurrency ? operation.concurrency.call(this) : 1;

	await pool(items.length, limit, controller.signal, async (i) => {
		try {
			results[i] = toItems.call(this, await operation.execute.call(this, i, batch), i);
		} catch (error) {
			// Local checks name the item in their message; make sure every one does.
			if (error instanceof NodeOperationError && !/\[item \d+\]/.test(error.message)) error.message = `${error.message} [item ${i}]`;
			if (continueOnFail) {
				results[i] = [errorItem(error as Error, i)];
				return;
			}
			// The first failure is the cause; the others may only be its consequence (they were stopped).
			firstError ??= { error: error as Error, index: i };
			controller.abort(); // the other items stop waiting and cancel what they started
		}
	});

	if (firstError) {
		const { error, index } = firstError;
		if (error instanceof NodeApiError || error instanceof NodeOperationError) {
			error.context = { ...(error.context ?? {}), itemIndex: index };
			throw error;
		}
		throw new NodeOperationError(this.getNode(), error as unknown as JsonObject, { itemIndex: index });
	}
	return [results.flat().filter(Boolean)];
}
