// A delivery that starts nothing says why in n8n's log (the Replicate Trigger and Wait for Webhook's
// resume), without the signature, the secret or the body.
import { signWebhook } from '../../emulator';
import { callWebhook, replicateCredentials, type WebhookResult } from '../../harness/n8n';
import { useEmulator } from '../../helpers/emulator';
import { runParams } from '../../helpers/params';

const ctx = useEmulator({ speed: 20 });
const OTHER_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const params = { events: ['completed'], statuses: ['succeeded'], options: {} };
const creds = () =>
	replicateCredentials(ctx.emu.baseUrl, ctx.emu.token, {
		webhookSecret: ctx.emu.options.webhookSecret,
	});

function delivery(body: object, over: { id?: string; ts?: number; secret?: string } = {}) {
	const raw = JSON.stringify(body);
	const id = over.id ?? `msg_${Math.random().toString(36).slice(2)}`;
	const ts = over.ts ?? Math.floor(Date.now() / 1000);
	const signature = signWebhook(over.secret ?? ctx.emu.options.webhookSecret!, id, ts, raw);
	return {
		rawBody: Buffer.from(raw),
		headers: {
			'webhook-id': id,
			'webhook-timestamp': String(ts),
			'webhook-signature': signature,
			'content-type': 'application/json',
		},
	};
}

/** Nothing a sender or the credential holds appears in a log line. */
function expectNoSecrets(r: WebhookResult, d: ReturnType<typeof delivery>) {
	const text = JSON.stringify(r.logs);
	for (const secret of [
		ctx.emu.options.webhookSecret!,
		OTHER_SECRET,
		ctx.emu.token,
		d.headers['webhook-signature'],
		d.rawBody.toString(),
	])
		expect(text).not.toContain(secret);
}

