// Prediction → Create, Get, Get Many, Cancel, Wait.
import { replicateCredentials, runNode } from '../harness/n8n';
import { recordingServer, until, useEmulator } from '../helpers/emulator';
import { rl } from '../helpers/params';

const ctx = useEmulator({ speed: 10, pageSizes: { predictions: 3 } });
const creds = () => replicateCredentials(ctx.emu.baseUrl, ctx.emu.token);
const op = (operation: string, extra: Record<string, unknown> = {}) => ({
	resource: 'prediction',
	operation,
	...extra,
});
const createParams = (input: Record<string, unknown>, options: Record<string, unknown> = {}) =>
	op('create', {
		runTarget: 'model',
		model: rl('emulator/sleep'),
		version: rl('', 'list'),
		inputMode: 'json',
		inputJson: JSON.stringify(input),
		options,
	});

test('Create returns at once (status starting) and sends the webhook and its filter', async () => {
	const hook = await recordingServer();
	try {
		const { items, error } = await runNode({
			parameters: createParams(
				{ seconds: 0.5 },
				{ webhook: hook.url, webhookEvents: ['completed'] },
			),
			credentials: creds(),
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({
			status: 'starting',
			webhook: hook.url,
			webhook_events_filter: ['completed'],
		});
		const delivery = await until(() =>
			hook.received.find((d) => JSON.parse(d.body).id === items[0].json.id),
		);
		expect(JSON.parse(delivery.body).status).toBe('succeeded');
	} finally {
		await hook.close();
	}
});

test('Create rejects a bad webhook URL and unknown events before creating anything', async () => {
	const before = ctx.emu.store.predictions.size;
	expect(
		(await runNode({ parameters: createParams({}, { webhook: 'ftp://x' }), credentials: creds() }))
			.error?.message,
	).toMatch(/"Webhook URL" option "ftp:\/\/x" is not an http\(s\) URL \[item 0\]/);
	expect(
		(
			await runNode({
				parameters: createParams(
					{},
					{ webhook: 'https://example.com/h', webhookEvents: 'completed,finished' },
				),
				credentials: creds(),
			})
		).error?.message,
	).toMatch(/unknown events: finished/);
	expect(ctx.emu.store.predictions.size).toBe(before);
});

test('Get, Cancel and Wait by ID (or URL)', async () => {
	const { items } = await runNode({
		parameters: createParams({ seconds: 3600 }),
		credentials: creds(),
	});
	const id = items[0].json.id as string;
	const got = await runNode({
		parameters: op('get', { predictionId: `${ctx.emu.baseUrl}/predictions/${id}` }),
		credentials: creds(),
	});
	expect(got.items[0].json.id).toBe(id);
	const canceled = await runNode({
		parameters: op('cancel', { predictionId: id }),
		credentials: creds(),
	});
	expect(canceled.items[0].json.status).toBe('canceled');
	const waited = await runNode({
		parameters: op('wait', { predictionId: id }),
		credentials: creds(),
	});
	expect(waited.error?.message).toMatch(
		new RegExp(`Prediction ${id} was stopped on Replicate before it finished`),
	);
	expect(waited.error?.description).toMatch(/status is "canceled"/);

	const img = await runNode({
		parameters: {
			...createParams({}),
			model: rl('emulator/flux-lite'),
			inputJson: '{"prompt":"x","num_outputs":2}',
		},
		credentials: creds(),
	});
	const done = await runNode({
		parameters: op('wait', { predictionId: img.items[0].json.id }),
		credentials: creds(),
	});
	expect(done.items[0].json.status).toBe('succeeded');
	expect(Object.keys(done.items[0].binary!)).toEqual(['data', 'data_1']);
});

test('Get Many pages through cursors, honours Limit and the created-after filter', async () => {
	const t0 = new Date().toISOString();
	for (let i = 0; i < 4; i++)
		await runNode({ parameters: createParams({ seconds: 0.1 }), credentials: creds() });
	const limited = await runNode({
		parameters: op('getMany', { returnAll: false, limit: 5 }),
		credentials: creds(),
	});
	expect(limited.items).toHaveLength(5);
	const all = await runNode({
		parameters: op('getMany', { returnAll: true }),
		credentials: creds(),
	});
	expect(all.items).toHaveLength(ctx.emu.store.predictions.size);
	const recent = await runNode({
		parameters: op('getMany', { returnAll: true, filters: { createdAfter: t0 } }),
		credentials: creds(),
	});
	expect(recent.items).toHaveLength(4);
	expect(ctx.emu.requests('predictions.list').length).toBeGreaterThan(3);
	const bad = await runNode({
		parameters: op('getMany', { returnAll: true, filters: { createdAfter: 'yesterday-ish' } }),
		credentials: creds(),
	});
	expect(bad.error?.message).toMatch(
		/"Created After" filter "yesterday-ish" is not a date-time \[item 0\]/,
	);
});

test('a bad prediction ID is caught locally', async () => {
	const { error } = await runNode({
		parameters: op('get', { predictionId: 'not an id!' }),
		credentials: creds(),
	});
	expect(error?.message).toMatch(/"Prediction ID" parameter "not an id!" is not a prediction ID/);
});
