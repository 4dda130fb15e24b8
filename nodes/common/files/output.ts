// What a finished prediction becomes in n8n: its JSON (or just the output), and every output file,
// at any depth, streamed into a binary property with the right MIME type and a sensible name.
// Shared by Prediction → Run / Wait and by the trigger.
import type {
	IBinaryData,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	IWebhookFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { downloadFile, getBaseUrl, outboundUrlProblem } from '../transport';
import { isConcatenateOutput, outputFiles } from '../models/schema';

/** Default Max File Size: room for a few minutes of generated video. */
export const DEFAULT_MAX_FILE_MB = 1024;
const DEFAULT_TIMEOUT_MS = 600_000;
const MB = 1024 * 1024;

export interface OutputOptions {
	download: boolean;
	/** Property of the first file; the next ones get _1, _2 … */
	binaryProperty: string;
	splitFiles: boolean;
	simplify: boolean;
	includeLogs: boolean;
	/** Largest file accepted, in bytes (Max File Size). */
	maxFileBytes: number;
	/** All downloads of an item finish within this (the node's Timeout). */
	timeoutMs: number;
}

function positive(v: unknown): number | undefined {
	const n = Number(v);
	return v !== undefined && v !== '' && Number.isFinite(n) && n > 0 ? n : undefined;
}

/** The Max File Size option (Run, Wait, the trigger); `outputOptions` reads it. */
export const maxFileSizeOption: INodeProperties = {
	displayName: 'Max File Size (MB)',
	name: 'maxFileSize',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 1024,
	description:
		'Largest output file downloaded (after decompression). A larger file fails the item and nothing of it is kept.',
};

/**
 * Output options from a node's Options collection (Run, Wait, the resume of Wait for Webhook, the
 * trigger).
 */
export function outputOptions(
	options: IDataObject,
	overrides: Partial<OutputOptions> = {},
): OutputOptions {
	return {
		download: options.download !== false,
		binaryProperty: String(options.binaryProperty ?? 'data').trim() || 'data',
		splitFiles: options.splitFiles === true,
		simplify: options.simplify === true,
		includeLogs: options.includeLogs === true,
		maxFileBytes: Math.round((positive(options.maxFileSize) ?? DEFAULT_MAX_FILE_MB) * MB),
		timeoutMs: (positive(options.timeout) ?? DEFAULT_TIMEOUT_MS / 1000) * 1000,
		...overrides,
	};
}

const FIELD_ORDER = [
	'id',
	'model',
	'version',
	'status',
	'input',
	'output',
	'error',
	'logs',
	'metrics',
	'created_at',
	'started_at',
	'completed_at',
	'deadline',
	'deployment',
	'source',
	'data_removed',
	'webhook',
	'webhook_events_filter',
	'urls',
];

export function formatPrediction(p: IDataObject, includeLogs: boolean): IDataObject {
	const out: IDataObject = {};
	for (const k of FIELD_ORDER)
		if (p[k] !== undefined && (k !== 'logs' || includeLogs)) out[k] = p[k];
	for (const [k, v] of Object.entries(p)) if (!(k in out) && k !== 'logs') out[k] = v;
	// Replicate's `"error": null` means no error; n8n's Retry On Fail reads any `error` that is not
	// undefined as a failure and would run the node again.
	if (out.error === null) delete out.error;
	return out;
}

/**
 * Deeper outputs are refused: n8n copies and stores items recursively and would overflow its stack.
 */
export const MAX_OUTPUT_DEPTH = 1000;

/** How deeply the value nests (iterative: any depth is measured without recursion). */
export function nestingDepth(value: unknown, stopAt = Infinity): number {
	let max = 0;
	const stack: Array<[unknown, number]> = [[value, 0]];
	while (stack.length) {
		const [v, depth] = stack.pop() as [unknown, number];
		if (!v || typeof v !== 'object') continue;
		if (depth + 1 > max) max = depth + 1;
		if (max > stopAt) return max;
		for (const child of Object.values(v as object))
			if (child && typeof child === 'object') stack.push([child, depth + 1]);
	}
	return max;
}

export function binaryName(prefix: string, index: number) {
	return index === 0 ? prefix : `${prefix}_${index}`;
}

/** A finished prediction as n8n items (one, or one per file with Split Files). */
export async function predictionItems(
	ctx: IExecuteFunctions | IWebhookFunctions,
	prediction: IDataObject,
	openapi: IDataObject | null | undefined,
	o: OutputOptions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const output = prediction.output;
	const depth = nestingDepth(output, MAX_OUTPUT_DEPTH);
	if (depth > MAX_OUTPUT_DEPTH) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The output of prediction ${String(prediction.id)} is nested more than ${MAX_OUTPUT_DEPTH} levels deep`,
			{
				itemIndex,
				description:
					'n8n cannot pass on data nested this deeply. Read the output with Prediction → Get in a Code node, or fix the model.',
			},
		);
	}
	let json: IDataObject;
	if (o.simplify) {
		const joined = isConcatenateOutput(openapi) && Array.isArray(output) ? output.join('') : output;
		json =
			joined && typeof joined === 'object' && !Array.isArray(joined)
				? (joined as IDataObject)
				: { output: joined as IDataObject[string] };
	} else {
		json = formatPrediction(prediction, o.includeLogs);
	}
	const candidates = o.download ? outputFiles(output, openapi) : [];
	if (!candidates.length) return [{ json }];
	// The transport's outbound-URL policy, asked first so that a refused URL stays in the output as
	// text with a note (the transport would refuse to fetch it anyway).
	const base = await getBaseUrl.call(ctx);
	const files: string[] = [];
	const skipped: IDataObject[] = [];
	for (const url of candidates) {
		const problem = url.startsWith('data:') ? undefined : outboundUrlProblem(url, base);
		if (problem) skipped.push({ url, reason: `Not downloaded: ${problem}` });
		else files.push(url);
	}
	if (skipped.length) json = { ...json, skippedFiles: skipped };
	if (!files.length) return [{ json }];
	const limits = { maxBytes: o.maxFileBytes, deadline: Date.now() + o.timeoutMs };
	const binaries: IBinaryData[] = [];
	for (let i = 0; i < files.length; i++)
		binaries.push(await downloadFile(ctx, { url: files[i], index: i, itemIndex, limits }));
	if (o.splitFiles) {
		return binaries.map((b, i) => ({
			json: {
				...json,
				file: { index: i, url: files[i].startsWith('data:') ? 'data: URI' : files[i] },
			},
			binary: { [o.binaryProperty]: b },
		}));
	}
	const binary: Record<string, IBinaryData> = {};
	binaries.forEach((b, i) => (binary[binaryName(o.binaryProperty, i)] = b));
	return [{ json, binary }];
}
