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

export type OperationResult = INodeExecutionData[] | IDataObject | IDataObject[];

export interface Operation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, itemIndex: number, batch: Batch): Promise<OperationResult>;
	/** How many items may run at once (default 1). */
	concurrency?(this: IExecuteFunctions): number;
	/**
	 * Checks that concern the whole input rather than one item (e.g. "Wait for Webhook" takes one
	 * item per execution); throws a node error before any item runs.
	 */
	checkInput?(this: IExecuteFunctions, items: INodeExecutionData[]): void;
}
