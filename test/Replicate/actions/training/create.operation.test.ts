// Training → Create (node version 1.1) in-process against the emulator's trainers: the trainer's
// TrainingInput as fields with Run's checks, the zip upload, the destination and Create If Missing
// (and its refusal), waiting (success, failure, cancel on Replicate, timeout with cancel, a stop of
// the execution), the trained version run by Prediction → Run, and secret inputs kept out of output.
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { callWebhook, replicateCredentials, runNode } from '../../../harness/n8n';
import { recordingServer, until, useEmulator } from '../../../helpers/emulator';
import { rl, runParams } from '../../../helpers/params';
import { zip } from '../../../helpers/zip';

const ctx = useEmulator({ speed: 50 });
const creds = () => replicateCredentials(ctx.emu.baseUrl, ctx.emu.token);
const V11 = { typeVersion: 1.1 };
const SECRET = 'hf_unit_secret_token_0123456789';
const images = zip([
	{ name: 'a.png', data: Buffer.from('png-a') },
	{ name: 'b.png', data: Buffer.from('png-b') },
]);
const zipItem = (json: IDataObject = {}): INodeExecutionData => ({
	json,
	binary: {
		data: {
			data: images.toString('base64'),
			mimeType: 'application/zip',
			fileName: 'images.zip',
		},
	},
});
const requests = (op: string) => ctx.emu.requests(op).length;

function trainParams(extra: IDataObject = {}, fields: IDataObject = { steps: 10 }): IDataObject {
	return {
		resource: 'training',
		operation: 'create',
		model: rl('emulator/lora-trainer'),
		version: rl('', 'list'),
		destination: rl('emulator/unit-lora'),
		inputMode: 'fields',
		inputFields: { mappingMode: 'defineBelow', value: fields },
		binaryInputs: { files: [{ input: 'input_images', binaryProperty: 'data' }] },
		waitMode: 'poll',
		options: { maxPollInterval: 1 },
		...extra,
	};
}

const train = (parameters: IDataObject, extra: Partial<Parameters<typeof runNode>[0]> = {}) =>
	runNode({
		parameters,
		credentials: creds(),
		input: [zipItem()],
		nodeSettings: V11,
		...extra,
	});

beforeAll(async () => {
	await fetch(`${ctx.emu.baseUrl}/models`, {
		method: 'POST',
		headers: { authorization: `Bearer ${ctx.emu.token}`, 'content-type': 'application/json' },
		body: JSON.stringify({
			owner: 'emulator',
			name: 'unit-lora',
			visibility: 'private',
			hardware: 'cpu',
		}),
	});
});