describe('rejected deliveries are logged with the reason', () => {
	test('a bad signature: a warning naming the node, the URL, the status and the reason; 401', async () => {
		const d = delivery({ id: 'p1', status: 'succeeded' }, { secret: OTHER_SECRET });
		const r = await callWebhook({
			parameters: params,
			credentials: creds(),
			nodeName: 'On Replicate',
			...d,
		});
		expect(r.status).toBe(401);
		expect(r.logs).toHaveLength(1);
		expect(r.logs[0].level).toBe('warn');
		expect(r.logs[0].message).toMatch(
			/node "On Replicate" \(Production URL\) of workflow wfTestWebhook001 answered 401: signature rejected: no signature matches \(checked with the credential's Webhook Signing Secret\)/,
		);
		expect(r.logs[0].meta).toMatchObject({ webhookId: d.headers['webhook-id'], status: 401 });
		expectNoSecrets(r, d);
	});

	test('listening for a test event, a rejection fails the trigger (shown in the editor) instead of answering', async () => {
		const d = delivery({ id: 'p1', status: 'succeeded' }, { secret: OTHER_SECRET });
		const r = await callWebhook({
			parameters: params,
			credentials: creds(),
			mode: 'manual',
			captureError: true,
			...d,
		});
		expect(r.error?.message).toBe(
			"Webhook delivery rejected: signature rejected: no signature matches (checked with the credential's Webhook Signing Secret)",
		);
		expect(r.error?.description).toMatch(/click "Execute step" to listen again/);
		// Nothing answered: n8n answers the error itself.
		expect(r.body).toBeUndefined();
		expect(r.logs.map((l) => l.message)).toEqual([
			expect.stringMatching(
				/\(Test URL\) .* was refused \(shown in the editor; n8n answers 500\): signature rejected/,
			),
		]);
		expectNoSecrets(r, d);
		expect(JSON.stringify([r.error?.message, r.error?.description])).not.toContain(
			d.headers['webhook-signature'],
		);
	});

	test('a stale timestamp says how far off it is; the Production URL is named as such', async () => {
		const d = delivery(
			{ id: 'p2', status: 'succeeded' },
			{ ts: Math.floor(Date.now() / 1000) - 900 },
		);
		const r = await callWebhook({ parameters: params, credentials: creds(), ...d });
		expect(r.status).toBe(401);
		expect(r.logs.map((l) => l.message)).toEqual([
			expect.stringMatching(
				/\(Production URL\).*answered 401: .*webhook-timestamp is 9\d\d s off \(tolerance 300 s\)/,
			),
		]);
		expectNoSecrets(r, d);
	});

	test('a replayed webhook-id is logged (info) and starts nothing', async () => {
		const staticData = {};
		const d = delivery({ id: 'p3', status: 'succeeded' }, { id: 'msg_replayed_0001' });
		const first = await callWebhook({ parameters: params, credentials: creds(), staticData, ...d });
		expect(first.logs).toEqual([]);
		const again = await callWebhook({ parameters: params, credentials: creds(), staticData, ...d });
		expect(again.response.workflowData).toBeUndefined();
		expect(again.logs).toEqual([
			expect.objectContaining({
				level: 'info',
				message: expect.stringMatching(/answered 200: a repeated delivery/),
				meta: expect.objectContaining({ webhookId: 'msg_replayed_0001' }),
			}),
		]);
	});

	test("a sender's webhook-id that is not an id is not copied into the log", async () => {
		const d = delivery({ id: 'p4' }, { secret: OTHER_SECRET, id: 'msg\n[ERROR] fake line' });
		const r = await callWebhook({ parameters: params, credentials: creds(), ...d });
		expect(r.status).toBe(401);
		expect(JSON.stringify(r.logs)).not.toContain('fake line');
		expect(r.logs[0].meta).toMatchObject({ webhookId: '(malformed)' });
	});

	test('a signed body that is not JSON is logged as such', async () => {
		const id = 'msg_notjson';
		const ts = Math.floor(Date.now() / 1000);
		const raw = 'not json';
		const r = await callWebhook({
			parameters: params,
			credentials: creds(),
			rawBody: Buffer.from(raw),
			headers: {
				'webhook-id': id,
				'webhook-timestamp': String(ts),
				'webhook-signature': signWebhook(ctx.emu.options.webhookSecret!, id, ts, raw),
			},
		});
		expect(r.status).toBe(400);
		expect(r.logs[0].message).toMatch(/answered 400: signed, but the body is not JSON/);
	});

	test("Wait for Webhook's resume endpoint logs a delivery it refuses", async () => {
		const d = delivery({ id: 'p5', status: 'succeeded' }, { secret: OTHER_SECRET });
		const forged = await callWebhook({
			type: '@n8n-nodes-replicate/n8n-nodes-replicate.replicate',
			nodeName: 'Replicate',
			parameters: runParams('emulator/sdxl-lite', {}, {}, { waitMode: 'webhook' }) as never,
			credentials: { replicateApi: creds().replicateApi },
			...d,
		});
		expect(forged.status).toBe(401);
		expect(forged.logs.map((l) => [l.level, l.message])).toEqual([
			[
				'warn',
				expect.stringMatching(
					/node "Replicate" \(resume URL of a waiting execution\) .* answered 401: signature rejected/,
				),
			],
		]);
		const unexpected = delivery({ id: 'p6', status: 'succeeded' });
		const notWaiting = await callWebhook({
			type: '@n8n-nodes-replicate/n8n-nodes-replicate.replicate',
			nodeName: 'Replicate',
			parameters: runParams('emulator/sdxl-lite', {}, {}, { waitMode: 'webhook' }) as never,
			credentials: { replicateApi: creds().replicateApi },
			...unexpected,
		});
		expect(notWaiting.status).toBe(409);
		expect(notWaiting.logs.map((l) => l.message)).toEqual([
			expect.stringMatching(
				/answered 409: Wait for Webhook did not resume: This execution is not waiting for a Replicate prediction/,
			),
		]);
		expectNoSecrets(notWaiting, unexpected);
	});
});
