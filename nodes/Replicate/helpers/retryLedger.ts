// n8n's Retry On Fail re-runs the whole node when it throws or when its first output item carries
// an `error`. Without a record of what already succeeded, every retry would start (and bill) every
// item's prediction again. This per-process record keeps, for each run of the node (execution,
// node, run index), the outputs of the items that succeeded, so a retry repeats only the items that
// failed.
//
// How long a run may still be retried comes from n8n's WorkflowExecute: the tries of a run follow
// each other in the same process, each `waitBetweenTries` after the last one ended, up to
// `maxTries` in all; n8n tries again only when the node threw or its first output item has an
// `error`. So a run's entries are kept, whatever their number, while a try runs and while the
// next one is due; they go as soon as n8n cannot try the run again (it succeeded, or its last try
// ended), or once its next try is overdue (the execution was stopped between tries). Memory is
// thus the size, in bytes, of the outputs of the runs in flight in this process (which n8n holds
// anyway once those runs end), not a count: nothing is trimmed while a run may still be retried.
// Nothing here is needed by another process (queue mode): a run's tries all happen in the process
// that started it.
import { createHash } from 'crypto';
import type { IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

/** After its wait between tries, how long a run's next try may be late before it counts as one that will not come. */
const OVERDUE_GRACE_MS = 60_000;

interface Entry {
	input: string;
	items: INodeExecutionData[];
	bytes: number;
}

interface Run {
	tries: number;
	maxTries: number;
	waitMs: number;
	running: boolean;
	/** While no try runs: when the next try is overdue (epoch ms). */
	dueBy: number;
	bytes: number;
	done: Map<number, Entry>;
}

const runs = new Map<string, Run>();
let totalBytes = 0;

export interface RetryLedger {
	get(itemIndex: number): INodeExecutionData[] | undefined;
	set(itemIndex: number, items: INodeExecutionData[]): void;
	/**
	 * This try ended; `failed`: the node threw, or its first output item has an `error` (what makes
	 * n8n try again). The run is forgotten when n8n will not try it again.
	 */
	end(failed: boolean): void;
}

const hash = (value: unknown) =>
	createHash('sha256')
		.update(JSON.stringify(value) ?? '')
		.digest('base64');

/** Roughly the bytes an output holds: its JSON as text, and binary data kept in memory. */
function sizeOf(items: INodeExecutionData[]): number {
	let chars = 0;
	for (const item of items) {
		chars += (JSON.stringify(item.json) ?? '').length + 64;
		for (const binary of Object.values(item.binary ?? {}))
			chars += (typeof binary.data === 'string' ? binary.data.length : 0) + 256;
	}
	return chars * 2; // JavaScript strings are UTF-16
}

function forget(key: string) {
	const run = runs.get(key);
	if (!run) return;
	totalBytes -= run.bytes;
	runs.delete(key);
}

/** Drops the runs whose next try did not come in time (the execution stopped between tries). */
function sweep(now: number) {
	for (const [key, run] of runs) if (!run.running && now > run.dueBy) forget(key);
}

/**
 * n8n's limits on a node's tries (WorkflowExecute: 2 to 5, default 3; at most 5 s apart, default
 * 1 s). Only the lower bounds are applied here: should n8n allow more or longer, a run is kept
 * longer, never dropped early.
 */
function triesOf(node: INode): { maxTries: number; waitMs: number } {
	return {
		maxTries: Math.max(2, node.maxTries || 3),
		waitMs: Math.max(0, node.waitBetweenTries || 1000),
	};
}

/**
 * Starts a try of this run of the node and returns its ledger, or undefined when Retry On Fail is
 * off (nothing to remember).
 */
export function retryLedger(ctx: IExecuteFunctions): RetryLedger | undefined {
	const node = ctx.getNode();
	if (!node.retryOnFail) return undefined;
	const executionId = ctx.getExecutionId();
	if (!executionId) return undefined;
	const now = Date.now();
	sweep(now);
	const runIndex = Number(ctx.getWorkflowDataProxy(0).$runIndex ?? 0);
	const key = `${ctx.getWorkflow().id ?? ''}|${executionId}|${node.id}|${runIndex}|${hash(node.parameters)}`;
	let run = runs.get(key);
	if (!run) {
		run = { ...triesOf(node), tries: 0, running: false, dueBy: 0, bytes: 0, done: new Map() };
		runs.set(key, run);
	}
	const current = run;
	current.tries++;
	current.running = true;
	const items = ctx.getInputData();
	const inputOf = (i: number) =>
		hash([items[i]?.json ?? null, Object.keys(items[i]?.binary ?? {})]);
	return {
		get: (i) => {
			const entry = current.done.get(i);
			return entry && entry.input === inputOf(i) ? entry.items : undefined;
		},
		set: (i, out) => {
			const before = current.done.get(i)?.bytes ?? 0;
			const bytes = sizeOf(out);
			current.done.set(i, { input: inputOf(i), items: out, bytes });
			current.bytes += bytes - before;
			totalBytes += bytes - before;
		},
		end: (failed) => {
			current.running = false;
			if (!failed || current.tries >= current.maxTries) forget(key);
			else current.dueBy = Date.now() + current.waitMs + OVERDUE_GRACE_MS;
		},
	};
}

/** What the ledger holds in this process: runs, item entries and their estimated bytes. */
export function ledgerSize(): { runs: number; entries: number; bytes: number } {
	let entries = 0;
	for (const run of runs.values()) entries += run.done.size;
	return { runs: runs.size, entries, bytes: totalBytes };
}