describe('Training → Create: inputs and checks', () => {
	test("the trainer's TrainingInput is checked like Run's inputs before anything is sent", async () => {
		const before = [requests('trainings.create'), requests('files.create')];
		const low = await train(trainParams({}, { steps: 1 }));
		expect(low.error?.message).toBe(
			'Invalid training input "Steps" (steps): must be at least 3 (got 1) [item 0]',
		);
		const unknown = await train(trainParams({}, { stepz: 10 }));
		expect(unknown.error?.message).toBe(
			'Invalid training input "Stepz" (stepz): this trainer has no such input [item 0]',
		);
		const notTrainer = await train(trainParams({ model: rl('emulator/sdxl-lite') }));
		expect(notTrainer.error?.message).toMatch(
			/^emulator\/sdxl-lite \(version [0-9a-f]{12}…\) declares no training inputs/,
		);
		const noZip = await train(trainParams(), { input: [{ json: {} }] });
		expect(noZip.error?.message).toMatch(/This item has no binary property "data"/);
		expect([requests('trainings.create'), requests('files.create')]).toEqual(before);
	});

	test('the zip is uploaded with the Files API; the training succeeds; its version runs in Prediction → Run', async () => {
		const uploads = requests('files.create');
		const { items, error } = await train(
			trainParams(
				{ secretInputs: { values: [{ name: 'hf_token', value: SECRET }] } },
				{ steps: 10, trigger_word: 'ZQX' },
			),
		);
		expect(error).toBeUndefined();
		expect(requests('files.create')).toBe(uploads + 1);
		const t = items[0].json;
		expect(t).toMatchObject({ status: 'succeeded', destination: 'emulator/unit-lora' });
		expect(t.version_ref).toMatch(/^emulator\/unit-lora:[0-9a-f]{64}$/);
		const sent = ctx.emu.store.trainings.get(String(t.id))!.obj.input as IDataObject;
		expect(String(sent.input_images)).toMatch(/\/files\//);
		expect(sent.hf_token).toBe(SECRET); // Replicate got it…
		expect((t.input as IDataObject).hf_token).toBe('[secret]'); // …the output does not
		expect(JSON.stringify(items)).not.toContain(SECRET);
		// The reference is Run's model as it is (By ID), the new version's own schema checks the input.
		const ran = await runNode({
			parameters: runParams(String(t.version_ref), { prompt: 'ZQX on the moon' }, {}),
			credentials: creds(),
		});
		expect(ran.error).toBeUndefined();
		expect(ran.items[0].json.version).toBe(String(t.version_ref).split(':')[1]);
		expect(ran.items[0].binary?.data?.mimeType).toBe('image/png');
	});

	test('Download Weights puts the weights file in binary data', async () => {
		const { items, error } = await train(
			trainParams({ options: { maxPollInterval: 1, download: true } }),
		);
		expect(error).toBeUndefined();
		expect(items[0].binary?.data?.fileName).toBe('trained_model.tar');
	});
});

describe('Training → Create: destination', () => {
	test("a missing destination without Create If Missing: Replicate's 404, named", async () => {
		const { error } = await train(trainParams({ destination: rl('emulator/not-there') }));
		expect(error?.message).toBe('Replicate: The specified training destination does not exist');
	});

	test('Create If Missing: checked first, created once for three items, then trained', async () => {
		const creates = requests('models.create');
		const { items, error } = await train(
			trainParams({
				destination: rl('emulator/unit-new-lora'),
				createDestination: true,
				destinationHardware: 'cpu',
				destinationDescription: 'made by a test',
			}),
			{ input: [zipItem({ n: 0 }), zipItem({ n: 1 }), zipItem({ n: 2 })] },
		);
		expect(error).toBeUndefined();
		expect(items.map((i) => i.json.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
		expect(requests('models.create')).toBe(creates + 1);
		const model = ctx.emu.store.models.get('emulator/unit-new-lora')!;
		expect(model).toMatchObject({
			hardware: 'cpu',
			description: 'made by a test',
			visibility: 'private',
		});
		expect(model.versions).toHaveLength(3);
		// It exists now: a second run creates nothing.
		await train(
			trainParams({ destination: rl('emulator/unit-new-lora'), createDestination: true }),
		);
		expect(requests('models.create')).toBe(creates + 1);
	});

	test("Create If Missing for another owner: Replicate's refusal, with the token's account", async () => {
		const trainings = requests('trainings.create');
		const { error } = await train(
			trainParams({ destination: rl('someone-else/lora'), createDestination: true }),
		);
		expect(error?.message).toBe(
			'Could not create the destination model someone-else/lora: Forbidden: You do not have permission to create models for "someone-else" [item 0]',
		);
		expect(error?.description).toMatch(/The API token belongs to "emulator"/);
		expect(requests('trainings.create')).toBe(trainings);
	});
});

describe('Training → Create: waiting', () => {
	test("a failed training fails the item with Replicate's error and the logs' last lines", async () => {
		const { error } = await train(trainParams({ model: rl('emulator/trainer-fails') }, {}));
		expect(error?.message).toMatch(/^Training [a-z0-9]+ failed: CUDA out of memory/);
		expect(error?.description).toMatch(/torch\.OutOfMemoryError/);
	});

	test('a training canceled on Replicate fails the item saying so', async () => {
		const { error } = await train(trainParams({ model: rl('emulator/trainer-canceled') }, {}));
		expect(error?.message).toMatch(
			/^Training [a-z0-9]+ was stopped on Replicate before it finished/,
		);
	});

	test('Return at Once gives the training as created', async () => {
		const { items, error } = await train(trainParams({ waitMode: 'none' }, { steps: 10 }));
		expect(error).toBeUndefined();
		expect(items[0].json.status).toBe('starting');
		await ctx.emu.store.trainings.get(String(items[0].json.id))!.waitTerminal(5000);
	});

	test('the Timeout cancels the training on Replicate', async () => {
		const { error } = await train(
			trainParams({ options: { maxPollInterval: 1, timeout: 1 } }, { steps: 6000 }),
		);
		expect(error?.message).toMatch(/^Training ([a-z0-9]+) timed out: not finished after 1 s/);
		const id = /Training ([a-z0-9]+)/.exec(error!.message)![1];
		expect(ctx.emu.store.trainings.get(id)!.status).toBe('canceled');
	});

	test('stopping the execution cancels the training on Replicate', async () => {
		const before = new Set(ctx.emu.store.trainings.keys());
		let stop = () => {};
		const result = train(trainParams({}, { steps: 6000 }), {
			onStart: (run) => (stop = () => run.cancel()),
		});
		const mine = await until(() =>
			[...ctx.emu.store.trainings.values()].find((t) => !before.has(String(t.obj.id))),
		);
		// The node has the training's id (its create was answered) and is polling.
		await until(() => ctx.emu.log.some((l) => l.path === `/v1/trainings/${String(mine.obj.id)}`));
		stop();
		await result;
		await until(() => mine.status === 'canceled');
		expect(ctx.emu.store.trainings.size).toBe(before.size + 1);
	});
});

describe('secret inputs of models (Run)', () => {
	test("a model's secret input is sent, and redacted from Run's output", async () => {
		const { items } = await train(trainParams({}, { steps: 10 }));
		const ref = String(items[0].json.version_ref);
		const ran = await runNode({
			parameters: runParams(
				ref,
				{ prompt: 'x' },
				{ download: false },
				{
					secretInputs: { values: [{ name: 'hf_api_token', value: SECRET }] },
				},
			),
			credentials: creds(),
		});
		expect(ran.error).toBeUndefined();
		const sent = ctx.emu.store.predictions.get(String(ran.items[0].json.id))!.obj
			.input as IDataObject;
		expect(sent.hf_api_token).toBe(SECRET);
		expect((ran.items[0].json.input as IDataObject).hf_api_token).toBe('[secret]');
		expect(JSON.stringify(ran.items)).not.toContain(SECRET);
	});
});

describe('Training → Create: Wait for Webhook', () => {
	const NODE_ID = 'a1b2c3d4-0000-4000-8000-000000000001';

	test("suspends with the training's webhook on the resume URL; the signed delivery resumes it with the new version", async () => {
		const waiting = await recordingServer(200);
		try {
			const base = waiting.url.replace(/\/hook$/, '/webhook-waiting');
			const parameters = trainParams(
				{ waitMode: 'webhook', secretInputs: { values: [{ name: 'hf_token', value: SECRET }] } },
				{ steps: 10 },
			);
			const { run, items, error } = await train(parameters, {
				additionalData: { webhookWaitingBaseUrl: base },
			});
			expect(error).toBeUndefined();
			expect(run.waitTill).toBeInstanceOf(Date);
			const created = ctx.emu.store.trainings.get(String(items[0].json.id))!;
			expect(created.obj).toMatchObject({
				webhook: expect.stringMatching(new RegExp(`^${base}/\\d+/${NODE_ID}$`)),
				webhook_events_filter: ['completed'],
			});
			expect(JSON.stringify(items)).not.toContain(SECRET);
			const d = await until(
				() => waiting.received.find((x) => JSON.parse(x.body).id === created.obj.id),
				15_000,
			);
			const resumed = await callWebhook({
				type: '@n8n-nodes-replicate/n8n-nodes-replicate.replicate',
				nodeId: NODE_ID,
				nodeName: 'Replicate',
				parameters: parameters as never,
				credentials: creds(),
				headers: d.headers as Record<string, string>,
				rawBody: Buffer.from(d.body),
				runExecutionData: run.data as never,
			});
			const out = resumed.response.workflowData![0][0];
			expect(out.json).toMatchObject({ id: created.obj.id, status: 'succeeded' });
			expect(out.json.version_ref).toMatch(/^emulator\/unit-lora:[0-9a-f]{64}$/);
			expect((out.json.input as IDataObject).hf_token).toBe('[secret]');
			expect(
				ctx.emu.requests('trainings.get').some((l) => l.path.endsWith(String(created.obj.id))),
			).toBe(true);
		} finally {
			await waiting.close();
		}
	});

	test('more than one item and a Webhook URL option are refused before anything is sent', async () => {
		const trainings = requests('trainings.create');
		const two = await train(trainParams({ waitMode: 'webhook' }), {
			input: [zipItem(), zipItem()],
		});
		expect(two.error?.message).toMatch(
			/"Wait for Webhook" handles one item per execution \(got 2\)/,
		);
		const hook = await train(
			trainParams({ waitMode: 'webhook', options: { webhook: 'https://example.com/h' } }),
		);
		expect(hook.error?.message).toMatch(
			/The "Webhook URL" option cannot be used with "Wait for Webhook"/,
		);
		expect(requests('trainings.create')).toBe(trainings);
	});
});

describe('Training → Create: Retry On Fail', () => {
	test('nothing is created twice: one failed create among three items, one destination created, three trainings', async () => {
		const models = requests('models.create');
		const faults = ctx.emu.requests('trainings.create').filter((l) => l.fault).length;
		const trainings = ctx.emu.store.trainings.size;
		ctx.emu.addFault({ method: 'POST', path: /\/trainings$/, nth: 2, status: 500 });
		const { items, error } = await train(
			trainParams({ destination: rl('emulator/unit-retry-lora'), createDestination: true }),
			{
				input: [zipItem({ n: 0 }), zipItem({ n: 1 }), zipItem({ n: 2 })],
				nodeSettings: { ...V11, retryOnFail: true, maxTries: 3, waitBetweenTries: 10 },
			},
		);
		expect(error).toBeUndefined();
		expect(items.map((i) => i.json.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
		expect(requests('models.create')).toBe(models + 1);
		expect(ctx.emu.store.trainings.size).toBe(trainings + 3);
		// The fault fired: the second create failed, and only it was sent again on the retry.
		expect(ctx.emu.requests('trainings.create').filter((l) => l.fault).length).toBe(faults + 1);
	});
});
