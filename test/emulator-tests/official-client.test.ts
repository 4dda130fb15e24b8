// Fidelity proof: the official `replicate` npm client (1.4.0) drives every operation it has against
// the emulator, and every response is validated against Replicate's OpenAPI document (useEmulator
// fails a test on any violation). Where the client's own behaviour differs from the real API
// (as Replicate documents it), the test follows the real API and says so.
import { createHash } from 'node:crypto';
import Replicate, { validateWebhook } from 'replicate';

import { CATALOG, signWebhook } from '../emulator';
import { recordingServer, until, useEmulator } from '../helpers/emulator';

const ctx = useEmulator({ speed: 20, pageSizes: { models: 3, predictions: 2, files: 2 } });
const client = () => new Replicate({ auth: ctx.emu.token, baseUrl: ctx.emu.baseUrl });
const sdxlVersion = () => ctx.emu.store.models.get('emulator/sdxl-lite')!.versions[0].id;

describe('official client against the emulator', () => {
	test('accounts.current, hardware.list, webhooks.default.secret.get', async () => {
		const r = client();
		expect(await r.accounts.current()).toMatchObject({ type: 'user', username: 'emulator' });
		const hw = await r.hardware.list();
		expect(Array.isArray(hw)).toBe(true); // a bare array, not a page
		expect(hw.map((h) => h.sku)).toContain('gpu-t4');
		expect((await r.webhooks.default.secret.get()).key).toMatch(/^whsec_/);
	});

	test("a wrong token is a 401 problem with Replicate's real body", async () => {
		const r = new Replicate({ auth: 'r8_wrong', baseUrl: ctx.emu.baseUrl });
		await expect(r.accounts.current()).rejects.toThrow(
			/401.*You did not pass a valid authentication token/,
		);
	});

	test('collections.list and collections.get', async () => {
		const r = client();
		const page = await r.collections.list();
		expect(page.results.map((c) => c.slug)).toEqual(expect.arrayContaining(['text-to-image']));
		const c = await r.collections.get('text-to-image');
		expect(c.models?.map((m) => `${m.owner}/${m.name}`)).toEqual([
			'emulator/flux-lite',
			'emulator/sdxl-lite',
		]);
	});

	test('models.list paginates with absolute cursor URLs until every model is seen', async () => {
		const r = client();
		const first = await r.models.list();
		expect(first.results).toHaveLength(3);
		expect(first.next).toMatch(new RegExp(`^${ctx.emu.apiOrigin}/v1/models\\?cursor=`));
		const all: string[] = [];
		for await (const batch of r.paginate(r.models.list))
			all.push(...batch.map((m) => `${m.owner}/${m.name}`));
		expect(new Set(all).size).toBe(CATALOG.length);
	});

	test('models.get, models.search (JSON-quoted QUERY body), versions.list and versions.get', async () => {
		const r = client();
		const m = await r.models.get('emulator', 'sdxl-lite');
		expect(m.latest_version?.id).toMatch(/^[0-9a-f]{64}$/);
		const found = await r.models.search('sdxl');
		expect(found.results.map((x) => x.name)).toEqual(['sdxl-lite']);
		const versions = await r.models.versions.list('emulator', 'sdxl-lite');
		expect(versions.results).toHaveLength(2);
		const v = await r.models.versions.get('emulator', 'sdxl-lite', versions.results[0].id);
		expect((v.openapi_schema as any).components.schemas.Input.properties.prompt['x-order']).toBe(0);
		expect(v.cog_version).toBeTruthy();
	});

	test('models.create then the model is gettable', async () => {
		const r = client();
		const created = await r.models.create('emulator', 'my-fine-tune', {
			visibility: 'private',
			hardware: 'gpu-t4',
			description: 'mine',
		});
		expect(created).toMatchObject({
			owner: 'emulator',
			name: 'my-fine-tune',
			visibility: 'private',
			latest_version: null,
		});
		expect((await r.models.get('emulator', 'my-fine-tune')).description).toBe('mine');
	});

	test('predictions.create (version), get, list with pagination, cancel, wait', async () => {
		const r = client();
		const p = await r.predictions.create({
			version: sdxlVersion(),
			input: { prompt: 'fox', num_outputs: 2 },
		});
		expect(p.status).toBe('starting');
		expect(p.urls.get).toBe(`${ctx.emu.baseUrl}/predictions/${p.id}`);
		const done = await r.wait(p, { interval: 20 });
		expect(done.status).toBe('succeeded');
		expect(done.output).toHaveLength(2);
		expect(done.metrics?.predict_time).toBeGreaterThan(0);
		const png = Buffer.from(await (await fetch((done.output as string[])[0])).arrayBuffer());
		expect(png.subarray(1, 4).toString()).toBe('PNG');

		const long = await r.predictions.create({
			version: 'emulator/sleep:' + ctx.emu.store.models.get('emulator/sleep')!.versions[0].id,
			input: { seconds: 600 },
		});
		const canceled = await r.predictions.cancel(long.id);
		expect(canceled.status).toBe('canceled');
		expect((await r.predictions.get(long.id)).status).toBe('canceled');

		const ids: string[] = [];
		for await (const batch of r.paginate(r.predictions.list)) ids.push(...batch.map((x) => x.id));
		expect(ids.slice(0, 2)).toEqual([long.id, p.id]); // newest first, across pages of 2
	});

	test('predictions.create with an official model and wait (Prefer: wait=N, Preference-Applied)', async () => {
		const r = client();
		const p = await r.predictions.create({
			model: 'emulator/flux-lite',
			input: { prompt: 'sun', num_outputs: 3 },
			wait: 30,
		});
		expect(p.status).toBe('succeeded');
		expect(p.version).toBe('hidden');
		expect(p.output).toHaveLength(3);
		const res = await fetch(`${ctx.emu.baseUrl}/models/emulator/flux-lite/predictions`, {
			method: 'POST',
			headers: {
				authorization: `Bearer ${ctx.emu.token}`,
				prefer: 'wait=5',
				'content-type': 'application/json',
			},
			body: JSON.stringify({ input: { prompt: 'x' } }),
		});
		expect(res.status).toBe(201);
		expect(res.headers.get('preference-applied')).toBe('wait=5');
		expect(res.headers.get('location')).toMatch(/\/v1\/predictions\/[a-z0-9]{26}$/);
	});

	test('run(): official model, model version, and a failing model', async () => {
		const r = client();
		const out = (await r.run('emulator/flux-lite', {
			input: { prompt: 'sea', num_outputs: 2 },
		})) as unknown[];
		// The client wraps only https:/data: strings as FileOutput (§14.2); the emulator's http URLs stay strings.
		expect(out.map(String)).toEqual([
			expect.stringMatching(/\/out-0\.png$/),
			expect.stringMatching(/\/out-1\.png$/),
		]);
		const text = (await r.run(
			`emulator/llm-stream:${ctx.emu.store.models.get('emulator/llm-stream')!.versions[0].id}`,
			{ input: { prompt: 'hi', max_tokens: 4 } },
		)) as string[];
		expect(text.join('')).toBe('Once upon a time');
		await expect(
			r.run(
				`emulator/always-fails:${ctx.emu.store.models.get('emulator/always-fails')!.versions[0].id}`,
				{ input: { after_ms: 10 } },
			),
		).rejects.toThrow(/Prediction failed: CUDA out of memory/);
	});

	test('stream(): server-sent events from the streaming model', async () => {
		const r = client();
		const events: Array<{ event: string; data: string }> = [];
		for await (const e of r.stream(
			`emulator/llm-stream:${ctx.emu.store.models.get('emulator/llm-stream')!.versions[0].id}`,
			{ input: { prompt: 'go', max_tokens: 6 } },
		)) {
			events.push({ event: e.event, data: e.data });
		}
		expect(
			events
				.filter((e) => e.event === 'output')
				.map((e) => e.data)
				.join(''),
		).toBe('Once upon a time, a');
		expect(events[events.length - 1]).toEqual({ event: 'done', data: '{}' });
	});

	test('deployments: create, get, list, update, predictions.create, delete', async () => {
		const r = client();
		const v = sdxlVersion();
		const d = await r.deployments.create({
			name: 'my-dep',
			model: 'emulator/sdxl-lite',
			version: v,
			hardware: 'gpu-t4',
			min_instances: 0,
			max_instances: 1,
		});
		expect(d.current_release.number).toBe(1);
		expect((await r.deployments.get('emulator', 'my-dep')).name).toBe('my-dep');
		expect((await r.deployments.list()).results.map((x) => x.name)).toContain('my-dep');
		const u = await r.deployments.update('emulator', 'my-dep', { max_instances: 3 });
		expect(u.current_release).toMatchObject({ number: 2, configuration: { max_instances: 3 } });
		const p = await r.deployments.predictions.create('emulator', 'my-dep', {
			input: { prompt: 'x', num_outputs: 1 },
			wait: 20,
		});
		expect(p).toMatchObject({ status: 'succeeded', model: 'emulator/sdxl-lite', version: v });
		expect(await r.deployments.delete('emulator', 'my-dep')).toBe(true);
		await expect(r.deployments.get('emulator', 'my-dep')).rejects.toThrow(/404/);
	});

	test('files: create (Buffer and Blob with metadata), get, list, delete; a file input reaches the model', async () => {
		const r = client();
		const bytes = Buffer.from('hello world');
		const f1 = await r.files.create(bytes);
		expect(f1).toMatchObject({ size: 11, content_type: 'application/octet-stream' });
		expect((f1 as any).checksums.md5).toBe(createHash('md5').update(bytes).digest('hex'));
		expect((f1 as any).etag).toBe((f1 as any).checksums.md5);
		const f2 = await r.files.create(new Blob(['{"a":1}'], { type: 'application/json' }), {
			purpose: 'test',
		});
		expect(f2).toMatchObject({ content_type: 'application/json', metadata: { purpose: 'test' } });
		expect((await r.files.get(f1.id)).id).toBe(f1.id);
		const listed: string[] = [];
		for await (const batch of r.paginate(r.files.list)) listed.push(...batch.map((f) => f.id));
		expect(listed).toEqual(expect.arrayContaining([f1.id, f2.id]));
		const echo = ctx.emu.store.models.get('emulator/file-echo')!.versions[0].id;
		const p = await r.predictions.create({ version: echo, input: { file: f1.urls.get }, wait: 20 });
		expect((p.output as any).file).toMatchObject({ md5: (f1 as any).checksums.md5, size: 11 });
		expect(await r.files.delete(f1.id)).toBe(true);
		await expect(r.files.get(f1.id)).rejects.toThrow(/404.*File not found/);
	});

	test("data-URI file inputs (the client's fallback when /files fails with 5xx)", async () => {
		const r = client();
		ctx.emu.addFault({ method: 'POST', path: '/v1/files', status: 503 });
		const echo = ctx.emu.store.models.get('emulator/file-echo')!.versions[0].id;
		const p = await r.predictions.create({
			version: echo,
			input: { file: Buffer.from('hello world') },
			wait: 20,
		});
		expect((p.output as any).file).toMatchObject({
			md5: '5eb63bbbe01eeed093cb22bb8f5acdc3',
			via: 'data-uri',
		});
	});

	test('trainings: create, get, list, cancel; success adds a version to the destination', async () => {
		const r = client();
		await r.models.create('emulator', 'trained-dest', {
			visibility: 'private',
			hardware: 'gpu-t4',
		});
		const base = ctx.emu.store.models.get('emulator/trainable')!.versions[0].id;
		const t = await r.trainings.create('emulator', 'trainable', base, {
			destination: 'emulator/trained-dest',
			input: { steps: 1 },
		});
		expect(t.status).toBe('starting');
		let got = await r.trainings.get(t.id);
		for (let i = 0; i < 200 && got.status !== 'succeeded'; i++) {
			await new Promise((res) => setTimeout(res, 20));
			got = await r.trainings.get(t.id);
		}
		expect(got.status).toBe('succeeded');
		expect((got.output as any).version).toMatch(/^emulator\/trained-dest:[0-9a-f]{64}$/);
		expect((await r.models.versions.list('emulator', 'trained-dest')).results).toHaveLength(1);
		const t2 = await r.trainings.create('emulator', 'trainable', base, {
			destination: 'emulator/trained-dest',
			input: { steps: 1000 },
		});
		expect((await r.trainings.cancel(t2.id)).status).toBe('canceled');
		expect((await r.trainings.list()).results.map((x) => x.id)).toEqual([t2.id, t.id]);
		await expect(
			r.trainings.create('emulator', 'trainable', base, {
				destination: 'emulator/nope',
				input: {},
			}),
		).rejects.toThrow(/404.*training destination does not exist/);
	});

	test('validateWebhook accepts an emulator-signed delivery', async () => {
		const hook = await recordingServer();
		try {
			const r = client();
			const p = await r.predictions.create({
				version: sdxlVersion(),
				input: { prompt: 'x', num_outputs: 1 },
				webhook: hook.url,
				webhook_events_filter: ['completed'],
			});
			const delivery = await until(() => hook.received.find((d) => JSON.parse(d.body).id === p.id));
			expect(JSON.parse(delivery.body).status).toBe('succeeded');
			const secret = (await r.webhooks.default.secret.get()).key;
			const ok = await validateWebhook({
				id: delivery.headers['webhook-id'] as string,
				timestamp: delivery.headers['webhook-timestamp'] as string,
				signature: delivery.headers['webhook-signature'] as string,
				body: delivery.body,
				secret,
			});
			expect(ok).toBe(true);
			const forged = await validateWebhook({
				id: delivery.headers['webhook-id'] as string,
				timestamp: delivery.headers['webhook-timestamp'] as string,
				signature: delivery.headers['webhook-signature'] as string,
				body: delivery.body.replace('succeeded', 'failed'),
				secret,
			});
			expect(forged).toBe(false);
		} finally {
			await hook.close();
		}
	});
});

