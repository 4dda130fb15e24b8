// A multipart form that streams its file part. Community nodes may not import `stream` or
// `form-data`; axios (under n8n's HTTP helper) serialises any spec-shaped FormData whose file parts
// are blob-like objects with a `stream()`, reading them chunk by chunk. So a file of any size is
// sent while holding one chunk at a time.
import { createHash, type Hash } from 'crypto';

export type ChunkSource = AsyncIterable<Uint8Array> | Uint8Array;

/**
 * A control character (CR, LF, NUL, DEL…): axios writes a part's type verbatim into its
 * `Content-Type` header line, so one of these would add header lines to the upload.
 */
export function hasControlCharacter(text: string): boolean {
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (code < 0x20 || code === 0x7f) return true;
	}
	return false;
}

/** A blob-like file part: size and type up front, bytes on demand; hashes what it sends. */
export class StreamedFile {
	/** SHA-256 of the bytes sent: Replicate documents `checksums.sha256` for uploaded files. */
	readonly sha256: Hash = createHash('sha256');
	sent = 0;

	constructor(
		private readonly source: ChunkSource,
		readonly size: number,
		readonly type: string,
		readonly name: string,
	) {
		// The callers refuse such a type with an error naming where it came from; this is the backstop.
		if (hasControlCharacter(type))
			throw new Error('A file part type must not contain control characters');
	}

	get [Symbol.toStringTag]() {
		return 'Blob';
	}

	async *stream(): AsyncGenerator<Uint8Array> {
		const chunks = this.source instanceof Uint8Array ? [this.source] : this.source;
		for await (const chunk of chunks) {
			this.sha256.update(chunk);
			this.sent += chunk.length;
			yield chunk;
		}
	}
}

export class StreamingForm {
	private readonly parts: Array<[string, string | StreamedFile]> = [];

	append(name: string, value: string | StreamedFile) {
		this.parts.push([name, value]);
	}

	entries() {
		return this.parts[Symbol.iterator]();
	}

	[Symbol.iterator]() {
		return this.entries();
	}

	get [Symbol.toStringTag]() {
		return 'FormData';
	}
}
