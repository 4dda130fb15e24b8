// What a finished prediction becomes in n8n: its JSON (or just the output), and every output file,
// at any depth, streamed into a binary property with the right MIME type and a sensible name.
// Shared by Prediction → Run / Wait and by the trigger.
import type {
	IBinaryData,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	IWebhookFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	asNodeError,
	cancelSignal,
	fileUrlProblem,
	getBaseUrl,
	openDownload,
	pause,
	type Download,
} from '../transport';
import { isConcatenateOutput, outputFiles } from '../models/schema';

/** Default Max File Size: room for a few minutes of generated video. */
export const DEFAULT_MAX_FILE_MB = 1024;
/**
 * No byte for this long and a download is given up (the whole download is also bounded by the
 * Timeout).
 */
export const STALL_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 600_000;
const MB = 1024 * 1024;
/**
 * How much of a download is read ahead of the binary store's writes: 512 KiB, the largest single
 * write n8n's filesystem store makes (Node's writeFile), so what arrives during one write is
 * stored by the next. A larger buffer made the download slower (more bytes copied while waiting
 * for a write), a smaller one more writes.
 */
const READ_AHEAD_BYTES = 512 * 1024;

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

const MIME_BY_EXT: Record<string, string> = {
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	webp: 'image/webp',
	gif: 'image/gif',
	svg: 'image/svg+xml',
	mp4: 'video/mp4',
	webm: 'video/webm',
	mov: 'video/quicktime',
	wav: 'audio/wav',
	mp3: 'audio/mpeg',
	ogg: 'audio/ogg',
	flac: 'audio/flac',
	m4a: 'audio/mp4',
	txt: 'text/plain',
	json: 'application/json',
	csv: 'text/csv',
	pdf: 'application/pdf',
	zip: 'application/zip',
	tar: 'application/x-tar',
	glb: 'model/gltf-binary',
	obj: 'model/obj',
	npy: 'application/octet-stream',
};
// application/octet-stream says nothing about the file: it gives no extension (not ".npy").
const EXT_BY_MIME: Record<string, string> = Object.fromEntries(
	Object.entries(MIME_BY_EXT)
		.reverse()
		.filter(([, m]) => m !== 'application/octet-stream')
		.map(([e, m]) => [m, e]),
);
/** A table entry of its own: a hostile "constructor" or "__proto__" finds nothing. */
const lookup = (table: Record<string, string>, key: string): string | undefined =>
	Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;

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

/** Longest file name most file systems accept, in UTF-8 bytes. */
const MAX_NAME_BYTES = 255;

/**
 * Control characters, separators and characters no file system accepts go; unicode letters stay.
 * A name never starts with a dot or a space, and keeps its extension within `max` characters and
 * 255 UTF-8 bytes.
 */
