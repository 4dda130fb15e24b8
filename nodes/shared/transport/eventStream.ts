// Server-Sent Events from a prediction's stream URL.
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ReplicateContext } from './connection';
import type { Download } from './fileRequest';

/** An open Server-Sent Events response: its bytes as they arrive, and a way to hang up. */
export interface EventStream {
	body: AsyncIterable<Uint8Array | string>;
	close(): void;
}

type StreamContext = Pick<ReplicateContext, 'getNode'> & {
	helpers: Pick<IExecuteFunctions['helpers'], 'httpRequest'>;
};

/**
 * Opens a prediction's `urls.stream` (Replicate's streaming host). The stream needs no
 * authentication, so the API token is never sent there, whatever the URL. Only http(s) URLs are
 * followed; `signal` hangs up.
 */
export async function openEventStream(
	ctx: StreamContext,
	url: string,
	signal?: AbortSignal,
	itemIndex?: number,
): Promise<EventStream> {
	let parsed: URL | undefined;
	try {
		parsed = new URL(url);
	} catch {
		parsed = undefined;
	}
	if (!parsed || !/^https?:$/.test(parsed.protocol)) {
		throw new NodeOperationError(ctx.getNode(), 'Replicate sent a stream URL that is not http(s)', {
			itemIndex,
		});
	}
	const res = (await ctx.helpers.httpRequest({
		method: 'GET',
		url: parsed.toString(),
		headers: { Accept: 'text/event-stream', 'Cache-Control': 'no-store' },
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		abortSignal: signal,
		timeout: 15 * 60_000,
	})) as Download;
	if (res.statusCode < 200 || res.statusCode >= 300) {
		res.body.destroy?.();
		throw new NodeOperationError(
			ctx.getNode(),
			`Replicate's stream answered with status ${res.statusCode}`,
			{ itemIndex },
		);
	}
	return { body: res.body, close: () => res.body.destroy?.() };
}
