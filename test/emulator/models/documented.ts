// Replicate models the example workflows (examples/) name, served under their Replicate names so
// `npm run dev` and `npm run demo` run every example as imported. Their input and output schemas follow
// the models' API pages on replicate.com (the version each follows is named below); what they do when run
// is the emulator's own: deterministic PNG gradients, the echoing Llama 3 chat model, a stand-in video.
import { cogSchema } from './schema';
import type { ModelDef, RunContext } from './types';

const ASPECT_RATIOS = [
	'1:1',
	'16:9',
	'21:9',
	'3:2',
	'2:3',
	'4:5',
	'5:4',
	'3:4',
	'4:3',
	'9:16',
	'9:21',
];

/**
 * black-forest-labs/flux-schnell, input and output as its version bf53bdb9 documents them. Runs as the
 * emulator's flux-lite: the emulator draws PNGs only, so every `output_format` gives PNG files (named
 * `.png`, typed image/png); Replicate would encode webp or jpg.
 */
function fluxSchnell(image: ModelDef): ModelDef {
	return {
		...image,
		owner: 'black-forest-labs',
		name: 'flux-schnell',
		description:
			'The fastest image generation model tailored for local development and personal use',
		official: true,
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
					default: 'webp',
					description: 'Format of the output images',
					'x-order': 4,
				},
				output_quality: {
					type: 'integer',
					title: 'Output Quality',
					default: 80,
					minimum: 0,
					maximum: 100,
					description:
						'Quality when saving the output images, from 0 to 100. 100 is best quality, 0 is lowest quality. Not relevant for .png outputs',
					'x-order': 5,
				},
				disable_safety_checker: {
					type: 'boolean',
					title: 'Disable Safety Checker',
					default: false,
					description: 'Disable safety checker for generated images.',
					'x-order': 6,
				},
				go_fast: {
					type: 'boolean',
					title: 'Go Fast',
					default: true,
					description:
						'Run faster predictions with model optimized for speed (currently fp8 quantized); disable to run in original bf16',
					'x-order': 7,
				},
				megapixels: {
					allOf: [{ $ref: '#/components/schemas/megapixels' }],
					default: '1',
					description: 'Approximate number of megapixels for generated image',
					'x-order': 8,
				},
			},
			required: ['prompt'],
			enums: {
				aspect_ratio: { type: 'string', values: ASPECT_RATIOS },
				output_format: { type: 'string', values: ['webp', 'jpg', 'png'] },
				megapixels: { type: 'string', values: ['1', '0.25'] },
			},
			output: { type: 'array', items: { type: 'string', format: 'uri' } },
		}),
		exampleInput: { prompt: 'a lighthouse at dusk', num_outputs: 1 },
		readme:
			'# flux-schnell (emulated)\n\nThe Replicate emulator draws deterministic PNG gradients.\n',
	};
}

/**
 * meta/meta-llama-3-8b-instruct. Replicate's API pages available here document its siblings (Llama 3
 * 70B), not this model's version, so it takes the emulator's Llama 3 instruct shape (prompt, system
 * prompt, a Llama 3 prompt template, max tokens, temperature, top p, stop sequences) and answers as the
 * emulator's llama-chat does. It is official, as on Replicate (runs without a version).
 */
function llama3Instruct(llama: ModelDef): ModelDef {
	return {
		...llama,
		owner: 'meta',
		name: 'meta-llama-3-8b-instruct',
		description: 'An 8 billion parameter language model from Meta, fine tuned for chat completions',
		official: true,
		readme:
			'# meta-llama-3-8b-instruct (emulated)\n\nAnswers with an echo of the last user turn.\n',
	};
}

/**
 * meta/meta-llama-3-70b-instruct, input as its version fbfb20b4 documents it (a plain `{prompt}`
 * template, no system prompt; output a token iterator). Answers as the emulator's llama-chat does.
 */
