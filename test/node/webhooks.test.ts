// Webhook signatures, the Replicate Trigger, and "Wait for Webhook" runs (suspend, then resume).
import type { IDataObject } from 'n8n-workflow';

import { signWebhook } from '../emulator';
import { verifyDelivery } from '../../nodes/common/webhooks/signature';
import { callWebhook, replicateCredentials, runNode } from '../harness/n8n';
import { recordingServer, until, useEmulator } from '../helpers/emulator';
import { runParams } from '../helpers/params';

describe('signature verifier', () => {
	const A = {
		secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
		id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
		timestamp: '1614265330',
		body: '{"test": 2432232314}',
		signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
	};
	const B = {
		secret: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
		id: 'msg_test_emulator_0001',
		timestamp: '1700000000',
		body: '{"id":"gm3qorzdhgbfurvjtvhg6dckhu","status":"succeeded","output":"hello Alice"}',
		signature: 'v1,/QJZkqgSOoNYQHlPWQj879JWG/9DYUsq8OszkrJsrlM=',
	};
	const at = (ts: string) => Number(ts) * 1000;
	const check = (v: typeof A, over: Partial<typeof A> = {}, now = at(v.timestamp)) =>
		verifyDelivery({ ...v, ...over }, over.secret ?? v.secret, 300, now);

	test('both test vectors of replicate-api.md §13.3 are accepted (B among several signatures)', () => {
		expect(check(A)).toEqual({ ok: true });
		expect(check(B, { signature: `v1,bogus v2,${B.signature.slice(3)} ${B.signature}` })).toEqual({
			ok: true,
		});
	});

	test.each([
		['a wrong signature', { signature: 'v1,invalid_signature' }, /no signature matches/],
		[
			'a v2 label with the right MAC',
			{ signature: `v2,${A.signature.slice(3)}` },
			/no signature matches/,
		],
		['an altered body', { body: '{"test": 2432232315}' }, /no signature matches/],
		['a missing webhook-id', { id: '' }, /missing/],
		['a missing signature', { signature: '' }, /missing/],
		['a secret not in whsec_ form', { secret: 'invalid_secret_format' }, /not a whsec_ key/],
		["another account's secret", { secret: B.secret }, /no signature matches/],
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
	const delivery = (
		body: object,
		over: { id?: string; ts?: number; secret?: string; sig?: string } = {},
	) => {
		const raw = JSON.stringify(body);
		const id = over.id ?? `msg_${Math.random().toString(36).slice(2)}`;
		const ts = over.ts ?? Math.floor(Date.now() / 1000);
		return {
			rawBody: Buffer.from(raw),
			headers: {
				'webhook-id': id,
				'webhook-timestamp': String(ts),
				'webhook-signature': over.sig ?? signWebhook(over.secret ?? secret(), id, ts, raw),
				'content-type': 'application/json',
			},
		};
	};
	const params = {
		events: ['completed'],
		statuses: ['succeeded', 'failed', 'canceled', 'aborted'],
		options: {},
	};

	test('a signed delivery starts the workflow with the prediction; the secret comes from Replicate when the credential has none', async () => {
		const p = { id: 'abc123def456ghi789jkl0mnop', status: 'succeeded', output: 'hi' };
		const r = await callWebhook({ parameters: params, credentials: creds(), ...delivery(p) });
		expect(r.response.workflowData).toEqual([[{ json: p }]]);
		expect(ctx.emu.requests('webhooks.default.secret.get').length).toBe(1);
		expect(r.staticData.signingSecret).toBe(secret());
	});

	test('forged, stale and altered deliveries get 401 and start nothing', async () => {
		const p = { id: 'x', status: 'succeeded' };
		const forged = await callWebhook({
			parameters: params,
			credentials: creds({ webhookSecret: secret() }),
			...delivery(p, { secret: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD' }),
		});
		expect([forged.status, forged.response.workflowData]).toEqual([401, undefined]);
		const stale = await callWebhook({
			parameters: params,
			credentials: creds({ webhookSecret: secret() }),
			...delivery(p, { ts: Math.floor(Date.now() / 1000) - 600 }),
		});
		expect([stale.status, (stale.body as any).reason]).toEqual([
			401,
			expect.stringMatching(/off \(tolerance 300 s\)/),
		]);
		const d = delivery(p);
		const altered = await callWebhook({
			parameters: params,
			credentials: creds({ webhookSecret: secret() }),
			headers: d.headers,
			rawBody: Buffer.from(JSON.stringify({ ...p, status: 'failed' })),
		});
		expect([altered.status, altered.response.workflowData]).toEqual([401, undefined]);
		const unsigned = await callWebhook({
			parameters: params,
			credentials: creds({ webhookSecret: secret() }),
			headers: { 'content-type': 'application/json' },
			rawBody: Buffer.from('{}'),
		});
		expect(unsigned.status).toBe(401);
	});

	test('a repeated webhook-id (Replicate retrying) is answered 200 and starts nothing', async () => {
		const staticData = {};
		const d = delivery({ id: 'dup', status: 'succeeded' }, { id: 'msg_same' });
		const first = await callWebhook({
			parameters: params,
			credentials: creds({ webhookSecret: secret() }),
			staticData,
			...d,
		});
		expect(first.response.workflowData).toBeDefined();
		const again = await callWebhook({
			parameters: params,
			credentials: creds({ webhookSecret: secret() }),
			staticData,
			...d,
		});
		expect([again.status, again.body, again.response.workflowData]).toEqual([
			200,
			{ received: true, duplicate: true },
			undefined,
		]);
	});

	test('event and final-status filters', async () => {
		const onlyFailed = { ...params, statuses: ['failed'] };
		const ok = await callWebhook({
			parameters: onlyFailed,
			credentials: creds({ webhookSecret: secret() }),
			...delivery({ id: 'a', status: 'succeeded' }),
		});
		expect([ok.status, ok.response.workflowData]).toEqual([200, undefined]);
		const start = await callWebhook({
			parameters: params,
			credentials: creds({ webhookSecret: secret() }),
			...delivery({ id: 'a', status: 'starting' }),
		});
		expect(start.response.workflowData).toBeUndefined();
		const withStart = await callWebhook({
			parameters: { ...params, events: ['start'] },
			credentials: creds({ webhookSecret: secret() }),
			...delivery({ id: 'a', status: 'starting' }),
		});
		expect(withStart.response.workflowData?.[0][0].json.status).toBe('starting');
	});

	test('Download Output Files puts the files in binary data (shared with Prediction → Run)', async () => {
		const res = await fetch(`${ctx.emu.baseUrl}/models/emulator/flux-lite/predictions`, {
			method: 'POST',
			headers: { authorization: `Bearer ${ctx.emu.token}`, prefer: 'wait' },
			body: JSON.stringify({ input: { prompt: 'x', num_outputs: 2 } }),
		});
		const p = await res.json();
		const r = await callWebhook({
			parameters: { ...params, options: { download: true } },
			credentials: creds({ webhookSecret: secret() }),
			...delivery(p),
		});
		const item = r.response.workflowData![0][0];
		expect(Object.keys(item.binary ?? {})).toEqual(['data', 'data_1']);
		expect(item.binary!.data.mimeType).toBe('image/png');
	});
});

describe('Run: Wait for Webhook', () => {
	const ctx = useEmulator({ speed: 20, webhookRetryDelaysMs: [200, 200] });
	const creds = (baseUrl = ctx.emu.baseUrl) => replicateCredentials(baseUrl, ctx.emu.token);
	const NODE_ID = 'a1b2c3d4-0000-4000-8000-000000000001';
	type Delivery = {
		headers: Record<string, string | string[] | undefined>;
		body: string;
		path: string;
	};

	/** Runs the node in webhook mode with n8n's waiting-webhook base URL pointing at a recorder. */
	async function suspend(
		model: string,
		input: IDataObject,
		options: IDataObject = {},
		over: { baseUrl?: string } = {},
	) {
		const waiting = await recordingServer(200);
		const base = waiting.url.replace(/\/hook$/, '/webhook-waiting');
		const result = await runNode({
			parameters: runParams(model, input, { syncWait: 1, ...options }, { waitMode: 'webhook' }),
			credentials: creds(over.baseUrl),
			additionalData: { webhookWaitingBaseUrl: base },
		});
		const created = [...ctx.emu.store.predictions.values()].at(-1)!;
		return { ...result, waiting, base, created };
	}

	/** Hands a recorded delivery to the node's webhook() as n8n does for the waiting execution. */
	function resume(
		run: { data: unknown },
		d: { headers: Delivery['headers']; body: string },
		parameters: object = runParams('emulator/sdxl-lite', {}, {}, { waitMode: 'webhook' }),
		baseUrl?: string,
	) {
		return callWebhook({
			type: '@n8n-nodes-replicate/n8n-nodes-replicate.replicate',
			nodeId: NODE_ID,
			nodeName: 'Replicate',
			parameters: parameters as Record<string, unknown> as never,
			credentials: creds(baseUrl),
			headers: d.headers as Record<string, string>,
			rawBody: Buffer.from(d.body),
			runExecutionData: run.data as never,
		});
	}

	const deliveryFor = (waiting: { received: Delivery[] }, id: unknown) =>
		until(() => waiting.received.find((x) => JSON.parse(x.body).id === id), 15_000);

	test("the prediction's webhook is the execution's resume URL plus the node id (no HMAC signature); the documented delivery body resumes the run with the output", async () => {
		const { run, items, waiting, base, created } = await suspend('emulator/sdxl-lite', {
			prompt: 'slow',
			num_outputs: 1,
			duration_ms: 5_000,
		});
		try {
			expect(run.waitTill).toBeInstanceOf(Date);
			expect(items[0].json).toMatchObject({
				id: created.obj.id,
				status: expect.stringMatching(/starting|processing/),
			});
			expect(created.obj).toMatchObject({
				webhook_events_filter: ['completed'],
				deadline: expect.any(String),
			});
			// What $execution.resumeUrl gives in n8n-core 2.8 (no resume token there), plus the node id.
			expect(created.obj.webhook).toBe(`${base}/1/${NODE_ID}`);
			const d = await deliveryFor(waiting, created.obj.id);
			// Replicate's documented delivery: the prediction, without webhook / webhook_events_filter.
			expect(JSON.parse(d.body)).not.toHaveProperty('webhook');
			expect(JSON.parse(d.body)).not.toHaveProperty('webhook_events_filter');
			const gets = ctx.emu.requests('predictions.get').length;
			const resumed = await resume(run, d);
			const out = resumed.response.workflowData![0][0];
			expect(out.json).toMatchObject({ id: created.obj.id, status: 'succeeded' });
			expect(out.binary!.data.mimeType).toBe('image/png');
			// The state came from Replicate (fetched by the kept id), not from the body alone.
			expect(ctx.emu.requests('predictions.get').length).toBe(gets + 1);
		} finally {
			await waiting.close();
		}
	});

	test("the kept prediction id is found when n8n's sandboxed expression engine cannot call customData.get() (as in n8n 2.41)", async () => {
		const { run, waiting, created } = await suspend('emulator/sdxl-lite', {
			prompt: 'vm',
			num_outputs: 1,
			duration_ms: 5_000,
		});
		const { WebhookContext } = await import('n8n-core');
		// The "vm" engine bridges plain values only: a function call evaluates to undefined.
		const spy = jest
			.spyOn(WebhookContext.prototype, 'evaluateExpression')
			.mockReturnValue(undefined as never);
		try {
			const d = await deliveryFor(waiting, created.obj.id);
			const resumed = await resume(run, d);
			expect(spy).toHaveBeenCalled();
			expect(resumed.response.workflowData![0][0].json).toMatchObject({
				id: created.obj.id,
				status: 'succeeded',
			});
		} finally {
			spy.mockRestore();
			await waiting.close();
		}
	});

	test('with the emulator echoing webhook fields in deliveries, the run resumes the same way', async () => {
		ctx.emu.options.webhookEchoFields = true;
		const { run, waiting, created } = await suspend('emulator/sdxl-lite', {
			prompt: 'echo',
			num_outputs: 1,
			duration_ms: 5_000,
		});
		try {
			const d = await deliveryFor(waiting, created.obj.id);
			expect(JSON.parse(d.body).webhook).toBe(created.obj.webhook);
			const resumed = await resume(run, d);
			expect(resumed.response.workflowData![0][0].json).toMatchObject({
				id: created.obj.id,
				status: 'succeeded',
			});
		} finally {
			ctx.emu.options.webhookEchoFields = false;
			await waiting.close();
		}
	});

	test('a signed delivery for another prediction id gets 409 and resumes nothing; so does one for an execution that kept no prediction', async () => {
		const { run, waiting, created } = await suspend('emulator/sdxl-lite', {
			prompt: 'mine',
			num_outputs: 1,
			duration_ms: 5_000,
		});
		try {
			// Another prediction of the same account, delivered (genuinely signed) to the same recorder.
			const res = await fetch(`${ctx.emu.baseUrl}/models/emulator/flux-lite/predictions`, {
				method: 'POST',
				headers: {
					authorization: `Bearer ${ctx.emu.token}`,
					'content-type': 'application/json',
					prefer: 'wait',
				},
				body: JSON.stringify({
					input: { prompt: 'other', num_outputs: 1 },
					webhook: waiting.url,
					webhook_events_filter: ['completed'],
				}),
			});
			const other = (await res.json()) as { id: string };
			const foreign = await deliveryFor(waiting, other.id);
			const gets = ctx.emu.requests('predictions.get').length;
			const r = await resume(run, foreign);
			expect([r.status, r.response.workflowData]).toEqual([409, undefined]);
			expect(ctx.emu.requests('predictions.get').length).toBe(gets);
			// An execution without a kept prediction id (not suspended by this node) resumes on nothing.
			const mine = await deliveryFor(waiting, created.obj.id);
			const blank = await resume(
				{ data: { ...run.data, resultData: { ...run.data.resultData, metadata: {} } } },
				mine,
			);
			expect([blank.status, blank.response.workflowData]).toEqual([409, undefined]);
			// The right one still resumes.
			expect((await resume(run, mine)).response.workflowData![0][0].json.id).toBe(created.obj.id);
		} finally {
			await waiting.close();
		}
	});

	test('without a Webhook Signing Secret, resume calls fetch the default secret once per credential and process', async () => {
		const { run, waiting, created } = await suspend('emulator/sdxl-lite', {
			prompt: 'secret',
			num_outputs: 1,
			duration_ms: 5_000,
		});
		try {
			const d = await deliveryFor(waiting, created.obj.id);
			// Two credentials: the same account reached under two Base URL spellings.
			const a = ctx.emu.baseUrl.replace('127.0.0.1', 'localhost');
			const b = ctx.emu.baseUrl.replace('127.0.0.1', 'LOCALHOST');
			const fetches = () => ctx.emu.requests('webhooks.default.secret.get').length;
			const before = fetches();
			const forged = {
				headers: {
					...d.headers,
					'webhook-signature': 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
				},
				body: d.body,
			};
			for (let k = 0; k < 3; k++)
				expect((await resume(run, forged, undefined, a)).status).toBe(401);
			expect(fetches()).toBe(before + 1);
			expect((await resume(run, d, undefined, a)).response.workflowData).toBeDefined();
			expect(fetches()).toBe(before + 1);
			// Another credential does not get the first one's secret from the cache: it fetches its own.
			await resume(run, forged, undefined, b);
			expect(fetches()).toBe(before + 2);
		} finally {
			await waiting.close();
		}
	});

	test("Simplify gives the same output on resume as in Sync mode (the version's schema is fetched on resume)", async () => {
		const input = { prompt: 'story', max_tokens: 6, token_delay_ms: 1000 };
		const sync = await runNode({
			parameters: runParams('emulator/llm-stream', input, { simplify: true }),
			credentials: creds(),
		});
		expect(sync.items[0].json).toEqual({ output: 'Once upon a time, a' });
		const { run, waiting, created } = await suspend('emulator/llm-stream', input, {
			simplify: true,
		});
		try {
			expect(run.waitTill).toBeInstanceOf(Date);
			const d = await deliveryFor(waiting, created.obj.id);
			const resumed = await resume(
				run,
				d,
				runParams('emulator/llm-stream', {}, { simplify: true }, { waitMode: 'webhook' }),
			);
			expect(resumed.response.workflowData![0][0].json).toEqual(sync.items[0].json);
		} finally {
			await waiting.close();
		}
	});

	test("the wait ends through Replicate's deadline, never by expiring: the canceled webhook resumes the run with the prediction and an error", async () => {
		const { run, waiting, created } = await suspend(
			'emulator/sdxl-lite',
			{ prompt: 'too long', num_outputs: 1, duration_ms: 60_000 },
			{ timeout: 5 },
		);
		try {
			// Cancel-After is the Timeout (5 s; the emulator's deadline is in model time).
			const sent =
				(Date.parse(String(created.obj.deadline)) - Date.parse(String(created.obj.created_at))) *
				20;
			expect(Math.round(sent / 1000)).toBe(5);
			// n8n would end an expired wait by passing the node's input on; the wait outlasts any deadline.
			expect(run.waitTill!.getTime()).toBeGreaterThan(
				Date.parse(String(created.obj.deadline)) + 365 * 24 * 3600_000,
			);
			const d = await deliveryFor(waiting, created.obj.id);
			const out = (await resume(run, d)).response.workflowData![0][0].json;
			expect(out).toMatchObject({
				id: created.obj.id,
				status: 'canceled',
				error: `Prediction ${created.obj.id} was canceled`,
			});
		} finally {
			await waiting.close();
		}
	});

	test('Cancel-After is the shorter of the Timeout and the Server-Side Deadline', async () => {
		const { waiting, created } = await suspend(
			'emulator/sdxl-lite',
			{ prompt: 'deadline', num_outputs: 1, duration_ms: 60_000 },
			{ timeout: 600, cancelAfter: '1m' },
		);
		try {
			const sent =
				(Date.parse(String(created.obj.deadline)) - Date.parse(String(created.obj.created_at))) *
				20;
			expect(Math.round(sent / 1000)).toBe(60);
		} finally {
			await fetch(`${ctx.emu.baseUrl}/predictions/${created.obj.id}/cancel`, {
				method: 'POST',
				headers: { authorization: `Bearer ${ctx.emu.token}` },
			});
			await waiting.close();
		}
	});

	test('bad input: the same checks and errors as Sync mode, and Continue On Fail gives an error item instead of failing the node', async () => {
		const webhook = (options: IDataObject, continueOnFail = false) =>
			runNode({
				parameters: runParams('emulator/flux-lite', { prompt: 'x' }, options, {
					waitMode: 'webhook',
				}),
				credentials: creds(),
				continueOnFail,
			});
		const sync = (options: IDataObject) =>
			runNode({
				parameters: runParams('emulator/flux-lite', { prompt: 'x' }, options),
				credentials: creds(),
			});
		const creates = ctx.emu.requests('models.predictions.create').length;
		for (const options of [{ syncWait: 90 }, { syncWait: 'abc' }, { timeout: -1 }]) {
			const [w, s] = [await webhook(options), await sync(options)];
			expect(w.error?.message).toMatch(/option must be/);
			expect(w.error?.message).toBe(s.error?.message);
			const cof = await webhook(options, true);
			expect(cof.error).toBeUndefined();
			expect(cof.run.waitTill).toBeUndefined();
			expect(cof.items).toEqual([
				{ json: expect.objectContaining({ error: s.error?.message }), pairedItem: { item: 0 } },
			]);
		}
		const bad = await webhook({}, true);
		expect(bad.items[0].json.status).toBe('succeeded'); // the same node, valid options: it runs
		expect(ctx.emu.requests('models.predictions.create').length).toBe(creates + 1);
	});

	test('an empty Sync Wait means the default 60 s hold, in webhook mode too', async () => {
		// 10 model-seconds: longer than a 1 s hold, well inside the default 60 s one.
		const { run, items } = await runNode({
			parameters: runParams(
				'emulator/sdxl-lite',
				{ prompt: 'hold', num_outputs: 1, duration_ms: 10_000 },
				{ syncWait: '' },
				{ waitMode: 'webhook' },
			),
			credentials: creds(),
		});
		expect(run.waitTill).toBeUndefined();
		expect(items[0].json.status).toBe('succeeded');
	});

	test('a fast prediction finishes in the sync hold: no suspension', async () => {
		const { run, items } = await runNode({
			parameters: runParams('emulator/flux-lite', { prompt: 'quick' }, {}, { waitMode: 'webhook' }),
			credentials: creds(),
		});
		expect(run.waitTill).toBeUndefined();
		expect(items[0].json.status).toBe('succeeded');
		expect(items[0].binary!.data).toBeDefined();
	});

	test('more than one item is refused clearly', async () => {
		const { error } = await runNode({
			parameters: runParams('emulator/flux-lite', { prompt: 'a' }, {}, { waitMode: 'webhook' }),
			credentials: creds(),
			input: [{ json: {} }, { json: {} }],
		});
		expect(error?.message).toMatch(/"Wait for Webhook" handles one item per execution \(got 2\)/);
	});
});