export function safeFileName(raw: string, max = 120): string {
	let name = raw
		.normalize('NFC')
		.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
		.replace(/[/\\:*?"<>|]/g, '_')
		.trim()
		.replace(/^[.\s]+/u, '');
	const chars = [...name];
	if (chars.length > max || Buffer.byteLength(name) > MAX_NAME_BYTES) {
		const found = /\.[\p{L}\p{N}]{1,10}$/u.exec(name)?.[0] ?? '';
		const ext = [...found].length < max ? found : '';
		const stem = chars.slice(0, max - [...ext].length);
		while (stem.length && Buffer.byteLength(stem.join('') + ext) > MAX_NAME_BYTES) stem.pop();
		name = stem.join('') + ext;
	}
	return name;
}

/**
 * An output file's name: the last segment of its URL's path (query and fragment aside, %-escapes
 * decoded), made safe; `output_<index>` when there is none; an extension from the MIME type when
 * the name has none.
 */
export function fileNameFor(url: string, index: number, mime?: string): string {
	let name = '';
	if (!url.startsWith('data:')) {
		try {
			name = new URL(url).pathname.split('/').pop() ?? '';
		} catch {
			name = '';
		}
		try {
			name = decodeURIComponent(name);
		} catch {
			// a stray "%" (as in "50%.png") is kept as it is
		}
	}
	const ext = mime ? lookup(EXT_BY_MIME, mime) : undefined;
	name = safeFileName(name);
	if (!name) return `output_${index}${ext ? `.${ext}` : ''}`;
	return ext && !/\.[A-Za-z0-9]{1,5}$/.test(name) ? safeFileName(`${name}.${ext}`) : name;
}

/**
 * An output file's MIME type: the Content-Type without its parameters, unless it is missing,
 * generic (octet-stream) or not a MIME type at all; then the name's extension decides.
 */
export function mimeFor(contentType: string | undefined, name: string): string {
	const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
	const valid = /^[a-z0-9][\w!#$&^.+-]*\/[\w!#$&^.+-]+$/.test(ct);
	if (valid && ct !== 'application/octet-stream' && ct !== 'binary/octet-stream') return ct;
	return (
		lookup(MIME_BY_EXT, name.split('.').pop()?.toLowerCase() ?? '') ??
		(valid ? ct : 'application/octet-stream')
	);
}

export interface DownloadLimits {
	maxBytes: number;
	/** Epoch ms by which the download must be done. */
	deadline: number;
}

type ReadableCtor = { from(source: AsyncIterable<Uint8Array>, options?: IDataObject): unknown };

/**
 * node's Readable, found through the response stream's class (the lint rules allow no `stream`
 * import).
 */
function readableOf(body: object): ReadableCtor | undefined {
	for (
		let c = (body as { constructor?: unknown }).constructor;
		c && typeof c === 'function';
		c = Object.getPrototypeOf(c)
	) {
		if (
			(c as { name?: string }).name === 'Readable' &&
			typeof (c as Partial<ReadableCtor>).from === 'function'
		)
			return c as unknown as ReadableCtor;
	}
	return undefined;
}

const human = (n: number) => (n >= MB ? `${Math.round((n / MB) * 10) / 10} MB` : `${n} bytes`);

/**
 * Downloads one output file into n8n's binary store within the limits: Max File Size (counted on
 * the bytes as stored, after any decoding), a stall timeout and the deadline. A short, oversized,
 * stalled or late download is an error and no partial file is returned.
 */
export async function downloadFile(
	ctx: IExecuteFunctions | IWebhookFunctions,
	url: string,
	index: number,
	itemIndex: number,
	limits: DownloadLimits = {
		maxBytes: DEFAULT_MAX_FILE_MB * MB,
		deadline: Date.now() + DEFAULT_TIMEOUT_MS,
	},
	meta: { name?: string; mime?: string } = {},
): Promise<IBinaryData> {
	const fail = (message: string, description?: string) =>
		new NodeOperationError(ctx.getNode(), message, {
			itemIndex,
			description,
		});
	const tooLarge = (size: string) =>
		fail(
			`The output file ${url.startsWith('data:') ? '(data: URI)' : url} is larger than Max File Size (${size} > ${human(limits.maxBytes)})`,
			'Raise the "Max File Size (MB)" option, or turn off "Download Output Files" and use the URL.',
		);
	const dataUri = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s.exec(url);
	if (dataUri) {
		const mime = dataUri[1] ? mimeFor(dataUri[1], '') : 'text/plain';
		let bytes: Buffer;
		try {
			bytes = dataUri[2].includes(';base64')
				? Buffer.from(dataUri[3], 'base64')
				: Buffer.from(decodeURIComponent(dataUri[3]));
		} catch {
			throw new NodeOperationError(
				ctx.getNode(),
				`Output file ${index} is a data: URI whose text cannot be decoded (broken %-escapes)`,
				{
					itemIndex,
					description: `It starts with ${JSON.stringify(url.slice(0, 60))}. Turn off "Download Output Files" to get the output as it is.`,
				},
			);
		}
		if (bytes.length > limits.maxBytes) throw tooLarge(human(bytes.length));
		return await ctx.helpers.prepareBinaryData(bytes, fileNameFor(url, index, mime), mime);
	}

	// One controller stops the request and the body: the execution stopping, the stall timeout or the
	// deadline.
	const abort = new AbortController();
	const execution = cancelSignal(ctx);
	const onStop = () => abort.abort();
	if (execution?.aborted) abort.abort();
	execution?.addEventListener('abort', onStop, { once: true });
	const stallMs = Math.max(1000, Math.min(STALL_MS, limits.deadline - Date.now()));
	const watch = new AbortController();
	let lastData = Date.now();
	let body: Download['body'] | undefined;
	let reason: string | undefined;
	const seconds = Math.max(1, Math.round((limits.deadline - Date.now()) / 1000));
	const watchdog = (async () => {
		while (!watch.signal.aborted) {
			await pause(250, watch.signal);
			if (watch.signal.aborted) return;
			const now = Date.now();
			if (now >= limits.deadline) reason = `it did not finish within the Timeout (${seconds} s)`;
			else if (now - lastData >= stallMs)
				reason = `no data arrived for ${Math.round(stallMs / 1000)} s`;
			if (reason) {
				abort.abort();
				body?.destroy?.(new Error(reason));
				return;
			}
		}
	})();
	try {
		let res: Download;
		try {
			res = await openDownload.call(ctx, url, itemIndex, {
				signal: abort.signal,
				deadline: limits.deadline,
				stallMs,
			});
		} catch (error) {
			if (reason) throw fail(`The download of ${url} was given up: ${reason}`);
			throw asNodeError(ctx, error, itemIndex);
		}
		body = res.body;
		lastData = Date.now();
		if (res.statusCode !== 200) {
			res.body.destroy?.();
			const gone = res.statusCode === 404 || res.statusCode === 403 || res.statusCode === 410;
			throw fail(
				`Could not download output file ${url}: HTTP ${res.statusCode}`,
				gone
					? 'Replicate keeps output files for one hour after a prediction finishes; the file may have expired.'
					: undefined,
			);
		}
		const declared = Number(res.headers['content-length']);
		if (
			res.headers['content-length'] !== undefined &&
			Number.isFinite(declared) &&
			declared > limits.maxBytes
		) {
			res.body.destroy?.();
			throw tooLarge(human(declared));
		}
		// A body the HTTP client decoded (the host compressed it although asked not to) is no longer
		// the raw response, and its Content-Length counted the compressed bytes.
		const decoded = typeof (res.body as { statusCode?: unknown }).statusCode !== 'number';
		let received = 0;
		let oversize = false;
		const source = res.body;
		async function* counted(): AsyncGenerator<Uint8Array> {
			for await (const chunk of source) {
				received += chunk.length;
				lastData = Date.now();
				if (received > limits.maxBytes) {
					oversize = true;
					throw new Error('Max File Size exceeded');
				}
				yield chunk;
			}
		}
		const Readable = readableOf(source);
		let content: unknown;
		if (Readable) {
			// A read-ahead buffer: the socket keeps being read while n8n's binary store awaits each
			// write, and each write takes all that arrived meanwhile (one write per ~512 KiB, not per
			// 64 KiB network chunk).
			content = Readable.from(counted(), { objectMode: false, highWaterMark: READ_AHEAD_BYTES });
		} else {
			const chunks: Uint8Array[] = [];
			for await (const chunk of counted()) chunks.push(chunk);
			content = Buffer.concat(chunks);
		}
		const name =
			(meta.name && safeFileName(meta.name)) ||
			fileNameFor(res.url || url, index, mimeFor(res.headers['content-type'], ''));
		const mime = meta.mime || mimeFor(res.headers['content-type'], name);
		let binary: IBinaryData;
		try {
			binary = await ctx.helpers.prepareBinaryData(content as Buffer, name, mime);
		} catch (error) {
			if (oversize) throw tooLarge(`more than ${human(limits.maxBytes)}`);
			if (reason)
				throw fail(
					`The download of ${url} was given up: ${reason}`,
					'No partial file is passed on.',
				);
			throw fail(
				`The download of ${url} broke off: ${(error as Error).message}`,
				'No partial file is passed on.',
			);
		}
		if (reason)
			throw fail(`The download of ${url} was given up: ${reason}`, 'No partial file is passed on.');
		if (
			!decoded &&
			res.headers['content-length'] !== undefined &&
			Number.isFinite(declared) &&
			received !== declared
		) {
			throw fail(
				`The download of ${url} ended short: ${received} of ${declared} bytes`,
				'The connection closed before the whole file arrived; no partial file is passed on.',
			);
		}
		return binary;
	} finally {
		watch.abort();
		execution?.removeEventListener('abort', onStop);
		await watchdog;
	}
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
	// Only safe hosts: a refused URL stays in the output as text, with a note, and is never fetched.
	const base = await getBaseUrl.call(ctx);
	const files: string[] = [];
	const skipped: IDataObject[] = [];
	for (const url of candidates) {
		const problem = url.startsWith('data:') ? undefined : fileUrlProblem(url, base);
		if (problem) skipped.push({ url, reason: `Not downloaded: ${problem}` });
		else files.push(url);
	}
	if (skipped.length) json = { ...json, skippedFiles: skipped };
	if (!files.length) return [{ json }];
	const limits = { maxBytes: o.maxFileBytes, deadline: Date.now() + o.timeoutMs };
	const binaries: IBinaryData[] = [];
	for (let i = 0; i < files.length; i++)
		binaries.push(await downloadFile(ctx, files[i], i, itemIndex, limits));
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
