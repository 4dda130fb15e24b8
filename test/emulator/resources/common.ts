// Helpers shared by the resource modules: cursor pages and lookups.
import type { Req } from '../http';
import type { Emulator, PageKind } from '../server';
import { decodeCursor, encodeCursor, type Cursor } from '../util';

type Item = { id?: unknown; owner?: unknown; name?: unknown; slug?: unknown; created_at?: unknown };

/** A stable identity for a listed item. */
function keyOf(item: unknown): string {
	const i = (item ?? {}) as Item;
	if (typeof i.id === 'string') return i.id;
	if (typeof i.owner === 'string' && typeof i.name === 'string') return `${i.owner}/${i.name}`;
	if (typeof i.slug === 'string') return i.slug;
	return JSON.stringify(item);
}

const createdAt = (item: unknown) => {
	const t = (item as Item | null)?.created_at;
	return typeof t === 'string' ? t : undefined;
};

/** Where a cursor's page starts in today's list (items are newest first where they have created_at). */
function startOf<T>(items: T[], c: Cursor, size: number): number {
	const at = items.findIndex((item) => keyOf(item) === c.key);
	if (c.dir === 'after') {
		if (at >= 0) return at + 1;
		// The item is gone: continue with the first item older than it.
		const older = c.t ? items.findIndex((item) => (createdAt(item) ?? '') < (c.t as string)) : -1;
		return older >= 0 ? older : items.length;
	}
	let end = at;
	if (end < 0) {
		end = c.t ? items.findIndex((item) => (createdAt(item) ?? '') <= (c.t as string)) : 0;
		if (end < 0) end = items.length;
	}
	return Math.max(0, end - size);
}

/**
 * A `{next, previous, results}` page with absolute cursor URLs on the emulator's origin. Cursors are
 * opaque and name an item, so a list walked page by page neither repeats nor skips items when new
 * ones are created meanwhile. A cursor this server did not issue is answered 404 "Invalid cursor"
 * (what Replicate answers is not documented; the node never makes up cursors).
 */
export function page<T>(emu: Emulator, req: Req, items: T[], kind: PageKind) {
	const size = emu.options.pageSizes[kind];
	const cursor = decodeCursor(req.query.cursor);
	if (cursor === null) throw new InvalidCursor();
	const start = cursor ? startOf(items, cursor, size) : 0;
	const results = items.slice(start, start + size);
	const link = (c: Cursor) => {
		const q = new URLSearchParams({ ...req.query, cursor: encodeCursor(c) });
		return `${emu.apiOrigin}${req.path}?${q.toString()}`;
	};
	const last = results[results.length - 1];
	const first = results[0];
	return {
		next:
			start + size < items.length && last !== undefined
				? link({ dir: 'after', key: keyOf(last), t: createdAt(last) })
				: null,
		previous:
			start > 0 && first !== undefined
				? link({ dir: 'before', key: keyOf(first), t: createdAt(first) })
				: null,
		results,
	};
}

/** Thrown by page() for a cursor the emulator did not issue; the server answers 404. */
export class InvalidCursor extends Error {
	readonly status = 404;
	constructor() {
		super('Invalid cursor');
	}
}

export const newestFirst = <T extends { created_at?: unknown }>(items: T[]) =>
	[...items].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
