// The editor methods (list search, load options, field mapper) called as n8n's server calls them
// (n8n-core's LoadOptionsContext), against the emulator: each test asserts the exact request sent
// and the exact entries the editor gets. Behaviour while typing, notices and version lists:
// test/node/editor-methods.test.ts.
import type { IDataObject } from 'n8n-workflow';

import { listSearch, loadOptions, resourceMapping } from '../harness/editor';
import { replicateCredentials } from '../harness/n8n';
import { useEmulator } from '../helpers/emulator';
import { rl, runParams } from '../helpers/params';

const ctx = useEmulator({ speed: 50, pageSizes: { models: 2, deployments: 1, collections: 1 } });
const call = (parameters: IDataObject = runParams('', {})) => ({
	parameters,
	credentials: replicateCredentials(ctx.emu.baseUrl, ctx.emu.token),
});
/** The API requests a method made: method, path, query, and whether the credential authorized it. */
async function requestsOf<T>(fn: () => Promise<T>) {
	const before = ctx.emu.log.length;
	const result = await fn();
	const sent = ctx.emu.log
		.slice(before)
		.map(({ method, path, query, authorized }) => ({ method, path, query, authorized }));
	return { result, sent };
}

describe('listSearch.searchModels', () => {
	test('with a filter: one GET /search (trimmed query, limit 50); one entry per model found', async () => {
		const { result, sent } = await requestsOf(() => listSearch('searchModels', call(), '  sdxl '));
		expect(sent).toEqual([
			{
				method: 'GET',
				path: '/v1/search',
				query: { query: 'sdxl', limit: '50' },
				authorized: true,
			},
		]);
		const model = ctx.emu.store.models.get('emulator/sdxl-lite')!;
		expect(result.results).toContainEqual({
			name: 'emulator/sdxl-lite',
			value: 'emulator/sdxl-lite',
			url: 'https://replicate.com/emulator/sdxl-lite',
			description: model.description ?? undefined,
		});
		expect(result.paginationToken).toBeUndefined();
	});

	test('without a filter: the model list, page by page through the next cursor', async () => {
		const first = await requestsOf(() => listSearch('searchModels', call()));
		expect(first.sent).toEqual([
			{ method: 'GET', path: '/v1/models', query: {}, authorized: true },
		]);
		expect(first.result.results).toHaveLength(2);
		const token = String(first.result.paginationToken);
		expect(token).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/models\?cursor=/);
		const second = await requestsOf(() => listSearch('searchModels', call(), undefined, token));
		expect(second.sent).toEqual([
			{
				method: 'GET',
				path: '/v1/models',
				query: { cursor: new URL(token).searchParams.get('cursor') },
				authorized: true,
			},
		]);
		const names = (r: typeof first.result) => r.results.map((m) => m.value);
		expect(names(second.result)).not.toEqual(expect.arrayContaining(names(first.result)));
	});
});

describe('listSearch: deployments, collections, files', () => {
	test('searchDeployments: GET /deployments; owner/name with the release model as description', async () => {
		const { result, sent } = await requestsOf(() => listSearch('searchDeployments', call()));
		expect(sent).toEqual([{ method: 'GET', path: '/v1/deployments', query: {}, authorized: true }]);
		const [d] = [...ctx.emu.store.deployments.values()];
		expect(result.results).toEqual([
			{
				name: `${d.owner}/${d.name}`,
				value: `${d.owner}/${d.name}`,
				description: d.releases.at(-1)!.model,
			},
		]);
		expect(result.paginationToken).toBeUndefined(); // one deployment: one page
	});

	test('searchCollections: the filter matches name or slug of the page it got', async () => {
		const c = ctx.emu.store.collections[0];
		const hit = await requestsOf(() => listSearch('searchCollections', call(), c.slug.slice(0, 4)));
		expect(hit.sent).toEqual([
			{ method: 'GET', path: '/v1/collections', query: {}, authorized: true },
		]);
		expect(hit.result.results).toEqual([
			{ name: c.name, value: c.slug, description: c.description },
		]);
		const miss = await listSearch('searchCollections', call(), 'no such collection');
		expect(miss.results).toEqual([]);
	});

	test('searchFiles: name, content type and size; the file URL', async () => {
		const up = await fetch(`${ctx.emu.baseUrl}/files`, {
			method: 'POST',
			headers: { authorization: `Bearer ${ctx.emu.token}` },
			body: (() => {
				const form = new FormData();
				form.append('content', new Blob(['hello'], { type: 'text/plain' }), 'hello.txt');
				return form;
			})(),
		});
		const file = (await up.json()) as { id: string; urls: { get: string } };
		const { result, sent } = await requestsOf(() => listSearch('searchFiles', call(), 'HELLO'));
		expect(sent).toEqual([{ method: 'GET', path: '/v1/files', query: {}, authorized: true }]);
		expect(result.results).toEqual([
			{ name: 'hello.txt (text/plain, 5 bytes)', value: file.id, url: file.urls.get },
		]);
	});
});

describe('loadOptions.getHardware', () => {
	test('GET /hardware; one option per SKU, named as Replicate names it', async () => {
		const { result, sent } = await requestsOf(() =>
			loadOptions('getHardware', call({ resource: 'model', operation: 'create' })),
		);
		expect(sent).toEqual([{ method: 'GET', path: '/v1/hardware', query: {}, authorized: true }]);
		expect(result).toEqual(
			ctx.emu.store.hardware.map((h) => ({ name: h.name, value: h.sku, description: h.sku })),
		);
	});
});

describe('resourceMapping.getInputFields', () => {
	test('an official model: one GET /models/{owner}/{name}; fields in x-order with types and required marks', async () => {
		const { result, sent } = await requestsOf(() =>
			resourceMapping('getInputFields', call(runParams('emulator/flux-lite', {}))),
		);
		expect(sent).toEqual([
			{ method: 'GET', path: '/v1/models/emulator/flux-lite', query: {}, authorized: true },
		]);
		const prompt = result.fields.find((f) => f.id === 'prompt');
		expect(prompt).toMatchObject({ id: 'prompt', type: 'string', display: true });
		expect(result.fields.map((f) => f.id)).toEqual(
			expect.arrayContaining(['prompt', 'num_outputs']),
		);
		expect(result.fields.find((f) => f.id === 'num_outputs')?.type).toBe('number');
	});

	test('a version picked in the Version list: its own schema, from GET …/versions/{id}', async () => {
		const version = ctx.emu.store.models.get('emulator/sdxl-lite')!.versions[0].id;
		const { sent } = await requestsOf(() =>
			resourceMapping('getInputFields', {
				...call({
					...runParams('', {}),
					model: rl('emulator/sdxl-lite'),
					version: rl(version, 'list'),
				}),
			}),
		);
		expect(sent.map((s) => s.path)).toContain(`/v1/models/emulator/sdxl-lite/versions/${version}`);
		expect(sent.every((s) => s.method === 'GET' && s.authorized)).toBe(true);
	});
});
