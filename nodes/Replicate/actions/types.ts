import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

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
}
