// Helpers shared by the resource modules: cursor pages and lookups.
import type { Req } from '../http';
import type { Emulator, PageKind } from '../server';
import { decodeCursor, encodeCursor } from '../util';

/** A `{next, previous, results}` page with absolute cursor URLs on the emulator's origin. */
export function page<T>(emu: Emulator, req: Req, items: T[], kind: PageKind) {
	const size = emu.options.pageSizes[kind];
	const offset = decodeCursor(req.query.cursor);
	const link = (o: number) => {
		const q = new URLSearchParams({ ...req.query, cursor: encodeCursor(o) });
		return `${emu.apiOrigin}${req.path}?${q.toString()}`;
	};
	return {
		next: offset + size < items.length ? link(offset + size) : null,
		previous: offset > 0 ? link(Math.max(0, offset - size)) : null,
		results: items.slice(offset, offset + size),
	};
}

export const newestFirst = <T extends { created_at?: unknown }>(items: T[]) =>
	[...items].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
