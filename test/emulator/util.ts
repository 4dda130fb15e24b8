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

export function encodeCursor(offset: number): string {
	return Buffer.from(`o=${offset}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number {
	if (!cursor) return 0;
	const m = /^o=(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
	return m ? Number(m[1]) : 0;
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
