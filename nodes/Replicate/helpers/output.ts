// What a finished prediction becomes in n8n: its JSON (or just the output), and every output file,
// at any depth, streamed into a binary property with the right MIME type and a sensible name.
// Shared by Prediction → Run / Wait and by the trigger.
import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { openDownload } from '../transport';
import { declaresFiles, isConcatenateOutput } from './schema';

export interface OutputOptions {
	download: boolean;
	/** Property of the first file; the next ones get _1, _2 … */
	binaryProperty: string;
	splitFiles: boolean;
	simplify: boolean;
	includeLogs: boolean;
}

/** Output options from a node's Options collection (Run, Wait, the resume of Wait for Webhook, the trigger). */
export function outputOptions(options: IDataObject, overrides: Partial<OutputOptions> = {}): OutputOptions {
	return {
		download: options.download !== false,
		binaryProperty: String(options.binaryProperty ?? 'data').trim() || 'data',
		splitFiles: options.splitFiles === true,
		simplify: options.simplify === true,
		includeLogs: options.includeLogs === true,
		...overrides,
	};
}

const MIME_BY_EXT: Record<string, string> = {
	png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', svg: 'image/svg+xml',
	mp4: 'video/mp4', webm: 'video/webm', mov: 'video/quicktime', wav: 'audio/wav', mp3: 'audio/mpeg', ogg: 'audio/ogg',
	flac: 'audio/flac', m4a: 'audio/mp4', txt: 'text/plain', json: 'application/json', csv: 'text/csv', pdf: 'application/pdf',
	zip: 'application/zip', tar: 'application/x-tar', glb: 'model/gltf-binary', obj: 'model/obj', npy: 'application/octet-stream',
};
const EXT_BY_MIME: Record<string, string> = Object.fromEntries(Object.entries(MIME_BY_EXT).reverse().map(([e, m]) => [m, e]));

const FIELD_ORDER = ['id', 'model', 'version', 'status', 'input', 'output', 'error', 'logs', 'metrics', 'created_at', 'started_at', 'completed_at', 'deadline', 'deployment', 'source', 'data_removed', 'webhook', 'webhook_events_filter', 'urls'];

export function formatPrediction(p: IDataObject, includeLogs: boolean): IDataObject {
	const out: IDataObject = {};
	for (const k of FIELD_ORDER) if (p[k] !== undefined && (k !== 'logs' || includeLogs)) out[k] = p[k];
	for (const [k, v] of Object.entries(p)) if (!(k in out) && k !== 'logs') out[k] = v;
	// Replicate's `"error": null` means no error; n8n's Retry On Fail reads any `error` that is not
	// undefined as a failure and would run the node again.
	if (out.error === null) delete out.error;
	return out;
}

const looksLikeFile = (s: string) => /^(https?:\/\/\S+|data:[^,\s]*,\S*)$/.test(s);

/** Deeper outputs are refused: n8n copies and stores items recursively and would overflow its stack. */
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
		for (const child of Object.values(v as object)) if (child && typeof child === 'object') stack.push([child, depth + 1]);
	}
	return max;
}

/** The file URLs in an output, in order, at any depth (iterative, so depth cannot overflow the stack). */
export function findFiles(output: unknown, openapi?: IDataObject | null): string[] {
	if (declaresFiles(openapi) === false) return [];
	const found: string[] = [];
	const stack: unknown[] = [output];
	while (stack.length) {
		const v = stack.pop();
		if (typeof v === 'string') {
			if (looksLikeFile(v)) found.push(v);
		} else if (v && typeof v === 'object') {
			const children = Array.isArray(v) ? v : Object.values(v);
			for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
		}
	}
	return found;
}

function fileNameFor(url: string, index: number, mime?: string): string {
	let name = '';
	if (!url.startsWith('data:')) {
		try {
			name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
		} catch {
			name = '';
		}
	}
	name = name.replace(/[^\w.\- ]+/g, '_');
	const ext = mime ? EXT_BY_MIME[mime] : undefined;
	if (!name) name = `output_${index}${ext ? `.${ext}` : ''}`;
	else if (!/\.[A-Za-z0-9]{1,5}$/.test(name) && ext) name = `${name}.${ext}`;
	return name;
}

function mimeFor(contentType: string | undefined, name: string): string {
	const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
	if (ct && ct !== 'application/octet-stream' && ct !== 'binary/octet-stream') return ct;
	return MIME_BY_EXT[name.split('.').pop()?.toLowerCase() ?? ''] ?? (ct || 'application/octet-stream');
}

