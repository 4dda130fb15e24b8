// The emulator's built-in models. Deterministic: the same input gives the same output bytes.
import { createHash } from 'node:crypto';

import { makePng } from '../png';
import { AGENT_MODELS } from './agents';
import { CHAT_MODELS } from './chat';
import { documentedModels } from './documented';
import { cogSchema } from './schema';
import { images, progress, seedOf } from './render';
import { TRAINERS } from './trainers';
import { ModelError, type ModelDef, type RunContext } from './types';

const OWNER = 'emulator';

const officialImage: ModelDef = {
	owner: OWNER,
	name: 'flux-lite',
	description: 'An official text-to-image model: fast, no versions, billed by output.',
	official: true,
	hardware: 'gpu-h100',
	tags: ['text-to-image', 'image', 'official'],
	// Official models run without a version (POST /models/{o}/{n}/predictions, version "hidden"), yet
	// their model object still carries a latest_version with the input schema.
	versions: 1,
	openapi: cogSchema({
		properties: {
			prompt: {
				type: 'string',
				title: 'Prompt',
				description: 'Prompt for generated image',
				'x-order': 0,
			},
			aspect_ratio: {
				allOf: [{ $ref: '#/components/schemas/aspect_ratio' }],
				default: '1:1',
				description: 'Aspect ratio for the generated image',
				'x-order': 1,
			},
			num_outputs: {
				type: 'integer',
				title: 'Num Outputs',
				default: 1,
				minimum: 1,
				maximum: 4,
				description: 'Number of outputs to generate',
				'x-order': 2,
			},
			seed: {
				type: 'integer',
				title: 'Seed',
				description: 'Random seed. Set for reproducible generation',
				'x-order': 3,
			},
			output_format: {
				allOf: [{ $ref: '#/components/schemas/output_format' }],
				default: 'png',
				description: 'Format of the output images',
				'x-order': 4,
			},
		},
		required: ['prompt'],
		enums: {
			aspect_ratio: { type: 'string', values: ['1:1', '16:9', '9:16'] },
			output_format: { type: 'string', values: ['png'] },
		},
		output: { type: 'array', items: { type: 'string', format: 'uri' } },
	}),
	exampleInput: { prompt: 'a lighthouse at dusk', num_outputs: 1 },
	readme:
		'# flux-lite\n\nAn official model of the Replicate emulator. It draws deterministic PNG gradients.\n',
	run: (ctx) => images(ctx, Number(ctx.input.num_outputs ?? 1), 64, 1000),
};

const imageModel: ModelDef = {
	owner: OWNER,
	name: 'sdxl-lite',
	description: 'A community text-to-image model with versions; returns several PNG files.',
	hardware: 'gpu-a40-large',
	tags: ['text-to-image', 'image'],
	versions: 2,
	openapi: cogSchema({
		properties: {
			prompt: {
				type: 'string',
				title: 'Prompt',
				description: 'Input prompt',
				default: 'An astronaut riding a rainbow unicorn',
				'x-order': 0,
			},
			negative_prompt: {
				type: 'string',
				title: 'Negative Prompt',
				description: 'Things to leave out of the image',
				default: '',
				'x-order': 1,
			},
			image: {
				type: 'string',
				format: 'uri',
				title: 'Image',
				description: 'Input image for img2img mode',
				'x-order': 2,
			},
			width: {
				allOf: [{ $ref: '#/components/schemas/width' }],
				default: 64,
				description: 'Width of output image',
				'x-order': 3,
			},
			height: {
				allOf: [{ $ref: '#/components/schemas/height' }],
				default: 64,
				description: 'Height of output image',
				'x-order': 4,
			},
			num_outputs: {
				type: 'integer',
				title: 'Num Outputs',
				default: 2,
				minimum: 1,
				maximum: 4,
				description: 'Number of images to output',
				'x-order': 5,
			},
			scheduler: {
				allOf: [{ $ref: '#/components/schemas/scheduler' }],
				default: 'K_EULER',
				description: 'scheduler',
				'x-order': 6,
			},
			guidance_scale: {
				type: 'number',
				title: 'Guidance Scale',
				default: 7.5,
				minimum: 1,
				maximum: 50,
				description: 'Scale for classifier-free guidance',
				'x-order': 7,
			},
			seed: {
				type: 'integer',
				title: 'Seed',
				description: 'Random seed. Leave blank to randomize the seed',
				'x-order': 8,
			},
			apply_watermark: {
				type: 'boolean',
				title: 'Apply Watermark',
				default: true,
				description: 'Whether to apply a watermark',
				'x-order': 9,
			},
			lora_scales: {
				type: 'array',
				items: { type: 'number' },
				title: 'Lora Scales',
				description: 'LoRA scales, one per adapter',
				'x-order': 10,
			},
			duration_ms: {
				type: 'integer',
				title: 'Duration Ms',
				default: 2000,
				minimum: 0,
				maximum: 600000,
				description: 'How long the model runs, in milliseconds',
				'x-order': 11,
			},
		},
		enums: {
			width: { type: 'integer', values: [64, 128, 256] },
			height: { type: 'integer', values: [64, 128, 256] },
			scheduler: {
				type: 'string',
				values: ['DDIM', 'DPMSolverMultistep', 'K_EULER', 'K_EULER_ANCESTRAL', 'PNDM'],
			},
		},
		output: { type: 'array', items: { type: 'string', format: 'uri' } },
	}),
	exampleInput: { prompt: 'a red fox in the snow', num_outputs: 2 },
	readme: '# sdxl-lite\n\nA community image model of the Replicate emulator, with two versions.\n',
	run: async (ctx) => {
		if (typeof ctx.input.image === 'string') {
			const init = await ctx.fetchInput(ctx.input.image);
			ctx.log(`init image: ${init.data.length} bytes (${init.contentType})`);
		}
		const w = Number(ctx.input.width ?? 64);
		return images(
			ctx,
			Number(ctx.input.num_outputs ?? 2),
			w,
			Number(ctx.input.duration_ms ?? 2000),
		);
	},
};

