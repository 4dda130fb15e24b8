// An output file into n8n's binary store: a data: URI decoded, or a URL downloaded within Max File
// Size, a stall timeout and the deadline. A short, oversized, stalled or late download is an error
// and no partial file is passed on.
import type { IBinaryData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { fileNameFor, mimeFor } from '../files/names';
import { cancelSignal } from './connection';
import { asNodeError } from './errors';
import { countBytes, readAhead, startWatchdog, STALL_MS, type Watchdog } from './downloadBody';
import { openDownload, type Download, type FileContext } from './fileRequest';

export interface DownloadLimits {
	/** Largest file accepted, in bytes (Max File Size), counted on the bytes as stored. */
	maxBytes: number;
	/** Epoch ms by which the download must be done. */
	deadline: number;
}

export interface FileToDownload {
	/** An http(s) URL or a data: URI. */
	url: string;
	/** The file's position in the output (names it when its URL does not). */
	index: number;
	itemIndex: number;
	limits: DownloadLimits;
}

const MB = 1024 * 1024;
const NO_PARTIAL = 'No partial file is passed on.';
const DATA_URI = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s;

const human = (n: number) => (n >= MB ? `${Math.round((n / MB) * 10) / 10} MB` : `${n} bytes`);

/** The errors a download ends in, each naming the file. */
function failures(ctx: FileContext, file: FileToDownload) {
	const { url, itemIndex, limits } = file;
	const fail = (message: string, description?: string) =>
		new NodeOperationError(ctx.getNode(), message, { itemIndex, description });
	return {
		fail,
		tooLarge: (size: string) =>
			fail(
				`The output file ${url.startsWith('data:') ? '(data: URI)' : url} is larger than Max File Size (${size} > ${human(limits.maxBytes)})`,
				'Raise the "Max File Size (MB)" option, or turn off "Download Output Files" and use the URL.',
			),
		givenUp: (reason: string, description?: string) =>
			fail(`The download of ${url} was given up: ${reason}`, description),
	};
}

/** Downloads one output file (or decodes a data: URI) into n8n's binary store within the limits. */
export async function downloadFile(ctx: FileContext, file: FileToDownload): Promise<IBinaryData> {
	const dataUri = DATA_URI.exec(file.url);
	if (dataUri) return await fromDataUri(ctx, file, dataUri);
	// One controller stops the request and the body: the execution stopping, the stall timeout or the
	// deadline.
	const abort = new AbortController();
	const execution = cancelSignal(ctx);
	const onStop = () => abort.abort();
	if (execution?.aborted) abort.abort();
	execution?.addEventListener('abort', onStop, { once: true });
	const { deadline } = file.limits;
	const stallMs = Math.max(1000, Math.min(STALL_MS, deadline - Date.now()));
	const watchdog = startWatchdog({ deadline, stallMs, abort });
	try {
		let res: Download;
		try {
			res = await openDownload(ctx, {
				url: file.url,
				itemIndex: file.itemIndex,
				signal: abort.signal,
				deadline,
				stallMs,
			});
		} catch (error) {
			if (watchdog.reason) throw failures(ctx, file).givenUp(watchdog.reason);
			throw asNodeError(ctx, error, file.itemIndex);
		}
		watchdog.watch(res.body);
		return await store(ctx, file, res, watchdog);
	} finally {
		execution?.removeEventListener('abort', onStop);
		await watchdog.stop();
	}
}

/** A data: URI's bytes (base64 or %-escaped text), within Max File Size. */
async function fromDataUri(
	ctx: FileContext,
	file: FileToDownload,
	[, type, params, text]: RegExpExecArray,
): Promise<IBinaryData> {
	const mime = type ? mimeFor(type, '') : 'text/plain';
	let bytes: Buffer;
	try {
		bytes = params.includes(';base64')
			? Buffer.from(text, 'base64')
			: Buffer.from(decodeURIComponent(text));
	} catch {
		throw failures(ctx, file).fail(
			`Output file ${file.index} is a data: URI whose text cannot be decoded (broken %-escapes)`,
			`It starts with ${JSON.stringify(file.url.slice(0, 60))}. Turn off "Download Output Files" to get the output as it is.`,
		);
	}
	if (bytes.length > file.limits.maxBytes) throw failures(ctx, file).tooLarge(human(bytes.length));
	return await ctx.helpers.prepareBinaryData(bytes, fileNameFor(file.url, file.index, mime), mime);
}

/**
 * An open download into the binary store. Refused before reading: a status other than 200, a
 * declared length over Max File Size. Refused after: oversize, stalled or late, broken off, short.
 */
async function store(
	ctx: FileContext,
	file: FileToDownload,
	res: Download,
	watchdog: Watchdog,
): Promise<IBinaryData> {
	const { url, limits } = file;
	const { fail, tooLarge, givenUp } = failures(ctx, file);
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
	const declared =
		res.headers['content-length'] === undefined ? NaN : Number(res.headers['content-length']);
	if (Number.isFinite(declared) && declared > limits.maxBytes) {
		res.body.destroy?.();
		throw tooLarge(human(declared));
	}
	const counted = countBytes(res.body, limits.maxBytes, watchdog.touch);
	const name = fileNameFor(res.url || url, file.index, mimeFor(res.headers['content-type'], ''));
	const mime = mimeFor(res.headers['content-type'], name);
	let binary: IBinaryData;
	try {
		const content = await readAhead(res.body, counted.chunks);
		binary = await ctx.helpers.prepareBinaryData(content as Buffer, name, mime);
	} catch (error) {
		if (counted.oversize()) throw tooLarge(`more than ${human(limits.maxBytes)}`);
		if (watchdog.reason) throw givenUp(watchdog.reason, NO_PARTIAL);
		throw fail(`The download of ${url} broke off: ${(error as Error).message}`, NO_PARTIAL);
	}
	if (watchdog.reason) throw givenUp(watchdog.reason, NO_PARTIAL);
	// A body the HTTP client decoded (the host compressed it although asked not to) is no longer
	// the raw response, and its Content-Length counted the compressed bytes.
	const decoded = typeof (res.body as { statusCode?: unknown }).statusCode !== 'number';
	if (!decoded && Number.isFinite(declared) && counted.received() !== declared) {
		throw fail(
			`The download of ${url} ended short: ${counted.received()} of ${declared} bytes`,
			'The connection closed before the whole file arrived; no partial file is passed on.',
		);
	}
	return binary;
}