/** Downloads one output file into n8n's binary store; a short or failed download is an error. */
export async function downloadFile(ctx: IExecuteFunctions | IWebhookFunctions, url: string, index: number, itemIndex: number): Promise<IBinaryData> {
	const dataUri = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s.exec(url);
	if (dataUri) {
		const mime = dataUri[1] || 'text/plain';
		let bytes: Buffer;
		try {
			bytes = dataUri[2].includes(';base64') ? Buffer.from(dataUri[3], 'base64') : Buffer.from(decodeURIComponent(dataUri[3]));
		} catch {
			throw new NodeOperationError(ctx.getNode(), `Output file ${index} is a data: URI whose text cannot be decoded (broken %-escapes) [item ${itemIndex}]`, {
				itemIndex,
				description: `It starts with ${JSON.stringify(url.slice(0, 60))}. Turn off "Download Output Files" to get the output as it is.`,
			});
		}
		return await ctx.helpers.prepareBinaryData(bytes, fileNameFor(url, index, mime), mime);
	}
	const res = await openDownload.call(ctx, url, itemIndex);
	if (res.statusCode !== 200) {
		res.body.destroy?.();
		const gone = res.statusCode === 404 || res.statusCode === 403 || res.statusCode === 410;
		throw new NodeOperationError(ctx.getNode(), `Could not download output file ${url}: HTTP ${res.statusCode} [item ${itemIndex}]`, {
			itemIndex,
			description: gone ? 'Replicate keeps output files for one hour after a prediction finishes; the file may have expired.' : undefined,
		});
	}
	const name = fileNameFor(url, index, mimeFor(res.headers['content-type'], ''));
	const mime = mimeFor(res.headers['content-type'], name);
	let binary: IBinaryData;
	try {
		binary = await ctx.helpers.prepareBinaryData(res.body as unknown as Buffer, name, mime);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), `The download of ${url} broke off: ${(error as Error).message} [item ${itemIndex}]`, { itemIndex });
	}
	const expected = Number(res.headers['content-length']);
	if (Number.isFinite(expected) && typeof binary.bytes === 'number' && binary.bytes !== expected) {
		throw new NodeOperationError(ctx.getNode(), `The download of ${url} ended short: ${binary.bytes} of ${expected} bytes [item ${itemIndex}]`, {
			itemIndex,
			description: 'The connection closed before the whole file arrived; no partial file is passed on.',
		});
	}
	return binary;
}

export function binaryName(prefix: string, index: number) {
	return index === 0 ? prefix : `${prefix}_${index}`;
}

/** A finished prediction as n8n items (one, or one per file with Split Files). */
export async function predictionItems(ctx: IExecuteFunctions | IWebhookFunctions, prediction: IDataObject, openapi: IDataObject | null | undefined, o: OutputOptions, itemIndex: number): Promise<INodeExecutionData[]> {
	const output = prediction.output;
	const depth = nestingDepth(output, MAX_OUTPUT_DEPTH);
	if (depth > MAX_OUTPUT_DEPTH) {
		throw new NodeOperationError(ctx.getNode(), `The output of prediction ${String(prediction.id)} is nested more than ${MAX_OUTPUT_DEPTH} levels deep [item ${itemIndex}]`, {
			itemIndex,
			description: 'n8n cannot pass on data nested this deeply. Read the output with Prediction → Get in a Code node, or fix the model.',
		});
	}
	let json: IDataObject;
	if (o.simplify) {
		const joined = isConcatenateOutput(openapi) && Array.isArray(output) ? output.join('') : output;
		json = joined && typeof joined === 'object' && !Array.isArray(joined) ? (joined as IDataObject) : { output: joined as IDataObject[string] };
	} else {
		json = formatPrediction(prediction, o.includeLogs);
	}
	const files = o.download ? findFiles(output, openapi) : [];
	if (!files.length) return [{ json }];
	const binaries: IBinaryData[] = [];
	for (let i = 0; i < files.length; i++) binaries.push(await downloadFile(ctx, files[i], i, itemIndex));
	if (o.splitFiles) {
		return binaries.map((b, i) => ({ json: { ...json, file: { index: i, url: files[i].startsWith('data:') ? 'data: URI' : files[i] } }, binary: { [o.binaryProperty]: b } }));
	}
	const binary: Record<string, IBinaryData> = {};
	binaries.forEach((b, i) => (binary[binaryName(o.binaryProperty, i)] = b));
	return [{ json, binary }];
}