const WORDS = [
	'Once',
	' upon',
	' a',
	' time',
	',',
	' a',
	' model',
	' ran',
	' on',
	' loopback',
	' and',
	' every',
	' token',
	' arrived',
	' in',
	' order',
	'.',
];

const textModel: ModelDef = {
	owner: OWNER,
	name: 'llm-stream',
	description:
		'A language model with token-iterator output (concatenate) and a server-sent-events stream.',
	streaming: true,
	hardware: 'gpu-a40-small',
	tags: ['text-generation', 'language'],
	versions: 1,
	openapi: cogSchema({
		properties: {
			prompt: {
				type: 'string',
				title: 'Prompt',
				description: 'Prompt to send to the model',
				'x-order': 0,
			},
			system_prompt: {
				type: 'string',
				title: 'System Prompt',
				default: 'You are a helpful assistant.',
				description: 'System prompt',
				'x-order': 1,
			},
			max_tokens: {
				type: 'integer',
				title: 'Max Tokens',
				default: 17,
				minimum: 1,
				maximum: 512,
				description: 'Maximum number of tokens to generate',
				'x-order': 2,
			},
			temperature: {
				type: 'number',
				title: 'Temperature',
				default: 0.7,
				minimum: 0,
				maximum: 5,
				description: 'Randomness of outputs',
				'x-order': 3,
			},
			token_delay_ms: {
				type: 'integer',
				title: 'Token Delay Ms',
				default: 40,
				minimum: 0,
				maximum: 10000,
				description: 'Model time between tokens',
				'x-order': 4,
			},
		},
		required: ['prompt'],
		output: {
			type: 'array',
			items: { type: 'string' },
			'x-cog-array-type': 'iterator',
			'x-cog-array-display': 'concatenate',
		},
	}),
	exampleInput: { prompt: 'Tell me a story' },
	readme: '# llm-stream\n\nStreams a fixed story token by token.\n',
	run: async (ctx) => {
		const n = Number(ctx.input.max_tokens ?? 17);
		const out: string[] = [];
		for (let i = 0; i < n; i++) {
			await ctx.sleep(Number(ctx.input.token_delay_ms ?? 40));
			const token = WORDS[i % WORDS.length];
			out.push(token);
			ctx.appendOutput(token);
		}
		ctx.log(`generated ${n} tokens`);
		return out;
	},
};

const sleepModel: ModelDef = {
	owner: OWNER,
	name: 'sleep',
	description: 'Runs for as long as its input says; for timeouts, benchmarks and long-run tests.',
	hardware: 'cpu',
	tags: ['utility', 'testing'],
	versions: 1,
	openapi: cogSchema({
		properties: {
			seconds: {
				type: 'number',
				title: 'Seconds',
				default: 2,
				minimum: 0,
				maximum: 86400,
				description: 'How long to run',
				'x-order': 0,
			},
			label: {
				type: 'string',
				title: 'Label',
				default: 'done',
				description: 'Text returned when finished',
				'x-order': 1,
			},
		},
		output: { type: 'string', title: 'Output' },
	}),
	exampleInput: { seconds: 1 },
	readme: '# sleep\n\nSleeps, then returns its label.\n',
	run: async (ctx) => {
		await progress(ctx, Number(ctx.input.seconds ?? 2) * 1000);
		return `${ctx.input.label ?? 'done'} after ${ctx.input.seconds ?? 2}s`;
	},
};

