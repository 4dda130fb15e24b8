// Model, Model Version, File, Collection, Deployment, Training, Hardware, Account, Webhook in-process.
import { createHash } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

import { Replicate } from '../../nodes/Replicate/Replicate.node';
import { replicateCredentials, runNode } from '../harness/n8n';
import { useEmulator } from '../helpers/emulator';
import { rl } from '../helpers/params';

const ctx = useEmulator({
	speed: 20,
	pageSizes: { models: 2, files: 2, collections: 1, versions: 1, deployments: 1, trainings: 1 },
});
const creds = () => replicateCredentials(ctx.emu.baseUrl, ctx.emu.token);
const run = (parameters: IDataObject, extra: Record<string, unknown> = {}) =>
	runNode({ parameters, credentials: creds(), ...extra });
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const binaryItem = (bytes: Buffer, mimeType = 'text/plain', fileName = 'note.txt') => [
	{ json: {}, binary: { data: { data: bytes.toString('base64'), mimeType, fileName } } },
];

describe('Model', () => {
	test('Search uses GET /search and returns one item per model, with its search metadata', async () => {
		const { items } = await run({
			resource: 'model',
			operation: 'search',
			query: 'image',
			limit: 5,
		});
		expect(ctx.emu.requests('search').at(-1)?.status).toBe(200);
		expect(items.map((i) => i.json.name)).toEqual(
			expect.arrayContaining(['flux-lite', 'sdxl-lite']),
		);
		expect(items[0].json).toMatchObject({
			owner: 'emulator',
			search: { score: expect.any(Number), tags: expect.any(Array) },
		});
		expect(items[0].json.default_example).toBeUndefined(); // simplified by default
	});

	test('Get (simplified and not), Get Many past one page with sort, Get README, Get Examples', async () => {
		const simple = await run({
			resource: 'model',
			operation: 'get',
			model: rl('emulator/sdxl-lite'),
		});
		expect(simple.items[0].json.default_example).toBeUndefined();
		expect((simple.items[0].json.latest_version as any).openapi_schema).toBeUndefined();
		const full = await run({
			resource: 'model',
			operation: 'get',
			model: rl('https://replicate.com/emulator/sdxl-lite', 'url'),
			simplify: false,
		});
		expect(
			(full.items[0].json.latest_version as any).openapi_schema.components.schemas.Input,
		).toBeDefined();
		const many = await run({
			resource: 'model',
			operation: 'getMany',
			returnAll: true,
			sortBy: 'model_created_at',
			sortDirection: 'asc',
		});
		expect(many.items.length).toBeGreaterThanOrEqual(8);
		expect(many.items[0].json.name).toBe('flux-lite');
		expect(ctx.emu.requests('models.list').length).toBeGreaterThanOrEqual(4); // pages of 2
		const limited = await run({
			resource: 'model',
			operation: 'getMany',
			returnAll: false,
			limit: 3,
		});
		expect(limited.items).toHaveLength(3);
		const readme = await run({
			resource: 'model',
			operation: 'getReadme',
			model: rl('emulator/sleep'),
		});
		expect(readme.items[0].json.text).toMatch(/^# sleep/);
		const examples = await run({
			resource: 'model',
			operation: 'getExamples',
			model: rl('emulator/sleep'),
			returnAll: true,
		});
		expect(examples.items[0].json).toMatchObject({ model: 'emulator/sleep', status: 'succeeded' });
	});

	test("Create, Update, Delete; a 404 carries Replicate's detail", async () => {
		const created = await run({
			resource: 'model',
			operation: 'create',
			owner: 'emulator',
			name: 'n8n-made',
			visibility: 'private',
			hardware: 'gpu-t4',
			additionalFields: { description: 'made by n8n', githubUrl: 'https://github.com/x/y' },
		});
		expect(created.items[0].json).toMatchObject({
			owner: 'emulator',
			name: 'n8n-made',
			visibility: 'private',
			description: 'made by n8n',
			github_url: 'https://github.com/x/y',
		});
		const updated = await run({
			resource: 'model',
			operation: 'update',
			model: rl('emulator/n8n-made'),
			updateFields: { description: 'changed', readme: '# hi' },
		});
		expect(updated.items[0].json.description).toBe('changed');
		expect(
			(await run({ resource: 'model', operation: 'getReadme', model: rl('emulator/n8n-made') }))
				.items[0].json.text,
		).toBe('# hi');
		expect(
			(await run({ resource: 'model', operation: 'delete', model: rl('emulator/n8n-made') }))
				.items[0].json,
		).toEqual({ deleted: true });
		const gone = await run({ resource: 'model', operation: 'get', model: rl('emulator/n8n-made') });
		expect(gone.error?.message).toBe('Replicate: Not found.');
		expect(gone.error?.httpCode).toBe('404');
	});

	test('Create checks the name and URLs locally', async () => {
		const before = ctx.emu.requests('models.create').length;
		expect(
			(
				await run({
					resource: 'model',
					operation: 'create',
					owner: 'emulator',
					name: 'Bad Name',
					visibility: 'private',
					hardware: 'cpu',
				})
			).error?.message,
		).toMatch(/"Name" parameter "Bad Name"/);
		expect(
			(
				await run({
					resource: 'model',
					operation: 'create',
					owner: 'emulator',
					name: 'ok',
					visibility: 'private',
					hardware: 'cpu',
					additionalFields: { paperUrl: 'not a url' },
				})
			).error?.message,
		).toMatch(/"Paper URL" parameter "not a url" is not an http\(s\) URL \[item 0\]/);
		expect(ctx.emu.requests('models.create').length).toBe(before);
	});
});

describe('Model Version', () => {
	test('Get (with its schema), Get Many past one page, Delete', async () => {
		const versions = ctx.emu.store.models.get('emulator/sdxl-lite')!.versions.map((v) => v.id);
		const got = await run({
			resource: 'modelVersion',
			operation: 'get',
			model: rl('emulator/sdxl-lite'),
			version: rl(versions[0]),
		});
		expect(
			(got.items[0].json.openapi_schema as any).components.schemas.Input.properties.prompt,
		).toBeDefined();
		const many = await run({
			resource: 'modelVersion',
			operation: 'getMany',
			model: rl('emulator/sdxl-lite'),
			returnAll: true,
		});
		expect(many.items.map((i) => i.json.id)).toEqual(versions);
		expect(many.items[0].json.openapi_schema).toBeUndefined(); // simplified by default
		await run({
			resource: 'model',
			operation: 'create',
			owner: 'emulator',
			name: 'with-version',
			visibility: 'private',
			hardware: 'cpu',
		});
		const m = ctx.emu.store.models.get('emulator/with-version')!;
		m.versions.push(
			ctx.emu.store.makeVersion(ctx.emu.store.models.get('emulator/sleep')!.def!, 'x', Date.now()),
		);
		const del = await run({
			resource: 'modelVersion',
			operation: 'delete',
			model: rl('emulator/with-version'),
			version: rl(m.versions[0].id),
		});
		expect(del.items[0].json).toEqual({ deleted: true });
		expect(m.versions).toHaveLength(0);
	});
});

describe('File', () => {
	test('Upload (sha256 verified), Get, Get Many past one page, Delete', async () => {
		const bytes = Buffer.from('a file for replicate\n'.repeat(1000));
		const up = await run(
			{
				resource: 'file',
				operation: 'upload',
				binaryProperty: 'data',
				options: { metadata: '{"k": 1}', fileName: 'renamed.txt' },
			},
			{ input: binaryItem(bytes) },
		);
		expect(up.error).toBeUndefined();
		const file = up.items[0].json as any;
		expect(file).toMatchObject({
			name: 'renamed.txt',
			content_type: 'text/plain',
			size: bytes.length,
			metadata: { k: 1 },
			checksums: { sha256: sha256(bytes) },
		});
		expect(Buffer.compare(ctx.emu.store.files.get(file.id)!.data, bytes)).toBe(0);
		await run(
			{ resource: 'file', operation: 'upload', binaryProperty: 'data' },
			{ input: binaryItem(Buffer.from('two')) },
		);
		await run(
			{ resource: 'file', operation: 'upload', binaryProperty: 'data' },
			{ input: binaryItem(Buffer.from('three')) },
		);
		expect(
			(await run({ resource: 'file', operation: 'get', fileId: rl(file.id) })).items[0].json.id,
		).toBe(file.id);
		expect(
			(await run({ resource: 'file', operation: 'get', fileId: rl(file.urls.get, 'url') })).items[0]
				.json.id,
		).toBe(file.id);
		const many = await run({ resource: 'file', operation: 'getMany', returnAll: true });
		expect(many.items.length).toBe(3);
		expect(
			(await run({ resource: 'file', operation: 'delete', fileId: rl(file.id) })).items[0].json,
		).toEqual({ deleted: true });
		const gone = await run({ resource: 'file', operation: 'get', fileId: rl(file.id) });
		expect(gone.error?.message).toBe('Replicate: File not found');
	});

	test('File has no Download operation: Replicate documents only signed download URLs it never hands out', async () => {
		const { error } = await run({ resource: 'file', operation: 'download', fileId: rl('abc') });
		expect(error?.message).toMatch(/operation "download" of "file" is not supported/);
		// The emulator, like the documents, wants owner, expiry and signature: a token alone is not enough.
		const up = await run(
			{ resource: 'file', operation: 'upload', binaryProperty: 'data' },
			{ input: binaryItem(Buffer.from('x')) },
		);
		const id = (up.items[0].json as any).id;
		const res = await fetch(`${ctx.emu.baseUrl}/files/${id}/download`, {
			headers: { authorization: `Bearer ${ctx.emu.token}` },
		});
		expect(res.status).toBe(422);
		const signed = ctx.emu.signedFileUrl(id);
		expect((await fetch(signed)).status).toBe(200);
		expect((await fetch(signed.replace(/signature=[^&]+/, 'signature=forged'))).status).toBe(404);
	});

	test('a sha256 mismatch fails clearly and deletes the upload', async () => {
		ctx.emu.addFault({
			method: 'POST',
			path: '/v1/files',
			phase: 'after',
			times: 1,
			transform: (b: any) => ({ ...b, checksums: { ...b.checksums, sha256: '0'.repeat(64) } }),
		});
		const before = ctx.emu.store.files.size;
		const { error } = await run(
			{ resource: 'file', operation: 'upload', binaryProperty: 'data' },
			{ input: binaryItem(Buffer.from('checked bytes')) },
		);
		expect(error?.message).toMatch(/upload of "data" did not arrive intact \[item 0\]/);
		expect(error?.description).toContain(
			`the sha256 of the bytes sent is ${sha256(Buffer.from('checked bytes'))} and Replicate reported ${'0'.repeat(64)}`,
		);
		expect(error?.description).not.toMatch(/undefined/);
		expect(ctx.emu.store.files.size).toBe(before);
	});

	test('a size mismatch fails even when no checksum is reported', async () => {
		ctx.emu.addFault({
			method: 'POST',
			path: '/v1/files',
			phase: 'after',
			times: 1,
			transform: (b: any) => ({ ...b, size: b.size - 1, checksums: {} }),
		});
		const before = ctx.emu.store.files.size;
		const { error } = await run(
			{ resource: 'file', operation: 'upload', binaryProperty: 'data' },
			{ input: binaryItem(Buffer.from('checked bytes')) },
		);
		expect(error?.description).toMatch(/13 bytes were sent and Replicate stored 12/);
		expect(ctx.emu.store.files.size).toBe(before);
	});

	test('an answer without checksums.sha256 (md5 and etag are undocumented) is accepted', async () => {
		ctx.emu.addFault({
			method: 'POST',
			path: '/v1/files',
			phase: 'after',
			times: 1,
			transform: (b: any) => ({ ...b, checksums: {}, etag: 'nonsense' }),
		});
		const { error, items } = await run(
			{ resource: 'file', operation: 'upload', binaryProperty: 'data' },
			{ input: binaryItem(Buffer.from('unchecked bytes')) },
		);
		expect(error).toBeUndefined();
		expect(ctx.emu.store.files.has((items[0].json as any).id)).toBe(true);
	});

	test('a file over 100 MB is rejected before anything is sent', async () => {
		const before = ctx.emu.requests('files.create').length;
		const input = [
			{
				json: {},
				binary: {
					data: {
						data: Buffer.from('x').toString('base64'),
						mimeType: 'video/mp4',
						fileName: 'huge.mp4',
						bytes: 100 * 1024 * 1024 + 1,
					},
				},
			},
		];
		const { error } = await run(
			{ resource: 'file', operation: 'upload', binaryProperty: 'data' },
			{ input },
		);
		expect(error?.message).toMatch(
			/"data" is 100\.0 MB; Replicate accepts files up to 100 MB \[item 0\]/,
		);
		expect(ctx.emu.requests('files.create').length).toBe(before);
	});

	test('a missing binary property and bad metadata JSON name the parameter', async () => {
		expect(
			(
				await run(
					{ resource: 'file', operation: 'upload', binaryProperty: 'nope' },
					{ input: binaryItem(Buffer.from('x')) },
				)
			).error?.message,
		).toMatch(/^This item has no binary property "nope" \(Input Binary Field\) \[item 0\]$/);
		expect(
			(
				await run(
					{
						resource: 'file',
						operation: 'upload',
						binaryProperty: 'data',
						options: { metadata: '{oops' },
					},
					{ input: binaryItem(Buffer.from('x')) },
				)
			).error?.message,
		).toMatch(/"Metadata \(JSON\)" parameter is not valid JSON/);
	});

	test('Continue On Fail: a missing file gives an error item per input item', async () => {
		const { items } = await run(
			{ resource: 'file', operation: 'get', fileId: rl('doesnotexist') },
			{ continueOnFail: true, input: [{ json: {} }, { json: {} }] },
		);
		expect(items).toEqual([
			// One sentence: the detail is not repeated as a description.
			{ json: { error: 'Replicate: File not found', httpCode: '404' }, pairedItem: { item: 0 } },
			{ json: { error: 'Replicate: File not found', httpCode: '404' }, pairedItem: { item: 1 } },
		]);
	});
});

describe('Collection, Deployment, Training, Webhook, Hardware', () => {
	test('Collection: Get with its models, Get Many past one page', async () => {
		const got = await run({
			resource: 'collection',
			operation: 'get',
			collection: rl('text-to-image'),
		});
		expect((got.items[0].json.models as any[]).map((m) => m.name)).toEqual([
			'flux-lite',
			'sdxl-lite',
		]);
		const many = await run({ resource: 'collection', operation: 'getMany', returnAll: true });
		expect(many.items).toHaveLength(ctx.emu.store.collections.length);
	});

	test('Deployment: Create, Get, Get Many, Update, Delete; local checks', async () => {
		const created = await run({
			resource: 'deployment',
			operation: 'create',
			name: 'n8n-dep',
			model: rl('emulator/sdxl-lite'),
			version: rl('', 'list'),
			hardware: 'gpu-t4',
			minInstances: 0,
			maxInstances: 2,
		});
		expect(created.items[0].json).toMatchObject({
			owner: 'emulator',
			name: 'n8n-dep',
			current_release: { number: 1, model: 'emulator/sdxl-lite' },
		});
		expect(
			(await run({ resource: 'deployment', operation: 'get', deployment: rl('emulator/n8n-dep') }))
				.items[0].json.name,
		).toBe('n8n-dep');
		expect(
			(await run({ resource: 'deployment', operation: 'getMany', returnAll: true })).items.map(
				(i) => i.json.name,
			),
		).toEqual(expect.arrayContaining(['n8n-dep', 'image-prod']));
		const updated = await run({
			resource: 'deployment',
			operation: 'update',
			deployment: rl('emulator/n8n-dep'),
			updateFields: { maxInstances: 4 },
		});
		expect(updated.items[0].json.current_release).toMatchObject({
			number: 2,
			configuration: { max_instances: 4 },
		});
		expect(
			(
				await run({
					resource: 'deployment',
					operation: 'update',
					deployment: rl('emulator/n8n-dep'),
					updateFields: { minInstances: 9 },
				})
			).error?.message,
		).toMatch(/"Min Instances" parameter must be a whole number from 0 to 5 \(got 9\)/);
		expect(
			(
				await run({
					resource: 'deployment',
					operation: 'delete',
					deployment: rl('emulator/n8n-dep'),
				})
			).items[0].json,
		).toEqual({ deleted: true });
	});

	test('Training: Create (latest version), Get, Get Many, Cancel', async () => {
		await run({
			resource: 'model',
			operation: 'create',
			owner: 'emulator',
			name: 'tuned',
			visibility: 'private',
			hardware: 'cpu',
		});
		const created = await run({
			resource: 'training',
			operation: 'create',
			model: rl('emulator/trainable'),
			version: rl('', 'list'),
			destination: 'emulator/tuned',
			input: '{"steps": 5000}',
		});
		expect(created.error).toBeUndefined();
		const id = created.items[0].json.id as string;
		expect(
			(await run({ resource: 'training', operation: 'get', trainingId: id })).items[0].json.id,
		).toBe(id);
		expect(
			(await run({ resource: 'training', operation: 'getMany', returnAll: true })).items.map(
				(i) => i.json.id,
			),
		).toContain(id);
		expect(
			(await run({ resource: 'training', operation: 'cancel', trainingId: id })).items[0].json
				.status,
		).toBe('canceled');
		const bad = await run({
			resource: 'training',
			operation: 'create',
			model: rl('emulator/trainable'),
			version: rl('', 'list'),
			destination: 'emulator/missing',
			input: '{}',
		});
		expect(bad.error?.message).toBe('Replicate: The specified training destination does not exist');
	});

	test('Webhook: Get Default Signing Secret; Hardware: Get Many', async () => {
		const secret = (await run({ resource: 'webhook', operation: 'getDefaultSecret' })).items[0]
			.json;
		expect(secret.key).toBe(ctx.emu.options.webhookSecret);
		// the field holding it is one n8n always redacts in stored executions
		const field = Object.keys(secret).find((k) => secret[k] === ctx.emu.options.webhookSecret);
		expect(new Replicate().description).toMatchObject({ sensitiveOutputFields: [field] });
		expect(
			(await run({ resource: 'hardware', operation: 'getMany' })).items.map((i) => i.json.sku),
		).toContain('gpu-h100');
	});
});