describe('emulator behaviour the official client cannot reach', () => {
	test('webhook signer matches both test vectors of replicate-api.md §13.3', () => {
		expect(
			signWebhook(
				'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
				'msg_p5jXN8AQM9LWM0D4loKWxJek',
				1614265330,
				'{"test": 2432232314}',
			),
		).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
		expect(
			signWebhook(
				'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
				'msg_test_emulator_0001',
				1700000000,
				'{"id":"gm3qorzdhgbfurvjtvhg6dckhu","status":"succeeded","output":"hello Alice"}',
			),
		).toBe('v1,/QJZkqgSOoNYQHlPWQj879JWG/9DYUsq8OszkrJsrlM=');
	});

	const api = (path: string, init: RequestInit & { auth?: boolean } = {}) =>
		fetch(`${ctx.emu.baseUrl}${path}`, {
			...init,
			headers: {
				...(init.auth === false ? {} : { authorization: `Token ${ctx.emu.token}` }),
				'content-type': 'application/json',
				...(init.headers ?? {}),
			},
		});

	test('GET /search needs no auth; 400 without a query', async () => {
		const ok = await api('/search?query=image&limit=5', { auth: false });
		expect(ok.status).toBe(200);
		const body = await ok.json();
		expect(body.models.map((m: any) => m.model.name)).toEqual(
			expect.arrayContaining(['flux-lite', 'sdxl-lite']),
		);
		const bad = await api('/search', { auth: false });
		expect(bad.status).toBe(400);
		expect(await bad.json()).toEqual({ detail: 'Query parameter "query" is required' });
	});

	test("QUERY /models with a raw text body (the Python client's form) and the Token scheme", async () => {
		const res = await api('/models', {
			method: 'QUERY',
			body: 'llm',
			headers: { 'content-type': 'text/plain' },
		});
		expect((await res.json()).results.map((m: any) => m.name)).toEqual(['llm-stream']);
	});

	test('Cancel-After: aborted before start, canceled while running; deadline is reported', async () => {
		const sleepV = ctx.emu.store.models.get('emulator/sleep')!.versions[0].id;
		const res = await api('/predictions', {
			method: 'POST',
			headers: { 'cancel-after': '5s' },
			body: JSON.stringify({ version: sleepV, input: { seconds: 60 } }),
		});
		const p = await res.json();
		expect(p.deadline).toBeTruthy();
		let got: any;
		for (let i = 0; i < 100; i++) {
			got = await (await api(`/predictions/${p.id}`)).json();
			if (got.status !== 'processing' && got.status !== 'starting') break;
			await new Promise((r) => setTimeout(r, 20));
		}
		expect(got.status).toBe('canceled');
		const tooShort = await api('/predictions', {
			method: 'POST',
			headers: { 'cancel-after': '2s' },
			body: JSON.stringify({ version: sleepV, input: {} }),
		});
		expect(tooShort.status).toBe(400);
	});

	test('429 carries retry_after in the body and a Retry-After header when rate limits are on', async () => {
		const { Emulator } = await import('../emulator');
		const emu = await new Emulator({
			rateLimits: { create: { limit: 1, windowMs: 60_000 } },
		}).start();
		try {
			const post = () =>
				fetch(`${emu.baseUrl}/models/emulator/flux-lite/predictions`, {
					method: 'POST',
					headers: { authorization: `Bearer ${emu.token}` },
					body: JSON.stringify({ input: { prompt: 'a' } }),
				});
			expect((await post()).status).toBe(201);
			const limited = await post();
			expect(limited.status).toBe(429);
			expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
			const body = await limited.json();
			expect(body).toMatchObject({
				status: 429,
				retry_after: expect.any(Number),
				detail: expect.stringMatching(/^Request was throttled/),
			});
			expect(emu.violations).toEqual([]);
		} finally {
			await emu.stop();
		}
	});

	test('files: 413 above 100 MB; multipart with filename/type fields and metadata as a plain field', async () => {
		const form = new FormData();
		form.append('content', new Blob([Buffer.alloc(10)]), 'ignored.bin');
		form.append('filename', 'named.txt');
		form.append('type', 'text/plain');
		form.append('metadata', '{"k":"v"}');
		const ok = await fetch(`${ctx.emu.baseUrl}/files`, {
			method: 'POST',
			headers: { authorization: `Bearer ${ctx.emu.token}` },
			body: form,
		});
		expect(ok.status).toBe(201);
		expect(await ok.json()).toMatchObject({
			name: 'named.txt',
			content_type: 'text/plain',
			metadata: { k: 'v' },
			size: 10,
		});
		const big = new FormData();
		big.append('content', new Blob([Buffer.alloc(100 * 1024 * 1024 + 1)]), 'big.bin');
		const res = await fetch(`${ctx.emu.baseUrl}/files`, {
			method: 'POST',
			headers: { authorization: `Bearer ${ctx.emu.token}` },
			body: big,
		});
		expect(res.status).toBe(413);
		expect(await res.json()).toEqual({
			detail: 'Files must be less than 100MB in size',
			status: 413,
		});
	});

	test('input validation happens before a prediction is created (422 naming the field)', async () => {
		const before = ctx.emu.store.predictions.size;
		const res = await api('/predictions', {
			method: 'POST',
			body: JSON.stringify({ version: sdxlVersion(), input: { width: 999 } }),
		});
		expect(res.status).toBe(422);
		expect((await res.json()).detail).toMatch(
			/input\.width: width must be one of the following: 64, 128, 256/,
		);
		expect(ctx.emu.store.predictions.size).toBe(before);
		const bad = await api('/predictions', {
			method: 'POST',
			body: JSON.stringify({ version: 'a'.repeat(64), input: {} }),
		});
		expect(bad.status).toBe(422);
		expect((await bad.json()).title).toBe('Invalid version or not permitted');
	});

	test('faults: n-th request status, reset, truncation, after-phase (side effect then error)', async () => {
		ctx.emu.addFault({ path: '/v1/account', nth: 2, status: 502 });
		expect((await api('/account')).status).toBe(200);
		expect((await api('/account')).status).toBe(502);
		expect((await api('/account')).status).toBe(200);
		ctx.emu.addFault({ path: '/v1/account', reset: true, times: 1 });
		await expect(api('/account')).rejects.toThrow();
		ctx.emu.addFault({ path: '/v1/hardware', truncateAt: 10, times: 1 });
		await expect(api('/hardware').then((r) => r.text())).rejects.toThrow();
		const before = ctx.emu.store.predictions.size;
		ctx.emu.addFault({
			method: 'POST',
			path: '/v1/models/emulator/flux-lite/predictions',
			phase: 'after',
			status: 502,
			times: 1,
		});
		const r = await api('/models/emulator/flux-lite/predictions', {
			method: 'POST',
			body: JSON.stringify({ input: { prompt: 'x' } }),
		});
		expect(r.status).toBe(502);
		expect(ctx.emu.store.predictions.size).toBe(before + 1); // the create reached "Replicate"
		expect(ctx.emu.requests('account.get').map((l) => l.status)).toEqual(
			expect.arrayContaining([200, 502, 0]),
		);
	});

	test('retention: inputs, outputs and logs are removed and data_removed is set', async () => {
		const { Emulator } = await import('../emulator');
		const emu = await new Emulator({ retentionMs: 50, rateLimits: false }).start();
		try {
			const res = await fetch(`${emu.baseUrl}/models/emulator/flux-lite/predictions`, {
				method: 'POST',
				headers: { authorization: `Bearer ${emu.token}`, prefer: 'wait' },
				body: JSON.stringify({ input: { prompt: 'a' } }),
			});
			const p = await res.json();
			expect(p.status).toBe('succeeded');
			await new Promise((r) => setTimeout(r, 150));
			const later = await (
				await fetch(p.urls.get, { headers: { authorization: `Bearer ${emu.token}` } })
			).json();
			expect(later).toMatchObject({ data_removed: true, output: null, input: {} });
			expect(emu.violations).toEqual([]);
		} finally {
			await emu.stop();
		}
	});

	test('terminal webhook is retried with the same webhook-id on non-2xx; intermediate ones are not', async () => {
		const { Emulator } = await import('../emulator');
		const emu = await new Emulator({
			rateLimits: false,
			speed: 50,
			webhookRetryDelaysMs: [100, 100, 100],
		}).start();
		const hook = await recordingServer(500);
		try {
			await fetch(`${emu.baseUrl}/models/emulator/flux-lite/predictions`, {
				method: 'POST',
				headers: { authorization: `Bearer ${emu.token}` },
				body: JSON.stringify({
					input: { prompt: 'a' },
					webhook: hook.url,
					webhook_events_filter: ['start', 'completed'],
				}),
			});
			await until(() => hook.received.length >= 5, 5000);
			const events = hook.received.map((d) => JSON.parse(d.body).status);
			expect(events[0]).toBe('starting');
			const terminal = hook.received.slice(1);
			expect(terminal).toHaveLength(4); // first try + 3 retries
			expect(new Set(terminal.map((d) => d.headers['webhook-id'])).size).toBe(1);
		} finally {
			await hook.close();
			await emu.stop();
		}
	});
});