const failingModel: ModelDef = {
	owner: OWNER,
	name: 'always-fails',
	description: 'Logs a little, then fails with the error text it was given.',
	hardware: 'gpu-t4',
	tags: ['testing'],
	versions: 1,
	openapi: cogSchema({
		properties: {
			message: {
				type: 'string',
				title: 'Message',
				default: 'CUDA out of memory. Tried to allocate 2.00 GiB',
				description: 'Error to raise',
				'x-order': 0,
			},
			after_ms: {
				type: 'integer',
				title: 'After Ms',
				default: 300,
				minimum: 0,
				maximum: 600000,
				description: 'When to fail',
				'x-order': 1,
			},
		},
		output: { type: 'string' },
	}),
	exampleInput: {},
	readme: '# always-fails\n',
	run: async (ctx) => {
		ctx.log('loading weights');
		await ctx.sleep(Number(ctx.input.after_ms ?? 300));
		ctx.log('Traceback (most recent call last):');
		ctx.log(`RuntimeError: ${ctx.input.message}`);
		throw new ModelError(String(ctx.input.message));
	},
};

const bigFileModel: ModelDef = {
	owner: OWNER,
	name: 'big-file',
	description: 'Returns one file whose size its input sets; the bytes are generated as a stream.',
	hardware: 'cpu',
	tags: ['testing', 'files'],
	versions: 1,
	openapi: cogSchema({
		properties: {
			size_bytes: {
				type: 'integer',
				title: 'Size Bytes',
				default: 1048576,
				minimum: 0,
				maximum: 4294967296,
				description: 'Size of the output file',
				'x-order': 0,
			},
			extension: {
				allOf: [{ $ref: '#/components/schemas/extension' }],
				default: 'bin',
				description: 'File type',
				'x-order': 1,
			},
		},
		enums: { extension: { type: 'string', values: ['bin', 'mp4', 'wav'] } },
		output: { type: 'string', format: 'uri' },
	}),
	exampleInput: { size_bytes: 1024 },
	readme: '# big-file\n',
	run: async (ctx) => {
		await ctx.sleep(200);
		const ext = String(ctx.input.extension ?? 'bin');
		const mime = { bin: 'application/octet-stream', mp4: 'video/mp4', wav: 'audio/wav' }[
			ext
		] as string;
		return ctx.file(`output.${ext}`, mime, {
			size: Number(ctx.input.size_bytes ?? 1048576),
			seed: seedOf(ctx.input),
		});
	},
};

const echoModel: ModelDef = {
	owner: OWNER,
	name: 'file-echo',
	description: 'Reports the md5, size and type of every file input it received.',
	hardware: 'cpu',
	tags: ['testing', 'files'],
	versions: 1,
	openapi: cogSchema({
		properties: {
			file: { type: 'string', format: 'uri', title: 'File', description: 'A file', 'x-order': 0 },
			extra_files: {
				type: 'array',
				items: { type: 'string', format: 'uri' },
				title: 'Extra Files',
				description: 'More files',
				'x-order': 1,
			},
			note: {
				type: 'string',
				title: 'Note',
				default: '',
				description: 'Echoed back',
				'x-order': 2,
			},
		},
		required: ['file'],
		output: { type: 'object', title: 'Output' },
	}),
	exampleInput: { file: 'data:text/plain;base64,aGVsbG8=' },
	readme: '# file-echo\n',
	run: async (ctx) => {
		const describe = async (url: string) => {
			const f = await ctx.fetchInput(url);
			return {
				md5: createHash('md5').update(f.data).digest('hex'),
				size: f.data.length,
				content_type: f.contentType,
				via: url.startsWith('data:') ? 'data-uri' : 'url',
			};
		};
		await ctx.sleep(100);
		const extra = Array.isArray(ctx.input.extra_files) ? ctx.input.extra_files : [];
		return {
			file: await describe(String(ctx.input.file)),
			extra_files: await Promise.all(extra.map((u) => describe(String(u)))),
			note: ctx.input.note ?? '',
		};
	},
};

/** Describes a file input as the models below report it: size, type and a short md5. */
async function fileFacts(ctx: RunContext, url: string) {
	const f = await ctx.fetchInput(url);
	const md5 = createHash('md5').update(f.data).digest('hex');
	return { bytes: f.data.length, type: f.contentType, md5 };
}

