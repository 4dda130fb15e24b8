// Replicate's lists: pages joined by `next` cursors.
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ReplicateContext } from './connection';
import { apiRequest, type ApiRequest, type ApiResponse } from './request';

/**
 * Follows Replicate's `next` cursors; stops at `limit` results (all when undefined). A cursor that
 * repeats, or an empty page that still points further, ends the list with an error (it would loop).
 */
export async function apiRequestAllItems<T = IDataObject>(
	ctx: ReplicateContext,
	req: Omit<ApiRequest, 'method' | 'retry'>,
	limit?: number,
): Promise<T[]> {
	const results: T[] = [];
	let next: string | null = req.path;
	let qs = req.qs;
	const seen = new Set<string>();
	let page = 0;
	while (next && (limit === undefined || results.length < limit)) {
		const res: ApiResponse<{ results?: T[]; next?: string | null }> = await apiRequest(ctx, {
			...req,
			method: 'GET',
			path: next,
			qs,
			retry: 'read',
		});
		page++;
		const items = Array.isArray(res.body?.results) ? res.body.results : [];
		results.push(...items);
		const following = typeof res.body?.next === 'string' && res.body.next ? res.body.next : null;
		if (following && (seen.has(following) || following === next)) {
			throw new NodeOperationError(
				ctx.getNode(),
				`Replicate's list ${req.path} did not end: page ${page} points back to a page already read`,
				{
					itemIndex: req.itemIndex,
					description: `Stopped after ${page} pages and ${results.length} results instead of looping. Try again later, or use a Limit.`,
				},
			);
		}
		if (following && items.length === 0) {
			throw new NodeOperationError(
				ctx.getNode(),
				`Replicate's list ${req.path} did not end: page ${page} is empty but points to a next page`,
				{
					itemIndex: req.itemIndex,
					description: `Stopped after ${page} pages and ${results.length} results instead of following empty pages. Try again later, or use a Limit.`,
				},
			);
		}
		if (following) seen.add(following);
		next = following;
		qs = undefined; // the cursor URL carries the query
	}
	return limit === undefined ? results : results.slice(0, limit);
}
