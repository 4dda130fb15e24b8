// Identifiers, hashes and time helpers shared by the emulator's resources.
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A 26-character lowercase id like Replicate's prediction ids (e.g. gm3qorzdhgbfurvjtvhg6dckhu). */
export function newId(): string {
	const bytes = randomBytes(26);
	let s = '';
	for (const b of bytes) s += ALPHABET[b % ALPHABET.length];
	return s;
}

export const sha256Hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
export const md5Hex = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

export const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Opaque cursors that point at an item, not at an offset: "the items after X" (or "before X") stays the
 * same set when items are added to or removed from the list between two pages, as with Replicate's own
 * cursors (opaque, time-based; replicate-api.md §8). `t` is the item's created_at, used when X is gone.
 */
export interface Cursor {
	dir: 'after' | 'before';
	key: string;
	t?: string;
}

export function encodeCursor(c: Cursor): string {
	return Buffer.from(JSON.stringify(c)).toString('base64url');
}

/** Undefined for no cursor; null for one that this server did not issue. */
export function decodeCursor(cursor: string | undefined): Cursor | undefined | null {
	if (!cursor) return undefined;
	try {
		const c = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as Cursor;
		if ((c.dir === 'after' || c.dir === 'before') && typeof c.key === 'string') return c;
	} catch {
		// not ours
	}
	return null;
}

/** Parses Replicate's Cancel-After duration: "90", "90s", "5m", "1h30m45s". Returns seconds or undefined. */
export function parseDuration(value: string): number | undefined {
	const v = value.trim();
	if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
	const re = /(\d+(?:\.\d+)?)(h|m|s)/g;
	let total = 0;
	let consumed = 0;
	let m: RegExpExecArray | null;
	while ((m = re.exec(v))) {
		total += Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
		consumed += m[0].length;
	}
	return consumed === v.length && consumed > 0 ? total : undefined;
}
