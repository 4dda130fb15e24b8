// A Server-Sent Events parser (WHATWG event-stream rules) for Replicate's prediction streams.
// It takes the response in whatever pieces the network delivers: lines and UTF-8 characters split
// across chunks, CRLF / CR / LF line ends, comments (": hi"), several data lines per event.

export interface SseEvent {
	/** `output`, `logs`, `error`, `done` on Replicate; `message` when the event has no name. */
	event: string;
	data: string;
	id?: string;
}

export class SseParser {
	private readonly decoder = new TextDecoder('utf-8');
	private buffer = '';
	private name = '';
	private data: string[] = [];
	private hasData = false;
	private id: string | undefined;

	/** Feeds a piece of the response; returns the events it completed. */
	push(chunk: Uint8Array | string): SseEvent[] {
		this.buffer += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
		const events: SseEvent[] = [];
		for (;;) {
			const m = /\r\n|\r|\n/.exec(this.buffer);
			if (!m) break;
			// A CR at the very end may be the first half of a CRLF: wait for the next piece.
			if (m[0] === '\r' && m.index === this.buffer.length - 1) break;
			const line = this.buffer.slice(0, m.index);
			this.buffer = this.buffer.slice(m.index + m[0].length);
			const event = this.line(line);
			if (event) events.push(event);
		}
		return events;
	}

	/** The stream ended: a final event without its blank line is dropped, as the standard says. */
	end(): SseEvent[] {
		this.buffer += this.decoder.decode();
		const events: SseEvent[] = [];
		if (this.buffer.endsWith('\r')) {
			const event = this.line(this.buffer.slice(0, -1));
			if (event) events.push(event);
		}
		this.buffer = '';
		return events;
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
