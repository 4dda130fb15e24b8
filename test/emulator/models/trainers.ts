// Trainers: models whose versions accept trainings (POST /models/{o}/{n}/versions/{id}/trainings).
// Their version's openapi_schema carries `TrainingInput` and `TrainingOutput` beside Input and Output,
// as Replicate's trainers do (modelled on ostris/flux-dev-lora-trainer: a zip of images, a trigger
// word, steps, and a secret Hugging Face token declared `format: password` with `x-cog-secret`).
// A training that succeeds pushes a new version to the destination model; that version runs as
// the model `produces` returns (an image model with an input schema of its own).
import { images } from './render';
import { cogSchema } from './schema';
import { ModelError, RunCanceled, type JsonObject, type ModelDef, type RunContext } from './types';

const OWNER = 'emulator';

/** A secret input as Cog declares one (cog.Secret): a password-formatted, write-only string. */
export const secretField = (title: string, description: string, order: number): JsonObject => ({
	type: 'string',
	title,
	format: 'password',
	writeOnly: true,
	'x-cog-secret': true,
	description,
	'x-order': order,
});

const imagesZip = (order: number): JsonObject => ({
	type: 'string',
	title: 'Input Images',
	format: 'uri',
	description:
		'A zip file containing the images that will be used for training. At least one image.',
	'x-order': order,
});

/**
 * Reads the training images: a zip (local file headers "PK\x03\x04"), or a ModelError naming what
 * came instead. The entry count is what a trainer logs.
 */
async function readZip(ctx: RunContext, url: unknown): Promise<number> {
	if (typeof url !== 'string' || !url) throw new ModelError('input_images is required');
	const { data } = await ctx.fetchInput(url);
	if (data.length < 4 || data.readUInt32LE(0) !== 0x04034b50)
		throw new ModelError('input_images is not a zip file');
	let count = 0;
	for (let at = data.indexOf('PK\x03\x04'); at >= 0; at = data.indexOf('PK\x03\x04', at + 4))
		count++;
	return count;
}

/** The model a LoRA training produces: runs with the trigger word in its default prompt. */
function loraModel(trigger: string): ModelDef {
	return {
		owner: OWNER,
		name: 'trained-lora',
		description: 'A version pushed by a training.',
		hardware: 'gpu-h100',
		tags: ['text-to-image'],
		versions: 1,
		openapi: cogSchema({
			properties: {
				prompt: {
					type: 'string',
					title: 'Prompt',
					default: `a photo of ${trigger}`,
					description: `Prompt for the generated image; include "${trigger}" to use the trained concept`,
					'x-order': 0,
				},
				lora_scale: {
					type: 'number',
					title: 'Lora Scale',
					default: 1,
					minimum: -1,
					maximum: 3,
					'x-order': 1,
				},
				num_outputs: {
					type: 'integer',
					title: 'Num Outputs',
					default: 1,
					minimum: 1,
					maximum: 4,
					'x-order': 2,
				},
				hf_api_token: secretField(
					'Hf Api Token',
					'Hugging Face token, to load extra LoRA weights from a private repository',
					3,
				),
			},
			output: { type: 'array', items: { type: 'string', format: 'uri' } },
		}),
		exampleInput: { prompt: `a photo of ${trigger}` },
		readme: '# trained-lora\n',
		run: (ctx) => images(ctx, Number(ctx.input.num_outputs ?? 1), 64, 800, 'out'),
	};
}

const trainerInputs = {
	input_images: imagesZip(0),
	trigger_word: {
		type: 'string',
		title: 'Trigger Word',
		default: 'TOK',
		description: 'The word the trained concept is called by in prompts',
		'x-order': 1,
	},
	steps: {
		type: 'integer',
		title: 'Steps',
		default: 1000,
		minimum: 3,
		maximum: 6000,
		description: 'Training steps (the emulator takes 200 ms of model time per step)',
		'x-order': 2,
	},
	lora_rank: {
		type: 'integer',
		title: 'Lora Rank',
		default: 16,
		minimum: 1,
		maximum: 128,
		'x-order': 3,
	},
	learning_rate: { type: 'number', title: 'Learning Rate', default: 0.0004, 'x-order': 4 },
	autocaption: { type: 'boolean', title: 'Autocaption', default: true, 'x-order': 5 },
	hf_repo_id: {
		type: 'string',
		title: 'Hf Repo Id',
		description: 'Hugging Face repository to also upload the weights to (owner/name)',
		'x-order': 6,
	},
	hf_token: secretField('Hf Token', 'Hugging Face token with write access to Hf Repo Id', 7),
};

