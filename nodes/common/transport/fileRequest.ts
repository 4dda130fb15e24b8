// The HTTP side of a file download: one GET (every hop, the first included, under the outbound-URL
// policy and the token policy of exchange.ts), retried on 429, 5xx and network errors within one
// budget and the deadline.
import type { IExecuteFunctions, IHttpRequestOptions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { connection, withSignal } from './connection';
import { asNodeError, networkError } from './errors';
import { exchange, headerMap, type RawResponse } from './exchange';
import { MAX_RETRY_WAIT_MS, retryAfterMs } from './request';
import { rebase } from './baseUrl';
import { redactText } from './redact';
import { pause, scaled, timings } from './timings';

export type FileContext = IExecuteFunctions | IWebhookFunctions;

/** An open download: the body as a stream, and where it finally came from. */
export interface Download {
	body: AsyncIterable<Uint8Array> & { destroy?(error?: Error): void };
	headers: Record<string, string>;
	statusCode: number;
	/** Where the bytes finally came from (after redirects). */
	url: string;
}

export interface OpenDownload {
	url: string;
	itemIndex: number;
	/** Aborts the request (deadline, stall, execution stopped). */
	signal: AbortSignal;
	/** Epoch ms by which the download must be done. */
	deadline: number;
	/** Connection idle timeout. */
	stallMs: number;
}

/** Retries of a file download after a 429, a 5xx or a network error, together. */
const MAX_DOWNLOAD_RETRIES = 4;

/**
 * Opens a file download as a stream. The token goes only with a download that starts on the API's
 * origin, and only while it stays there; every hop must pass the outbound-URL policy; 429s and 5xx
 * count against one retry budget, and no wait goes past the deadline.
 */
export async function openDownload(ctx: FileContext, o: OpenDownload): Promise<Download> {
	const { url, itemIndex } = o;
	const conn = await connection.call(ctx);
	const options: IHttpRequestOptions = {
		method: 'GET',
		url: rebaseIfApi(url, conn.base),
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// The bytes as they are: no compression, so the length check means what it says.
		headers: { 'Accept-Encoding': 'identity' },
		timeout: o.stallMs,
	};
	// The authenticated request must abort with the download's own signal, not only the execution's.
	const caller = withSignal(ctx, o.signal);
	const fail = (message: string) =>
		new NodeOperationError(ctx.getNode(), redactText(message, conn.secrets), { itemIndex });
	let retries = 0;
	const wait = async (ms: number, why: string) => {
		if (ms >= o.deadline - Date.now())
			throw fail(
				`The download of ${url} was not retried: ${why}, and waiting would pass the deadline`,
			);
		await pause(ms, o.signal);
		if (o.signal.aborted) throw fail(`The download of ${url} was stopped`);
	};
	for (;;) {
		let res: RawResponse & { url: string };
		try {
			res = await exchange(ctx, options, {
				conn,
				caller,
				signal: o.signal,
				follow: true,
				itemIndex,
			});
		} catch (error) {
			if (error instanceof NodeOperationError)
				throw asNodeError(ctx, error, itemIndex, conn.secrets);
			if (o.signal.aborted || retries >= MAX_DOWNLOAD_RETRIES) {
				throw networkError(
					ctx,
					error,
					{ method: 'GET', path: url, itemIndex },
					undefined,
					`The download of ${url} broke off`,
					conn.secrets,
				);
			}
			await wait(scaled(timings.retryBaseMs * 2 ** retries++), 'the connection failed');
			continue;
		}
		const headers = headerMap(res.headers);
		const download = {
			body: res.body as Download['body'],
			headers,
			statusCode: res.statusCode,
			url: res.url,
		};
		if ((res.statusCode >= 500 || res.statusCode === 429) && retries < MAX_DOWNLOAD_RETRIES) {
			download.body.destroy?.();
			const ms = scaled(
				res.statusCode === 429
					? Math.min(MAX_RETRY_WAIT_MS, retryAfterMs(headers, undefined))
					: timings.retryBaseMs * 2 ** retries,
			);
			retries++;
			await wait(ms, `the file host answered ${res.statusCode}`);
			continue;
		}
		return download;
	}
}

/** A file on the API's own host (spelled http or https) is fetched from the Base URL. */
function rebaseIfApi(url: string, base: string): string {
	try {
		const u = new URL(url);
		const b = new URL(base);
		return u.hostname === b.hostname && u.origin !== b.origin && u.port === b.port
			? rebase(url, base)
			: url;
	} catch {
		return url;
	}
}
