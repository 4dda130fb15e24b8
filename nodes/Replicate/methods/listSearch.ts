import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { parseModelRef } from '../helpers/modelRef';
import { apiRequest, type ApiRequest, type ApiResponse } from '../transport';

type Page = { results?: IDataObject[]; next?: string | null };

const page = (ctx: ILoadOptionsFunctions, path: string, qs?: IDataObject) =>
	apiRequest.call<ILoadOptionsFunctions, [ApiRequest], Promise<ApiResponse<Page>>>(ctx, { method: 'GET', path, qs, retry: 'read' });

const modelResult = (m: IDataObject) => ({
	name: `${m.owner}/${m.name}`,
	value: `${m.owner}/${m.name}`,
	url: m.url as string | undefined,
	description: (m.description as string | null) ?? undefined,
});

/** Models: Replicate's search (GET /search) when the user types, else the paginated model list. */
export async function searchModels(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	if (filter?.trim()) {
		const res = await apiRequest.call<ILoadOptionsFunctions, [ApiRequest], Promise<ApiResponse<{ models?: Array<{ model: IDataObject }> }>>>(this, {
			method: 'GET',
			path: '/search',
			qs: { query: filter.trim(), limit: 50 },
			retry: 'read',
		});
		return { results: (res.body.models ?? []).map((r) => modelResult(r.model)) };
	}
	const res = await page(this, paginationToken ?? '/models');
	return { results: (res.body.results ?? []).map(modelResult), paginationToken: res.body.next ?? undefined };
}

export async function searchVersions(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	const raw = this.getNodeParameter('model', '', { extractValue: true }) as string;
	const ref = parseModelRef(String(raw ?? ''));
	if (!ref) return { results: [] };
	const res = await page(this, paginationToken ?? `/models/${ref.owner}/${ref.name}/versions`);
	const results = (res.body.results ?? [])
		.filter((v) => !filter || String(v.id).includes(filter))
		.map((v) => ({ name: `${String(v.id).slice(0, 12)}… (${String(v.created_at ?? '').slice(0, 10)})`, value: String(v.id) }));
	return { results, paginationToken: res.body.next ?? undefined };
}

export async function searchDeployments(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	const res = await page(this, paginationToken ?? '/deployments');
	const results = (res.body.results ?? [])
		.map((d) => ({ name: `${d.owner}/${d.name}`, value: `${d.owner}/${d.name}`, description: String((d.current_release as IDataObject | undefined)?.model ?? '') }))
		.filter((d) => !filter || d.name.toLowerCase().includes(filter.toLowerCase()));
	return { results, paginationToken: res.body.next ?? undefined };
}

export async function searchCollections(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	const res = await page(this, paginationToken ?? '/collections');
	const results = (res.body.results ?? [])
		.map((c) => ({ name: String(c.name), value: String(c.slug), description: String(c.description ?? '') }))
		.filter((c) => !filter || `${c.name} ${c.value}`.toLowerCase().includes(filter.toLowerCase()));
	return { results, paginationToken: res.body.next ?? undefined };
}

export async function searchFiles(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	const res = await page(this, paginationToken ?? '/files');
	const results = (res.body.results ?? [])
		.map((f) => ({ name: `${f.name ?? f.id} (${f.content_type}, ${f.size} bytes)`, value: String(f.id), url: String((f.urls as IDataObject | undefined)?.get ?? '') || undefined }))
		.filter((f) => !filter || f.name.toLowerCase().includes(filter.toLowerCase()));
	return { results, paginationToken: res.body.next ?? undefined };
}
