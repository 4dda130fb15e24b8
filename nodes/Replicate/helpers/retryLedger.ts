// n8n's Retry On Fail re-runs the whole node when it throws or when its first output item carries
// an `error`. Without a record of what already succeeded, every retry would start (and bill) every
// item's prediction again. This per-process record keeps the items that succeeded in this run of
// the node, so a retry repeats only the items that failed. n8n runs the retries in the same process
// right after the failed try, so nothing here is needed by another process (queue mode).
import { createHash } from 'crypto';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

const TTL_MS = 30 * 60_000;
const MAX_ENTRIES = 10_000;
const entries = new Map<string, { at: number; items: INodeExecutionData[] }>();

export interface RetryLedger {
	get(itemIndex: number): INodeExecutionData[] | undefined;
	set(itemIndex: number, items: INodeExecutionData[]): void;
	/** The node finished with every item done: nothing will be retried. */
	clear(): void;
}

const hash = (value: unknown) =>
	createHash('sha256')
		.update(JSON.stringify(value) ?? '')
		.digest('base64');

function evict(now: number) {
	for (const [key, entry] of entries) {
		if (now - entry.at > TTL_MS || entries.size > MAX_ENTRIES) entries.delete(key);
		else break; // insertion order is age order
	}
}

/**
 * The ledger of this run of the node, or undefined when Retry On Fail is off (nothing to remember).
 */
export function retryLedger(ctx: IExecuteFunctions): RetryLedger | undefined {
	const node = ctx.getNode();
	if (!node.retryOnFail) return undefined;
	const executionId = ctx.getExecutionId();
	if (!executionId) return undefined;
	const runIndex = Number(ctx.getWorkflowDataProxy(0).$runIndex ?? 0);
	const run = `${ctx.getWorkflow().id ?? ''}|${executionId}|${node.id}|${runIndex}|${hash(node.parameters)}|`;
	const items = ctx.getInputData();
	const keyOf = (i: number) =>
		`${run}${i}|${hash([items[i]?.json ?? null, Object.keys(items[i]?.binary ?? {})])}`;
	evict(Date.now());
	return {
		get: (i) => entries.get(keyOf(i))?.items,
		set: (i, out) => {
			entries.delete(keyOf(i));
			entries.set(keyOf(i), { at: Date.now(), items: out });
		},
		clear: () => {
			for (const key of [...entries.keys()]) if (key.startsWith(run)) entries.delete(key);
		},
	};
}
