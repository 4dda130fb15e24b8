// Server-Sent Events from a prediction's stream URL: a URL the API hands back, so it is fetched
// under the outbound-URL policy on every hop, and never with the credential.
import { NodeOperationError } from 'n8n-workflow';

import { connection, type ReplicateContext } from './connection';
import { exchange } from './exchange';
import type { Download } from './fileRequest';

/** An open Server-Sent Events response: its bytes as they arrive, and a way to hang up. */
export interface EventStream {
	body: AsyncIterable<Uint8Array | string>;
	close(): void;
}

/**
 * Opens a prediction's `urls.stream` (Replicate's streaming host). The stream needs no
 * authentication, so the credential is never sent there, whatever the URL; a URL the outbound-URL
 * policy refuses (also on a redirect) is not fetched. `signal` hangs up.
 */
export async function openEventStream(
	ctx: ReplicateContext,
	url: string,
	signal?: AbortSignal,
	itemIndex?: number,
): Promise<EventStream> {
	if (!/^https?:\/\//i.test(url)) {
		throw new NodeOperationError(ctx.getNode(), 'Replicate sent a stream URL that is not http(s)', {
			itemIndex,
		});
	}
	const conn = await connection.call(ctx);
	const res = await exchange(
		ctx,
		{
			method: 'GET',
			url,
			headers: { Accept: 'text/event-stream', 'Cache-Control': 'no-store' },
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: 15 * 60_000,
		},
		{ conn, caller: ctx, signal, follow: true, anonymous: true, itemIndex },
	);
	const body = res.body as Download['body'];
	if (res.statusCode < 200 || res.statusCode >= 300) {
		body.destroy?.();
		throw new NodeOperationError(
			ctx.getNode(),
			`Replicate's stream answered with status ${res.statusCode}`,
			{ itemIndex },
		);
	}
	return { body, close: () => body.destroy?.() };
}
