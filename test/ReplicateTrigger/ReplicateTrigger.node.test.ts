// The trigger and training deliveries: "Deliveries Of" filters trainings and predictions (asking
// Replicate when the body does not say), a training's item carries version_ref, and secret inputs
// echoed back in a delivery are redacted.
import { signWebhook } from '../emulator';
import { callWebhook, replicateCredentials } from '../harness/n8n';
import { useEmulator } from '../helpers/emulator';

const ctx = useEmulator({ speed: 20 });
const creds = () => replicateCredentials(ctx.emu.baseUrl, ctx.emu.token);
const SECRET = 'hf_trigger_secret_0123456789';
const V = 'b'.repeat(64);

function deliver(body: object, kinds: string[]) {
	const raw = JSON.stringify(body);
	const id = `msg_${Math.random().toString(36).slice(2)}`;
	const ts = Math.floor(Date.now() / 1000);
	return callWebhook({
		parameters: { kinds, events: ['completed'], statuses: [], options: {} },
		credentials: creds(),
		rawBody: Buffer.from(raw),
		headers: {
			'webhook-id': id,
			'webhook-timestamp': String(ts),
			'webhook-signature': signWebhook(ctx.emu.options.webhookSecret, id, ts, raw),
			'content-type': 'application/json',
		},
	});
}

const trainer = () => ctx.emu.store.models.get('emulator/lora-trainer')!.versions[0].id;
const training = (get: string) => ({
	id: 'trainingid0000000000000001',
	model: 'emulator/lora-trainer',
	version: trainer(),
	status: 'succeeded',
	input: { input_images: 'https://example.com/x.zip', hf_token: SECRET },
	output: { version: `emulator/tuned:${V}`, weights: 'https://example.com/w.tar' },
	urls: { get },
});

describe('Replicate Trigger: trainings', () => {
	test('a training delivery starts "trainings", with version_ref and its secret redacted', async () => {
		const r = await deliver(training(`${ctx.emu.baseUrl}/trainings/x`), ['training']);
		const item = r.response.workflowData![0][0];
		expect(item.json).toMatchObject({
			id: 'trainingid0000000000000001',
			version_ref: `emulator/tuned:${V}`,
		});
		expect((item.json.input as Record<string, unknown>).hf_token).toBe('[secret]');
		expect(JSON.stringify(r.response)).not.toContain(SECRET);
	});

	test('filtered out where only predictions are wanted', async () => {
		const r = await deliver(training(`${ctx.emu.baseUrl}/trainings/x`), ['prediction']);
		expect(r.response.workflowData).toBeUndefined();
		expect(r.body).toEqual({ received: true, ignored: 'trainings are filtered out' });
	});

	test('a body that does not say (a /predictions/ URL) is a training only when Replicate knows it as one', async () => {
		const gets = ctx.emu.requests('trainings.get').length;
		const r = await deliver(
			{
				id: 'notatraining00000000000001',
				status: 'succeeded',
				output: 'x',
				urls: { get: `${ctx.emu.baseUrl}/predictions/notatraining00000000000001` },
			},
			['training'],
		);
		expect(r.body).toEqual({ received: true, ignored: 'predictions are filtered out' });
		expect(ctx.emu.requests('trainings.get').length).toBe(gets + 1);
		const both = await deliver({ id: 'p2', status: 'succeeded', output: 'x' }, [
			'prediction',
			'training',
		]);
		expect(both.response.workflowData![0][0].json.id).toBe('p2');
		expect(ctx.emu.requests('trainings.get').length).toBe(gets + 1); // not asked: both are wanted
	});
});
