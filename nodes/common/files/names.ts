// An output file's name and MIME type, from its URL and Content-Type: safe on any file system,
// whatever the upstream sent.

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
