// A Server-Sent Events parser (WHATWG event-stream rules) for Replicate's prediction streams.
// It takes the response in whatever pieces the network delivers: lines and UTF-8 characters split
// across chunks, CRLF / CR / LF line ends, comments (": hi"), several data lines per event.

export interface SseEvent {
	/** `output`, `logs`, `error`, `done` on Replicate; `message` when the event has no name. */
	event: string;
	data: string;
	id?: string;
}

/** Longest line, and largest event (its data lines together), in characters: about 1 MB. */
export const SSE_MAX_LINE = 1024 * 1024;
export const SSE_MAX_EVENT = 1024 * 1024;

/** A stream that breaks the size bounds; the reader stops there (the caller reads the job instead). */
export class SseLimitError extends Error {}

export class SseParser {
	private readonly decoder = new TextDecoder('utf-8');
	/** The start of a line not ended yet, in the pieces it came in (never re-scanned). */
	private partial: string[] = [];
	private partialLength = 0;
	/** The last piece ended on CR: a LF opening the next one belongs to it. */
	private afterCr = false;
	private name = '';
	private data: string[] = [];
	private dataLength = 0;
	private hasData = false;
	private id: string | undefined;

	/**
	 * Feeds a piece of the response; returns the events it completed. Only the new piece is scanned,
	 * so a long line arriving in many pieces costs its length, not its length squared.
	 */
	push(chunk: Uint8Array | string): SseEvent[] {
		const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
		const events: SseEvent[] = [];
		let start = 0;
		if (this.afterCr && text.startsWith('\n')) start = 1;
		if (text.length) this.afterCr = false;
		const ends = /\r\n|\r|\n/g;
		ends.lastIndex = start;
		for (let m = ends.exec(text); m; m = ends.exec(text)) {
			const piece = text.slice(start, m.index);
			this.checkLine(piece.length);
			const line = this.partial.length ? this.partial.join('') + piece : piece;
			this.partial = [];
			this.partialLength = 0;
			start = m.index + m[0].length;
			if (m[0] === '\r' && start === text.length) this.afterCr = true;
			const event = this.line(line);
			if (event) events.push(event);
		}
		if (start < text.length) {
			const rest = text.slice(start);
			this.checkLine(rest.length);
			this.partial.push(rest);
			this.partialLength += rest.length;
		}
		return events;
	}

	private checkLine(more: number) {
		if (this.partialLength + more > SSE_MAX_LINE) {
			throw new SseLimitError(
				`A line of the event stream is longer than ${SSE_MAX_LINE} characters`,
			);
		}
	}

	/** The stream ended: a final event without its blank line is dropped, as the standard says. */
	end(): SseEvent[] {
		const rest = this.decoder.decode();
		if (rest) this.push(rest);
		this.partial = [];
		this.partialLength = 0;
		return [];
	}

	private line(line: string): SseEvent | undefined {
		if (line === '') return this.dispatch();
		if (line.startsWith(':')) return undefined;
		const colon = line.indexOf(':');
		const field = colon === -1 ? line : line.slice(0, colon);
		let value = colon === -1 ? '' : line.slice(colon + 1);
		if (value.startsWith(' ')) value = value.slice(1);
		switch (field) {
			case 'event':
				this.name = value;
				break;
			case 'data':
				this.dataLength += value.length + 1;
				if (this.dataLength > SSE_MAX_EVENT) {
					throw new SseLimitError(
						`An event of the stream is larger than ${SSE_MAX_EVENT} characters`,
					);
				}
				this.data.push(value);
				this.hasData = true;
				break;
			case 'id':
				if (!value.includes('\0')) this.id = value;
				break;
			default:
				break;
		}
		return undefined;
	}

	private dispatch(): SseEvent | undefined {
		const named = this.name !== '';
		const event: SseEvent = { event: this.name || 'message', data: this.data.join('\n') };
		if (this.id !== undefined) event.id = this.id;
		const had = this.hasData;
		this.name = '';
		this.data = [];
		this.dataLength = 0;
		this.hasData = false;
		// Replicate's `done` may carry data `{}`; an event with a name but no data still counts.
		return had || named ? event : undefined;
	}
}

/** The events of a byte stream, in order. */
export async function* readEvents(
	body: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<SseEvent> {
	const parser = new SseParser();
	for await (const chunk of body) {
		for (const event of parser.push(chunk)) yield event;
	}
	for (const event of parser.end()) yield event;
}
