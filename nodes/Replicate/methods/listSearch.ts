import type {
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { parseModelRef } from '../../common/models/modelRef';
import { listPage, searchDeployments, searchModels } from '../../common/models/pickers';
import { objectAt, readEditorLocator } from '../../common/readers';
import { asNodeError } from '../../common/transport';
import { LATEST } from './mapperFields';

/** The Version list's entry for "the latest version" (Run and Create only). */
function latestEntry(ctx: ILoadOptionsFunctions): boolean {
	try {
		return ctx.getNodeParameter('resource', '') === 'prediction';
	} catch {
		return false;
	}
}

/**
 * A model's versions, newest first (as Replicate lists them): the newest is marked "latest", and
 * Run and Create get a first entry "Latest version" to go back to running whatever is newest.
 */
export async function searchVersions(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const ref = parseModelRef(readEditorLocator(this, 'model'));
	if (!ref) return { results: [] };
	const path = `/models/${encodeURIComponent(ref.owner)}/${encodeURIComponent(ref.name)}/versions`;
	let res: Awaited<ReturnType<typeof listPage>>;
	try {
		res = await listPage(this, paginationToken ?? path);
	} catch (error) {
		// A model that does not exist (yet: the user may still be typing it) has no versions.
		if (error instanceof NodeApiError && error.httpCode === '404') return { results: [] };
		throw asNodeError(this, error);
	}
	const first = !paginationToken;
	const versions = res.body.results ?? [];
	const results: INodeListSearchItems[] = versions.map((v, i) => {
		const id = String(v.id);
		const date = String(v.created_at ?? '').slice(0, 10);
		const latest = first && i === 0 ? ' · latest' : '';
		return { name: `${id.slice(0, 12)}… · ${date}${latest}`, value: id };
	});
	if (first && versions.length && latestEntry(this)) {
		results.unshift({
			name: 'Latest Version (Always the Newest)',
			value: LATEST,
			description: `Currently ${String(versions[0].id).slice(0, 12)}…`,
		});
	}
	const wanted = filter?.trim().toLowerCase();
	return {
		results: wanted ? results.filter((r) => r.name.toLowerCase().includes(wanted)) : results,
		paginationToken: res.body.next ?? undefined,
	};
}

export async function searchCollections(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const res = await listPage(this, paginationToken ?? '/collections');
	const results = (res.body.results ?? [])
		.map((c) => ({
			name: String(c.name),
			value: String(c.slug),
			description: String(c.description ?? ''),
		}))
		.filter((c) => !filter || `${c.name} ${c.value}`.toLowerCase().includes(filter.toLowerCase()));
	return { results, paginationToken: res.body.next ?? undefined };
}

export async function searchFiles(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const res = await listPage(this, paginationToken ?? '/files');
	const results = (res.body.results ?? [])
		.map((f) => ({
			name: `${f.name ?? f.id} (${f.content_type}, ${f.size} bytes)`,
			value: String(f.id),
			url: String(objectAt(f, 'urls')?.get ?? '') || undefined,
		}))
		.filter((f) => !filter || f.name.toLowerCase().includes(filter.toLowerCase()));
	return { results, paginationToken: res.body.next ?? undefined };
}

// Shared with the chat model: listed here too, since every export of this module is an editor method.
export { searchDeployments, searchModels };
