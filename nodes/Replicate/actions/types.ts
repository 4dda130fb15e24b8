import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

/** Shared by the items of one execution. */
export interface Batch {
	/** Aborted when the execution is stopped or another item failed without Continue On Fail. */
	signal: AbortSignal;
	/** Per-execution memo (model schemas, resolved versions), keyed by what was looked up. */
	memo: Map<string, Promise<unknown>>;
}

/**
 * What every operation returns for one input item: its output items (the router adds pairedItem).
 */
export type OperationResult = INodeExecutionData[];

/**
 * Replicate's answer as items, one per object. Unlike n8n's returnJsonArray, an answer that has a
 * `json` field is never taken for an item of its own (with `binary` beside it, say).
 */
export function jsonItems(data: IDataObject | IDataObject[]): INodeExecutionData[] {
	return (Array.isArray(data) ? data : [data]).map((json) => ({ json }));
}

export interface Operation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, itemIndex: number, batch: Batch): Promise<OperationResult>;
	/** How many items may run at once (default 1). */
	concurrency?(this: IExecuteFunctions): number;
	/**
	 * A check on the whole input (e.g. "Wait for Webhook" takes one item per execution). The router
	 * runs it for each item before `execute`, so its error takes the same path as any item's error
	 * (item index, Continue On Fail); it must send nothing.
	 */
	checkInput?(this: IExecuteFunctions, items: INodeExecutionData[], itemIndex: number): void;
}

/** An operation as the editor's Operation list shows it, with what runs it. */
export interface OperationEntry {
	/** The option's name ("Get Many"). */
	name: string;
	/** The action sentence the node panel and the canvas subtitle show ("Get many models"). */
	action: string;
	description: string;
	/** Advice for n8n's AI Workflow Builder where it would pick the wrong operation. */
	builderHint?: string;
	operation: Operation;
}

/**
 * A resource: its name in the Resource list and its operations, in the order the Operation list
 * shows them (the key is the parameter value workflows store).
 */
export interface ResourceDefinition<Op extends string = string> {
	name: string;
	defaultOperation: NoInfer<Op>;
	operations: Record<Op, OperationEntry>;
}

/** Declares a resource; `defaultOperation` must be one of its operations. */
export function defineResource<Op extends string>(
	definition: ResourceDefinition<Op>,
): ResourceDefinition<Op> {
	return definition;
}
