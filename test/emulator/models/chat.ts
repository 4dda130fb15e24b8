// Chat-style language models, shaped like Replicate's: one that takes `messages` (as OpenAI's models
// on Replicate do), one with Llama 3's `prompt` / `system_prompt` / `prompt_template` inputs, and one
// that fails part-way. They stream their answer token by token and report token counts in their
// metrics (input_token_count, output_token_count), as Replicate's language models do.
//
// The answer is deterministic and tells what the model was given, so tests can see the mapping:
// "Echo: <last user text> (turns: <n>, system: <system text or none>)".
import { cogSchema } from './schema';
import { ModelError, type JsonObject, type ModelDef, type RunContext } from './types';

export const OWNER = 'emulator';
const TOKEN_MS = 30;
/** A language model's output: tokens streamed into an array, shown joined. */
export const ITERATOR = {
	type: 'array',
	items: { type: 'string' },
	'x-cog-array-type': 'iterator',
	'x-cog-array-display': 'concatenate',
};
export const LLAMA3_TEMPLATE =
	'<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n{system_prompt}<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n{prompt}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n';

/** Whitespace-led word pieces, the emulator's notion of a token. */
export const tokens = (text: string): string[] => text.match(/\s*\S+/g) ?? [];

function tokenMetrics(input: JsonObject, output: unknown): JsonObject {
	const texts: string[] = [];
	for (const key of ['prompt', 'system_prompt'])
		if (typeof input[key] === 'string') texts.push(input[key] as string);
	if (Array.isArray(input.messages))
		for (const m of input.messages as JsonObject[]) texts.push(String(m?.content ?? ''));
	const out = Array.isArray(output) ? output.length : 0;
	return {
		input_token_count: texts.reduce((n, t) => n + tokens(t).length, 0),
		output_token_count: out,
	};
}

function describe(lastUser: string, turns: number, system: string): string {
	return `Echo: ${lastUser} (turns: ${turns}, system: ${system || 'none'})`;
}

/** Streams `text` token by token, up to `max` tokens, cut before the first stop sequence. */
async function speak(
	ctx: RunContext,
	text: string,
	max: number,
	stop: string[],
): Promise<string[]> {
	let cut = text;
	for (const s of stop) {
		const at = cut.indexOf(s);
		if (s && at !== -1) cut = cut.slice(0, at);
	}
	const out: string[] = [];
	for (const t of tokens(cut).slice(0, max)) {
		await ctx.sleep(TOKEN_MS);
		out.push(t);
		ctx.appendOutput(t);
	}
	return out;
}

const messagesModel: ModelDef = {
	owner: OWNER,
	name: 'chat-messages',
	description:
		'An official chat model that takes a list of messages (or a prompt), like the OpenAI models on Replicate.',
	official: true,
	streaming: true,
	hardware: 'cpu',
	tags: ['text-generation', 'language', 'chat'],
	versions: 1,
	openapi: cogSchema({
		properties: {
			prompt: {
				type: 'string',
				title: 'Prompt',
				description: 'The prompt to send to the model. Do not use if using messages.',
				'x-order': 0,
			},
			system_prompt: {
				type: 'string',
				title: 'System Prompt',
				description: "System prompt to set the assistant's behavior",
				'x-order': 1,
			},
			messages: {
				type: 'array',
				items: { type: 'object' },
				default: [],
				title: 'Messages',
				description:
					'A JSON string representing a list of messages. For example: [{"role": "user", "content": "Hello, how are you?"}]. If provided, prompt and system_prompt are ignored.',
				'x-order': 2,
			},
			temperature: {
				type: 'number',
				title: 'Temperature',
				default: 1,
				minimum: 0,
				maximum: 2,
				description: 'Sampling temperature between 0 and 2',
				'x-order': 3,
			},
			max_completion_tokens: {
				type: 'integer',
				title: 'Max Completion Tokens',
				default: 4096,
				minimum: 1,
				description: 'Maximum number of completion tokens to generate',
				'x-order': 4,
			},
			top_p: {
				type: 'number',
				title: 'Top P',
				default: 1,
				minimum: 0,
				maximum: 1,
				description: 'Nucleus sampling parameter',
				'x-order': 5,
			},
		},
		output: ITERATOR,
	}),
	exampleInput: { prompt: 'Hello' },
	readme: '# chat-messages\n\nAnswers with an echo of the last user message.\n',
	metrics: tokenMetrics,
	run: async (ctx) => {
		const list = Array.isArray(ctx.input.messages) ? (ctx.input.messages as JsonObject[]) : [];
		let text: string;
		if (list.length) {
			const system = list
				.filter((m) => m.role === 'system')
				.map((m) => String(m.content))
				.join(' | ');
			const turns = list.filter((m) => m.role !== 'system');
			const last = [...turns].reverse().find((m) => m.role === 'user');
			text = describe(String(last?.content ?? ''), turns.length, system);
		} else {
			text = describe(String(ctx.input.prompt ?? ''), 1, String(ctx.input.system_prompt ?? ''));
		}
		return speak(ctx, text, Number(ctx.input.max_completion_tokens ?? 4096), []);
	},
};