const base = (name: string, description: string) => ({
	owner: OWNER,
	name,
	description,
	hardware: 'gpu-h100',
	tags: ['training', 'lora'],
	versions: 1,
	exampleInput: { prompt: 'a photo of TOK' },
	readme: `# ${name}\n`,
	// Running a trainer's version (not training it) renders like the base model it fine-tunes.
	run: (ctx: RunContext) => images(ctx, 1, 64, 500),
});

const prompt = { type: 'string', title: 'Prompt', default: 'a photo of TOK', 'x-order': 0 };
const imageOutput = { type: 'array', items: { type: 'string', format: 'uri' } };

/** The main trainer: a zip of images in, a LoRA version out. */
const loraTrainer: ModelDef = {
	...base('lora-trainer', 'Fine-tune an image model on your images (a LoRA trainer).'),
	openapi: cogSchema({
		properties: { prompt },
		output: imageOutput,
		training: { properties: trainerInputs, required: ['input_images'] },
	}),
	training: {
		properties: trainerInputs,
		required: ['input_images'],
		async run(ctx) {
			const count = await readZip(ctx, ctx.input.input_images);
			if (count === 0) throw new ModelError('input_images holds no files');
			ctx.log(`Found ${count} images in input_images`);
			const steps = Number(ctx.input.steps ?? 1000);
			for (let i = 1; i <= 10; i++) {
				await ctx.sleep((steps * 200) / 10);
				ctx.log(`flux_train: ${Math.round((i * steps) / 10)}/${steps} steps, loss 0.${90 - i * 7}`);
			}
			// The token is used, never logged.
			if (ctx.input.hf_repo_id && ctx.input.hf_token)
				ctx.log(`Uploaded the weights to huggingface.co/${String(ctx.input.hf_repo_id)}`);
		},
		produces: (input) => loraModel(String(input.trigger_word ?? 'TOK')),
	},
};

const failInputs = { input_images: imagesZip(0), steps: trainerInputs.steps };

/** Fails part-way with an error and logs, as an out-of-memory training does. */
const failingTrainer: ModelDef = {
	...base('trainer-fails', 'A trainer whose trainings fail (out of memory) after a few steps.'),
	openapi: cogSchema({
		properties: { prompt },
		output: imageOutput,
		training: { properties: failInputs, required: ['input_images'] },
	}),
	training: {
		properties: failInputs,
		required: ['input_images'],
		async run(ctx) {
			ctx.log(`Found ${await readZip(ctx, ctx.input.input_images)} images in input_images`);
			await ctx.sleep(300);
			ctx.log('flux_train: 1/1000 steps');
			ctx.log('torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB');
			throw new ModelError('CUDA out of memory');
		},
		produces: () => loraModel('TOK'),
	},
};

/** Ends `canceled` part-way, as a training canceled from the dashboard does. */
const canceledTrainer: ModelDef = {
	...base('trainer-canceled', 'A trainer whose trainings are canceled on Replicate part-way.'),
	openapi: cogSchema({
		properties: { prompt },
		output: imageOutput,
		training: { properties: failInputs, required: ['input_images'] },
	}),
	training: {
		properties: failInputs,
		required: ['input_images'],
		async run(ctx) {
			ctx.log('flux_train: 1/1000 steps');
			await ctx.sleep(300);
			throw new RunCanceled('canceled from the dashboard');
		},
		produces: () => loraModel('TOK'),
	},
};

export const TRAINERS: ModelDef[] = [loraTrainer, failingTrainer, canceledTrainer];