function llama3Instruct70b(llama: ModelDef): ModelDef {
	const num = (title: string, d: number, description: string, order: number) => ({
		type: 'number',
		title,
		default: d,
		description,
		'x-order': order,
	});
	return {
		...llama,
		owner: 'meta',
		name: 'meta-llama-3-70b-instruct',
		description: 'A 70 billion parameter language model from Meta, fine tuned for chat completions',
		official: true,
		openapi: cogSchema({
			properties: {
				prompt: {
					type: 'string',
					title: 'Prompt',
					default: '',
					description: 'Prompt',
					'x-order': 0,
				},
				min_tokens: {
					type: 'integer',
					title: 'Min Tokens',
					default: 0,
					description: 'The minimum number of tokens the model should generate as output.',
					'x-order': 1,
				},
				max_tokens: {
					type: 'integer',
					title: 'Max Tokens',
					default: 512,
					description: 'The maximum number of tokens the model should generate as output.',
					'x-order': 2,
				},
				temperature: num(
					'Temperature',
					0.6,
					'The value used to modulate the next token probabilities.',
					3,
				),
				top_p: num('Top P', 0.9, 'A probability threshold for generating the output.', 4),
				top_k: {
					type: 'integer',
					title: 'Top K',
					default: 50,
					description:
						'The number of highest probability tokens to consider for generating the output.',
					'x-order': 5,
				},
				presence_penalty: num('Presence Penalty', 1.15, 'Presence penalty', 6),
				frequency_penalty: num('Frequency Penalty', 0.2, 'Frequency penalty', 7),
				prompt_template: {
					type: 'string',
					title: 'Prompt Template',
					default: '{prompt}',
					description:
						'Prompt template. The string `{prompt}` will be substituted for the input prompt.',
					'x-order': 8,
				},
			},
			output: (llama.openapi as { components: { schemas: { Output: Record<string, unknown> } } })
				.components.schemas.Output,
		}),
		readme: '# meta-llama-3-70b-instruct (emulated)\n\nAnswers with an echo of its prompt.\n',
	};
}

/** The first bytes of an ISO base media file (an `ftyp` box), so the stand-in video is typed as MP4. */
const MP4_HEAD = Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex');

/**
 * minimax/video-01, input and output as its version 608bbe11 documents them (one video URL). The
 * emulator's video is not playable: an MP4 file-type box and the prompt, typed video/mp4.
 */
const videoModel: ModelDef = {
	owner: 'minimax',
	name: 'video-01',
	description:
		'Generate 6s videos with prompts or images. (Also known as Hailuo). Use a subject reference to make a video with a character and the S2V-01 model.',
	official: true,
	hardware: 'gpu-h100',
	tags: ['text-to-video', 'video', 'official'],
	versions: 1,
	openapi: cogSchema({
		properties: {
			prompt: {
				type: 'string',
				title: 'Prompt',
				description: 'Text prompt for generation',
				'x-order': 0,
			},
			first_frame_image: {
				type: 'string',
				format: 'uri',
				title: 'First Frame Image',
				description:
					'First frame image for video generation. The output video will have the same aspect ratio as this image.',
				'x-order': 1,
			},
			subject_reference: {
				type: 'string',
				format: 'uri',
				title: 'Subject Reference',
				description:
					'An optional character reference image to use as the subject in the generated video (this will use the S2V-01 model)',
				'x-order': 2,
			},
			prompt_optimizer: {
				type: 'boolean',
				title: 'Prompt Optimizer',
				default: true,
				description: 'Use prompt optimizer',
				'x-order': 3,
			},
		},
		required: ['prompt'],
		output: { type: 'string', format: 'uri' },
	}),
	exampleInput: { prompt: 'a paper boat drifting down a rainy street' },
	readme: '# video-01 (emulated)\n\nWrites a stand-in MP4 file (not playable).\n',
	run: async (ctx: RunContext) => {
		for (let i = 1; i <= 5; i++) {
			await ctx.sleep(1000);
			ctx.log(`Generating video… ${i * 20}%`);
		}
		const body = Buffer.concat([MP4_HEAD, Buffer.from(String(ctx.input.prompt ?? ''), 'utf8')]);
		return ctx.file('output.mp4', 'video/mp4', body);
	},
};

/** The documented models, built on the emulator's own image and Llama 3 models. */
export function documentedModels(image: ModelDef, llama: ModelDef): ModelDef[] {
	return [fluxSchnell(image), llama3Instruct(llama), llama3Instruct70b(llama), videoModel];
}
