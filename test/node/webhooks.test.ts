// Webhook signatures, the Replicate Trigger, and "Wait for Webhook" runs (suspend, then resume).
import { signWebhook } from '../emulator';
import { verifyDelivery } from '../../nodes/Replicate/helpers/signature';
import { callWebhook, replicateCredentials, runNode } from '../harness/n8n';
import { recordingServer, until, useEmulator } from '../helpers/emulator';
import { runParams } from '../helpers/params';

describe('signature verifier', () => {
	const A = { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: '1614265330', body: '{"test": 2432232314}', signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' };
	const B = { secret: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD', id: 'msg_test_emulator_0001', timestamp: '1700000000', body: '{"id":"gm3qorzdhgbfurvjtvhg6dckhu","status":"succeeded","output":"hello Alice"}', signature: 'v1,/QJZkqgSOoNYQHlPWQj879JWG/9DYUsq8OszkrJsrlM=' };
	const at = (ts: string) => Number(ts) * 1000;
	const check = (v: typeof A, over: Partial<typeof A> = {}, now = at(v.timestamp)) => verifyDelivery({ ...v, ...over }, over.secret ?? v.secret, 300, now);

	test('both test vectors of replicate-api.md §13.3 are accepted (B among several signatures)', () => {
		expect(check(A)).toEqual({ ok: true });
		expect(check(B, { signature: `v1,bogus v2,${B.signature.slice(3)} ${B.signature}` })).toEqual({ ok: true });
	});

	test.each([
		['a wrong signature', { signature: 'v1,invalid_signature' }, /no signature matches/],
		['a v2 label with the right MAC', { signature: `v2,${A.signature.slice(3)}` }, /no signature matches/],
		['an altered body', { body: '{"test": 2432232315}' }, /no signature matches/],
		['a missing webhook-id', { id: '' }, /missing/],
		['a missing signature', { signature: '' }, /missing/],
		['a secret not in whsec_ form', { secret: 'invalid_secret_format' }, /not a whsec_ key/],
		['another account\'s secret', { secret: B.secret }, /no signature matches/],
	])('%s is rejected', (_n, over, reason) => {
		const v = check(A, over as Partial<typeof A>);
		expect(v.ok).toBe(false);
		expect((v as { reason: string }).reason).toMatch(reason);
	});

	test('stale and future timestamps are rejected; inside the tolerance they pass', () => {
		expect(check(A, {}, at(A.timestamp) + 301_000).ok).toBe(false);
		expect(check(A, {}, at(A.timestamp) - 301_000).ok).toBe(false);
		expect(check(A, {}, at(A.timestamp) + 299_000).ok).toBe(true);
	});
});

describe('Replicate Trigger', () => {
	const ctx = useEmulator({ speed: 20 });
	const secret = () => ctx.emu.options.webhookSecret;
	const creds = (extra = {}) => replicateCredentials(ctx.emu.baseUrl, ctx.emu.token, extra);
	const delivery = (body: object, over: { id?: string; ts?: number; secret?: string; sig?: string } = {}) => {
		const raw = JSON.stringify(body);
		const id = over.id ?? `msg_${Math.random().toString(36).slice(2)}`;
		const ts = over.ts ?? Math.floor(Date.now() / 1000);
		return { rawBody: Buffer.from(raw), headers: { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': over.sig ?? signWebhook(over.secret ?? secret(), id, ts, raw), 'content-type': 'application/json' } };
	};
	const params = { events: ['completed'], statuses: ['succeeded', 'failed', 'canceled', 'aborted'], options: {} };

	test('a signed delivery starts the workflow with the prediction; the secret comes from Replicate when the credential has none', async () => {
		const p = { id: 'abc123def456ghi789jkl0mnop', status: 'succeeded', output: 'hi' };
		const r = await callWebhook({ parameters: params, credentials: creds(), ...delivery(p) });
		expect(r.response.workflowData).toEqual([[{ json: p }]]);
		expect(ctx.emu.requests('webhooks.default.secret.get').length).toBe(1);
		expect(r.staticData.signingSecret).toBe(secret());
	});

	test('forged, stale and altered deliveries get 401 and start nothing', async () => {
		const p = { id: 'x', status: 'succeeded' };
		const forged = await callWebhook({ parameters: params, credentials: creds({ webhookSecret: secret() }), ...delivery(p, { secret: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD' }) });
		expect([forged.status, forged.response.workflowData]).toEqual([401, undefined]);
		const stale = await callWebhook({ parameters: params, credentials: creds({ webhookSecret: secret() }), ...delivery(p, { ts: Math.floor(Date.now() / 1000) - 600 }) });
		expect([stale.status, (stale.body as any).reason]).toEqual([401, expect.stringMatching(/off \(tolerance 300 s\)/)]);
		const d = delivery(p);
		const altered = await callWebhook({ parameters: params, credentials: creds({ webhookSecret: secret() }), headers: d.headers, rawBody: Buffer.from(JSON.stringify({ ...p, status: 'failed' })) });
		expect([altered.status, altered.response.workflowData]).toEqual([401, undefined]);
		const unsigned = await callWebhook({ parameters: params, credentials: creds({ webhookSecret: secret() }), headers: { 'content-type': 'application/json' }, rawBody: Buffer.from('{}') });
		expect(unsigned.status).toBe(401);
	});

	test('a repeated webhook-id (Replicate retrying) is answered 200 and starts nothing', async () => {
		const staticData = {};
		const d = delivery({ id: 'dup', status: 'succeeded' }, { id: 'msg_same' });
		const first = await callWebhook({ parameters: params, credentials: creds({ webhookSecret: secret() }), staticData, ...d });
		expect(first.response.workflowData).toBeDefined();
		const again = await callWebhook({ parameters: params, credentials: creds({ webhookSecret: secret() }), staticData, ...d });
		expect([again.status, again.body, again.response.workflowData]).toEqual([200, { received: true, duplicate: true }, undefined]);
	});

	test('event and final-status filters', async () => {
		const onlyFailed = { ...params, statuses: ['failed'] };
		const ok = await callWebhook({ parameters: onlyFailed, credentials: creds({ webhookSecret: secret() }), ...delivery({ id: 'a', status: 'succeeded' }) });
		expect([ok.status, ok.response.workflowData]).toEqual([200, undefined]);
		const start = await callWebhook({ parameters: params, credentials: creds({ webhookSecret: secret() }), ...delivery({ id: 'a', status: 'starting' }) });
		expect(start.response.workflowData).toBeUndefined();
		const withStart = await callWebhook({ parameters: { ...params, events: ['start'] }, credentials: creds({ webhookSecret: secret() }), ...delivery({ id: 'a', status: 'starting' }) });
		expect(withStart.response.workflowData?.[0][0].json.status).toBe('starting');
	});

	test('Download Output Files puts the files in binary data (shared with Prediction → Run)', async () => {
		const res = await fetch(`${ctx.emu.baseUrl}/models/emulator/flux-lite/predictions`, { method: 'POST', headers: { authorization: `Bearer ${ctx.emu.token}`, prefer: 'wait' }, body: JSON.stringify({ input: { prompt: 'x', num_outputs: 2 } }) });
		const p = await res.json();
		const r = await callWebhook({ parameters: { ...params, options: { download: true } }, credentials: creds({ webhookSecret: secret() }), ...delivery(p) });
		const item = r.response.workflowData![0][0];
		expect(Object.keys(item.binary ?? {})).toEqual(['data', 'data_1']);
		expect(item.binary!.data.mimeType).toBe('image/png');
	});
});

describe('Run: Wait for Webhook', () => {
	const ctx = useEmulator({ speed: 20, webhookRetryDelaysMs: [200, 200] });
	const creds = () => replicateCredentials(ctx.emu.baseUrl, ctx.emu.token);

	test('suspends the execution with the prediction\'s webhook pointing at the resume URL; the signed call resumes it with the output', async () => {
		const waiting = await recordingServer(200);
		try {
			const base = waiting.url.replace(/\/hook$/, '/webhook-waiting');
			const { run, items } = await runNode({
				parameters: runParams('emulator/sdxl-lite', { prompt: 'slow', num_outputs: 1, duration_ms: 60_000 }, { syncWait: 1 }, { waitMode: 'webhook' }),
				credentials: creds(),
				additionalData: { webhookWaitingBaseUrl: base },
			});
			expect(run.waitTill).toBeInstanceOf(Date);
			expect(items).toHaveLength(1); // the input passes through while waiting
			const created = [...ctx.emu.store.predictions.values()].at(-1)!;
			expect(created.obj).toMatchObject({ webhook_events_filter: ['completed'], deadline: expect.any(String) });
			expect(String(created.obj.webhook)).toMatch(/\/webhook-waiting\/1\/a1b2c3d4-0000-4000-8000-000000000001\?signature=/);
			const d = await until(() => waiting.received.find((x) => JSON.parse(x.body).id === created.obj.id), 15_000);
			const resumed = await callWebhook({
				type: 'n8n-nodes-replicate.replicate',
				nodeId: 'a1b2c3d4-0000-4000-8000-000000000001',
				parameters: runParams('emulator/sdxl-lite', {}, {}, { waitMode: 'webhook' }),
				credentials: creds(),
				headers: d.headers as Record<string, string>,
				rawBody: Buffer.from(d.body),
				path: new URL(String(created.obj.webhook)).pathname,
			});
			const out = resumed.response.workflowData![0][0];
			expect(out.json).toMatchObject({ id: created.obj.id, status: 'succeeded' });
			expect(out.binary!.data.mimeType).toBe('image/png');
			// A delivery for another execution's URL is refused.
			const other = await callWebhook({ type: 'n8n-nodes-replicate.replicate', parameters: runParams('emulator/sdxl-lite', {}), credentials: creds(), headers: d.headers as Record<string, string>, rawBody: Buffer.from(d.body), path: '/webhook-waiting/2/other' });
			expect(other.status).toBe(409);
		} finally {
			await waiting.close();
		}
	});

	test('a fast prediction finishes in the sync hold: no suspension', async () => {
		const { run, items } = await runNode({ parameters: runParams('emulator/flux-lite', { prompt: 'quick' }, {}, { waitMode: 'webhook' }), credentials: creds() });
		expect(run.waitTill).toBeUndefined();
		expect(items[0].json.status).toBe('succeeded');
		expect(items[0].binary!.data).toBeDefined();
	});

	test('more than one item is refused clearly', async () => {
		const { error } = await runNode({ parameters: runParams('emulator/flux-lite', { prompt: 'a' }, {}, { waitMode: 'webhook' }), credentials: creds(), input: [{ json: {} }, { json: {} }] });
		expect(error?.message).toMatch(/"Wait for Webhook" handles one item per execution \(got 2\)/);
	});
});