/** What a Llama 3 model sees after its template ran: the turns of the rendered prompt. */
export function llama3Turns(rendered: string): Array<{ role: string; text: string }> {
	const turns: Array<{ role: string; text: string }> = [];
	const re = /<\|start_header_id\|>(\w+)<\|end_header_id\|>\n\n([\s\S]*?)<\|eot_id\|>/g;
	for (let m = re.exec(rendered); m; m = re.exec(rendered)) turns.push({ role: m[1], text: m[2] });
	return turns;
}

const llamaModel: ModelDef = {
	owner: OWNER,
	name: 'llama-chat',
	description: 'A Llama 3 style instruct model: prompt, system prompt and a prompt template.',
	streaming: true,
	hardware: 'gpu-a40-small',
	tags: ['text-generation', 'language', 'chat'],
	versions: 1,
	openapi: cogSchema({
		properties: {
			prompt: { type: 'string', title: 'Prompt', default: '', description: 'Prompt', 'x-order': 0 },
			system_prompt: {
				type: 'string',
				title: 'System Prompt',
				default: 'You are a helpful assistant',
				description:
					'System prompt to send to the model. This is prepended to the prompt and helps guide system behavior.',
				'x-order': 1,
			},
			max_tokens: {
				type: 'integer',
				title: 'Max Tokens',
				default: 512,
				minimum: 1,
				maximum: 8192,
				description: 'Maximum number of tokens to generate.',
				'x-order': 2,
			},
			temperature: {
				type: 'number',
				title: 'Temperature',
				default: 0.6,
				minimum: 0,
				maximum: 5,
				description: 'The value used to modulate the next token probabilities.',
				'x-order': 3,
			},
			top_p: {
				type: 'number',
				title: 'Top P',
				default: 0.9,
				minimum: 0,
				maximum: 1,
				description: 'A probability threshold for generating the output.',
				'x-order': 4,
			},
			stop_sequences: {
				type: 'string',
				title: 'Stop Sequences',
				description:
					"A comma-separated list of sequences to stop generation at. For example, '<end>,<stop>' will stop generation at the first instance of 'end' or '<stop>'.",
				'x-order': 5,
			},
			prompt_template: {
				type: 'string',
				title: 'Prompt Template',
				default: LLAMA3_TEMPLATE,
				description: 'A template to format the prompt with.',
				'x-order': 6,
			},
		},
		output: ITERATOR,
	}),
	exampleInput: { prompt: 'Hello' },
	readme: '# llama-chat\n\nAnswers with an echo of the last user turn of its rendered prompt.\n',
	metrics: tokenMetrics,
	run: async (ctx) => {
		const template = String(ctx.input.prompt_template ?? LLAMA3_TEMPLATE);
		const rendered = template
			.replace('{system_prompt}', String(ctx.input.system_prompt ?? ''))
			.replace('{prompt}', String(ctx.input.prompt ?? ''));
		const turns = llama3Turns(rendered);
		const system = turns
			.filter((t) => t.role === 'system')
			.map((t) => t.text)
			.join(' | ');
		const talk = turns.filter((t) => t.role !== 'system');
		const last = [...talk].reverse().find((t) => t.role === 'user');
		const text = last ? describe(last.text, talk.length, system) : describe(rendered, 0, '');
		const stop = String(ctx.input.stop_sequences ?? '')
			.split(',')
			.filter(Boolean);
		return speak(ctx, text, Number(ctx.input.max_tokens ?? 512), stop);
	},
};

const failingChat: ModelDef = {
	owner: OWNER,
	name: 'chat-fails',
	description: 'A chat model that streams a few tokens, then runs out of GPU memory.',
	streaming: true,
	hardware: 'gpu-t4',
	tags: ['text-generation', 'language', 'testing'],
	versions: 1,
	openapi: cogSchema({
		properties: {
			prompt: { type: 'string', title: 'Prompt', description: 'Prompt', 'x-order': 0 },
			system_prompt: {
				type: 'string',
				title: 'System Prompt',
				default: '',
				description: 'System prompt',
				'x-order': 1,
			},
			max_tokens: {
				type: 'integer',
				title: 'Max Tokens',
				default: 128,
				minimum: 1,
				maximum: 4096,
				description: 'Maximum number of tokens to generate.',
				'x-order': 2,
			},
		},
		required: ['prompt'],
		output: ITERATOR,
	}),
	exampleInput: { prompt: 'Hello' },
	readme: '# chat-fails\n',
	run: async (ctx) => {
		await speak(ctx, 'Let me think', 3, []);
		ctx.log('torch.cuda.OutOfMemoryError: CUDA out of memory.');
		throw new ModelError('CUDA out of memory. Tried to allocate 2.00 GiB');
	},
};

export const CHAT_MODELS: ModelDef[] = [messagesModel, llamaModel, failingChat];
