// The emulator's trainers (test/emulator/models/trainers.ts), driven by the official client so every
// answer is checked against Replicate's OpenAPI document: TrainingInput in the version's schema, a
// zip uploaded with the Files API, the trained version pushed to the destination and then run, a
// failing and a canceled trainer, and the refusals.
import Replicate from 'replicate';

import { until, useEmulator } from '../helpers/emulator';
import { zip } from '../helpers/zip';

const ctx = useEmulator({ speed: 50 });
const client = () => new Replicate({ auth: ctx.emu.token, baseUrl: ctx.emu.baseUrl });
const versionOf = (model: string) => ctx.emu.store.models.get(model)!.versions[0].id;
const images = zip([
	{ name: 'a.png', data: Buffer.from('png-a') },
	{ name: 'b.png', data: Buffer.from('png-b') },
]);

/** Reads the training until it is terminal (the emulator runs at 50×: seconds at most). */
async function finished(r: Replicate, id: string) {
	for (let i = 0; i < 500; i++) {
		const t = await r.trainings.get(id);
		if (['succeeded', 'failed', 'canceled', 'aborted'].includes(t.status)) return t;
		await new Promise((res) => setTimeout(res, 20));
	}
	throw new Error(`training ${id} did not finish`);
}

describe('emulator trainers', () => {
	beforeAll(async () => {
		await client().models.create('emulator', 'lora', {
			visibility: 'private',
			hardware: 'gpu-h100',
		});
	});

	test("a trainer's version declares TrainingInput (with a secret) and TrainingOutput", async () => {
		const v = await client().models.versions.get(
			'emulator',
			'lora-trainer',
			versionOf('emulator/lora-trainer'),
		);
		const schemas = (v.openapi_schema as any).components.schemas;
		expect(schemas.TrainingInput.required).toEqual(['input_images']);
		expect(schemas.TrainingInput.properties.hf_token).toMatchObject({
			format: 'password',
			'x-cog-secret': true,
		});
		expect(schemas.TrainingOutput.properties.weights.format).toBe('uri');
		expect(schemas.Input.properties.input_images).toBeUndefined();
	});

	test('a zip trains into a new version of the destination, which then runs with its own schema', async () => {
		const r = client();
		const file = await r.files.create(new Blob([images], { type: 'application/zip' }), {});
		const t = await r.trainings.create(
			'emulator',
			'lora-trainer',
			versionOf('emulator/lora-trainer'),
			{
				destination: 'emulator/lora',
				input: {
					input_images: file.urls.get,
					steps: 10,
					trigger_word: 'ZQX',
					hf_token: 'hf_secret_value',
				},
			},
		);
		const done = await finished(r, t.id);
		expect(done.status).toBe('succeeded');
		expect(done.logs).toContain('Found 2 images');
		expect(done.logs).not.toContain('hf_secret_value');
		const out = done.output as { version: string; weights: string };
		const [model, version] = out.version.split(':');
		expect(model).toBe('emulator/lora');
		expect((await fetch(out.weights)).status).toBe(200);
		const v = await r.models.versions.get('emulator', 'lora', version);
		expect((v.openapi_schema as any).components.schemas.Input.properties.prompt.default).toBe(
			'a photo of ZQX',
		);
		const p = await r.predictions.create({ version, input: { prompt: 'ZQX on a beach' } });
		await until(() => ctx.emu.store.predictions.get(p.id)?.terminal);
		expect((await r.predictions.get(p.id)).output).toHaveLength(1);
	});

	test('refusals: not a zip fails the training; a missing input is 422; an untrainable version is 422', async () => {
		const r = client();
		const t = await r.trainings.create(
			'emulator',
			'lora-trainer',
			versionOf('emulator/lora-trainer'),
			{
				destination: 'emulator/lora',
				input: { input_images: 'data:text/plain;base64,aGVsbG8=' },
			},
		);
		expect(await finished(r, t.id)).toMatchObject({
			status: 'failed',
			error: 'input_images is not a zip file',
		});
		await expect(
			r.trainings.create('emulator', 'lora-trainer', versionOf('emulator/lora-trainer'), {
				destination: 'emulator/lora',
				input: { steps: 10 },
			}),
		).rejects.toThrow(/422.*input_images is required/);
		await expect(
			r.trainings.create('emulator', 'sdxl-lite', versionOf('emulator/sdxl-lite'), {
				destination: 'emulator/lora',
				input: {},
			}),
		).rejects.toThrow(/422.*not trainable/);
	});

	test('trainer-fails ends failed with its logs; trainer-canceled ends canceled', async () => {
		const r = client();
		const input = { input_images: `data:application/zip;base64,${images.toString('base64')}` };
		const failed = await r.trainings.create(
			'emulator',
			'trainer-fails',
			versionOf('emulator/trainer-fails'),
			{
				destination: 'emulator/lora',
				input,
			},
		);
		const f = await finished(r, failed.id);
		expect(f).toMatchObject({ status: 'failed', error: 'CUDA out of memory' });
		expect(f.logs).toContain('torch.OutOfMemoryError');
		const canceled = await r.trainings.create(
			'emulator',
			'trainer-canceled',
			versionOf('emulator/trainer-canceled'),
			{
				destination: 'emulator/lora',
				input,
			},
		);
		expect((await finished(r, canceled.id)).status).toBe('canceled');
	});
});