// Modelled on salesforce/blip (a captioner, one of the most run models with a required file input):
// `image` is a required `format: uri` string, `task` an enum, `question` and `caption` optional text.
const captionModel: ModelDef = {
	owner: OWNER,
	name: 'blip-lite',
	description: 'Captions an image (a required file input), like BLIP; deterministic captions.',
	hardware: 'gpu-t4',
	tags: ['image-to-text', 'files'],
	versions: 1,
	openapi: cogSchema({
		properties: {
			image: {
				type: 'string',
				format: 'uri',
				title: 'Image',
				description: 'Input image',
				'x-order': 0,
			},
			task: {
				allOf: [{ $ref: '#/components/schemas/task' }],
				default: 'image_captioning',
				description: 'Choose a task.',
				'x-order': 1,
			},
			question: {
				type: 'string',
				title: 'Question',
				description: 'Type question for the input image for visual question answering task.',
				'x-order': 2,
			},
		},
		required: ['image'],
		enums: {
			task: { type: 'string', values: ['image_captioning', 'visual_question_answering'] },
		},
		output: { type: 'string', title: 'Output' },
	}),
	exampleInput: { image: 'data:image/png;base64,aGVsbG8=' },
	readme: '# blip-lite\n\nCaptions an image: its size, type and md5, as text.\n',
	run: async (ctx) => {
		const f = await fileFacts(ctx, String(ctx.input.image));
		await ctx.sleep(200);
		ctx.log(`image: ${f.bytes} bytes (${f.type})`);
		return `Caption: an image of ${f.bytes} bytes (${f.type}), md5 ${f.md5}`;
	},
};

// Modelled on image models that take several images in one input (bytedance/seedream-4's
// `image_input`, multi-image Kontext apps): `images` is a required array of `format: uri` strings.
const gridModel: ModelDef = {
	owner: OWNER,
	name: 'image-grid',
	description: 'Takes a list of images (a required list-of-files input) and returns one PNG.',
	hardware: 'cpu',
	tags: ['image-to-image', 'files'],
	versions: 1,
	openapi: cogSchema({
		properties: {
			images: {
				type: 'array',
				items: { type: 'string', format: 'uri' },
				title: 'Images',
				description: 'Input images, in order',
				'x-order': 0,
			},
			columns: {
				type: 'integer',
				title: 'Columns',
				default: 2,
				minimum: 1,
				maximum: 8,
				description: 'Images per row',
				'x-order': 1,
			},
		},
		required: ['images'],
		output: { type: 'string', format: 'uri', title: 'Output' },
	}),
	exampleInput: { images: ['data:image/png;base64,aGVsbG8='] },
	readme: '# image-grid\n\nLogs every input image (size, type, md5), then returns one PNG.\n',
	run: async (ctx) => {
		const list = Array.isArray(ctx.input.images) ? ctx.input.images : [];
		if (!list.length) throw new ModelError('images: at least one image is required');
		for (const [i, url] of list.entries()) {
			const f = await fileFacts(ctx, String(url));
			ctx.log(`image ${i}: ${f.bytes} bytes (${f.type}), md5 ${f.md5}`);
		}
		await ctx.sleep(200);
		return ctx.file('grid.png', 'image/png', makePng(32 * list.length, 32, seedOf(ctx.input)));
	},
};

const trainableInputs = {
	input_images: { type: 'string', format: 'uri', title: 'Input Images', 'x-order': 0 },
	steps: {
		type: 'integer',
		title: 'Steps',
		default: 100,
		minimum: 1,
		maximum: 10000,
		'x-order': 1,
	},
	trigger_word: { type: 'string', title: 'Trigger Word', default: 'TOK', 'x-order': 2 },
};

const trainableModel: ModelDef = {
	owner: OWNER,
	name: 'trainable',
	description: 'A fine-tunable model: its versions accept trainings.',
	hardware: 'gpu-a40-large',
	tags: ['training'],
	versions: 1,
	openapi: cogSchema({
		properties: {
			prompt: { type: 'string', title: 'Prompt', default: 'a photo of TOK', 'x-order': 0 },
		},
		output: { type: 'array', items: { type: 'string', format: 'uri' } },
		training: { properties: trainableInputs },
	}),
	exampleInput: { prompt: 'a photo of TOK' },
	readme: '# trainable\n',
	run: (ctx) => images(ctx, 1, 64, 500),
	training: {
		properties: trainableInputs,
		async run(ctx) {
			for (let i = 1; i <= 5; i++) {
				await ctx.sleep(Number(ctx.input.steps ?? 100) * 5);
				ctx.log(`step ${i * 20}%`);
			}
		},
		// The trained version runs as the base model does.
		produces: () => trainableModel,
	},
};

export const CATALOG: ModelDef[] = [
	officialImage,
	imageModel,
	textModel,
	sleepModel,
	failingModel,
	bigFileModel,
	echoModel,
	captionModel,
	gridModel,
	trainableModel,
	...TRAINERS,
	...CHAT_MODELS,
	...AGENT_MODELS,
	// last, so the emulator's own models keep their dates and run counts
	...documentedModels(
		officialImage,
		CHAT_MODELS.find((m) => m.name === 'llama-chat')!,
	),
];
