// How a conversation becomes a Replicate model input, driven by the version's input schema.
//
// Shapes, checked in this order:
// - `messages`: the model takes the conversation itself (OpenAI's models on Replicate document a
//   `messages` list of {role, content} that replaces `prompt`/`system_prompt`).
// - Llama 3 (`prompt_template` default with <|start_header_id|>), Llama 2 ([INST] with <<SYS>>) and
//   Mistral/Mixtral ([INST] without <<SYS>>): a single question goes to `prompt` (+ `system_prompt`)
//   and the model's own template applies; a longer conversation is written out in the family's
//   published chat format and sent with `prompt_template: "{prompt}"`.
// - `prompt` (+ `system_prompt`) without a template (Claude, DeepSeek, Qwen and others): a single
//   question maps one to one; earlier turns are written into the prompt as a labelled transcript.
// Anything else (no `messages`, no text `prompt`, or a required input a chat cannot fill) fails.
import type { IDataObject } from 'n8n-workflow';

import {
	declaresFiles,
	inputSchema,
	type InputSchema,
	type JsonSchema,
} from '../../common/models/schema';
import { inst, llama3, neutraliseInst, neutraliseLlama3, transcript, type Turn } from './formats';
import { imageInput, type ImageInput } from './images';
import { callsText, resultsText, toolInstructions, type ToolSpec } from './tools';
import type { Message as ChatMessage, MessageContent as MessagePart } from '@n8n/ai-node-sdk';

export type Shape = 'messages' | 'llama3' | 'llama2' | 'mistral' | 'prompt';

export interface ChatSchema {
	shape: Shape;
	/** `messages` is declared as a string (a JSON list) rather than an array. */
	messagesAsString: boolean;
	systemPrompt: boolean;
	promptTemplate: boolean;
	/** Text in front of the template's first turn (`<|begin_of_text|>`, `<s>`). */
	templatePrefix: string;
	maxTokens?: string;
	temperature?: string;
	topP?: string;
	stop?: { name: string; list: boolean };
	tools: boolean;
	/** The input images go to (`image`, `image_input`, `images`), when the model has one. */
	image?: ImageInput;
	/** The model cannot run without an image. */
	requiresImage: boolean;
	schema: InputSchema;
}

/** A conversation or schema this node cannot turn into an input; the node adds context. */
export class ChatMappingError extends Error {
	constructor(
		message: string,
		readonly description?: string,
	) {
		super(message);
	}
}

const MAX_TOKEN_INPUTS = [
	'max_tokens',
	'max_new_tokens',
	'max_completion_tokens',
	'max_output_tokens',
];
const STOP_INPUTS = ['stop_sequences', 'stop'];
/** Inputs the node fills itself; any other required input makes the schema unmappable. */
const FILLED = ['prompt', 'system_prompt', 'messages', 'prompt_template'];

const isText = (s: JsonSchema | undefined) => !!s && (s.type === 'string' || s.type === undefined);

export function chatSchema(openapi: IDataObject | null | undefined): ChatSchema {
	const schema = inputSchema(openapi);
	if (!schema) {
		throw new ChatMappingError(
			'The model publishes no input schema, so its chat inputs are unknown',
			'Pick a version that has an OpenAPI schema, or another language model.',
		);
	}
	const p = schema.properties;
	const messages = p.messages;
	const hasMessages = !!messages && (messages.type === 'array' || messages.type === 'string');
	if (!hasMessages && !isText(p.prompt)) {
		throw new ChatMappingError(
			'This model takes neither "messages" nor a text "prompt", so it cannot be used as a chat model',
			`Its inputs: ${schema.order.join(', ')}. Use a language model (the "Language models" collection lists them), or run it with the Replicate node.`,
		);
	}
	if (declaresFiles(openapi)) {
		throw new ChatMappingError(
			'This model answers with files, not text, so it cannot be used as a chat model',
			'Use a language model (the "Language models" collection lists them), or run it with the Replicate node.',
		);
	}
	const image = imageInput(schema);
	const unfilled = schema.required.filter((r) => !FILLED.includes(r) && r !== image?.name);
	if (unfilled.length) {
		throw new ChatMappingError(
			`This model requires ${unfilled.map((r) => `"${r}"`).join(', ')}, which a chat model cannot fill`,
			'Use the Replicate node (Prediction → Run) for this model.',
		);
	}
	const template = String(p.prompt_template?.default ?? '');
	let shape: Shape = hasMessages ? 'messages' : 'prompt';
	let prefix = '';
	if (!hasMessages && template.includes('{prompt}')) {
		if (template.includes('<|start_header_id|>')) {
			shape = 'llama3';
			prefix = template.slice(0, template.indexOf('<|start_header_id|>'));
		} else if (template.includes('[INST]')) {
			shape = template.includes('<<SYS>>') ? 'llama2' : 'mistral';
			prefix = template.slice(0, template.indexOf('[INST]'));
		}
	}
	const stopName = STOP_INPUTS.find((n) => p[n]);
	return {
		shape,
		messagesAsString: hasMessages && messages.type === 'string',
		systemPrompt: isText(p.system_prompt),
		promptTemplate: isText(p.prompt_template),
		templatePrefix: prefix.trim(),
		maxTokens: MAX_TOKEN_INPUTS.find((n) => p[n]),
		temperature: p.temperature ? 'temperature' : undefined,
		topP: p.top_p ? 'top_p' : undefined,
		stop: stopName ? { name: stopName, list: p[stopName].type === 'array' } : undefined,
		tools: !!p.tools,
		image,
		requiresImage: !!image && schema.required.includes(image.name),
		schema,
	};
}

export interface ConversationOptions {
	/** Tools bound under prompted tool calling: tool calls and results are written out as text. */
	tools?: ToolSpec[];
	/** The model's image input, when it has one: image parts are taken (sent apart), not refused. */
	image?: ImageInput;
	/** The model's inputs, named when a message carries what the model cannot take. */
	inputs?: string[];
	/** Images go with the conversation, so a turn with only an image is a question too. */
	hasImages?: boolean;
}

const NO_TOOLS =
	'Use the model in a chain (Basic LLM Chain), or set Tool Calling to "Prompted" or "Auto".';

function refuseFile(
	part: Extract<MessagePart, { type: 'file' }>,
	index: number,
	o: ConversationOptions,
): never {
	const media = part.mediaType ?? 'unknown type';
	if (media.startsWith('image/')) {
		throw new ChatMappingError(
			`Message ${index + 1} carries an image, but this model has no image input`,
			`Its inputs: ${(o.inputs ?? []).join(', ') || 'none'}. Pick a model that takes "image", ` +
				'"image_input" or "images" (a vision model), or turn off passing binary images in the agent.',
		);
	}
	throw new ChatMappingError(
		`Message ${index + 1} carries a file (${media}); this node sends text and images only`,
		'Turn off passing binary data to the model in the agent or chain, or describe the file in text.',
	);
}

function textOf(m: ChatMessage, index: number, o: ConversationOptions): string {
	const out: string[] = [];
	const calls: Array<{ name: string; input: string }> = [];
	for (const part of m.content as MessagePart[]) {
		if (part.type === 'text') out.push(part.text ?? '');
		else if (part.type === 'reasoning' || part.type === 'invalid-tool-call') continue;
		else if (part.type === 'file') {
			if (!o.image || !(part.mediaType ?? '').startsWith('image/')) refuseFile(part, index, o);
		} else if (part.type === 'tool-call' && o.tools) {
			calls.push({ name: part.toolName ?? '', input: part.input ?? '{}' });
		} else {
			throw new ChatMappingError(
				`Message ${index + 1} carries "${part.type}" content, which needs tool calling; it is off`,
				NO_TOOLS,
			);
		}
	}
	const body = out.join('');
	if (!calls.length) return body;
	return body.trim() ? `${body}\n${callsText(calls)}` : callsText(calls);
}

/** System text and the user/assistant turns, in order (tool results become user turns). */
export function conversation(
	messages: ChatMessage[],
	o: ConversationOptions = {},
): { system: string; turns: Turn[] } {
	const system: string[] = [];
	const turns: Turn[] = [];
	const callNames = new Map<string, string>();
	let results: Array<{ name: string; result: unknown; isError?: boolean }> = [];
	/** The calls of the last assistant turn that only called tools, while their results come in. */
	let step: { turn: Turn; calls: Array<{ name: string; input: string }> } | undefined;
	const flush = () => {
		if (results.length) turns.push({ role: 'user', text: resultsText(results) });
		results = [];
		step = undefined;
	};
	messages.forEach((m, i) => {
		if (m.role === 'tool' && o.tools) {
			for (const part of m.content) {
				if (part.type !== 'tool-result') continue;
				const name = callNames.get(part.toolCallId ?? '') ?? m.name ?? 'tool';
				results.push({ name, result: part.result, isError: part.isError });
			}
			return;
		}
		const calls = m.content.flatMap((p) =>
			p.type === 'tool-call' ? [{ name: p.toolName, input: p.input, id: p.toolCallId }] : [],
		);
		calls.forEach((c) => c.id && callNames.set(c.id, c.name));
		const callsOnly =
			m.role === 'assistant' &&
			calls.length > 0 &&
			m.content.every((p) => p.type === 'tool-call' || (p.type === 'text' && !p.text.trim()));
		// n8n's agent gives each call of one reply its own assistant message and result, in turn:
		// the model sees them as it wrote them, one reply with its calls, then all the results.
		if (callsOnly && o.tools && step && results.length) {
			step.calls.push(
				...calls.filter((c) => !step!.calls.some((s) => s.input === c.input && s.name === c.name)),
			);
			step.turn.text = callsText(step.calls);
			return;
		}
		flush();
		const text = textOf(m, i, o);
		if (m.role === 'system') system.push(text);
		else if (m.role === 'user' || m.role === 'assistant') {
			const turn: Turn = { role: m.role, text };
			turns.push(turn);
			if (callsOnly && o.tools)
				step = { turn, calls: calls.map(({ name, input }) => ({ name, input })) };
		} else {
			throw new ChatMappingError(
				`Message ${i + 1} is a "${m.role}" message, which needs tool calling; it is off`,
				NO_TOOLS,
			);
		}
	});
	flush();
	if (!o.hasImages && !turns.some((t) => t.role === 'user' && t.text.trim())) {
		throw new ChatMappingError('The conversation has no user message to answer');
	}
	if (o.tools?.length) system.push(toolInstructions(o.tools));
	return { system: system.filter((s) => s.trim()).join('\n\n'), turns };
}
const NEUTRALISE: Record<Shape, (text: string) => string> = {
	messages: (t) => t,
	prompt: (t) => t,
	llama3: neutraliseLlama3,
	llama2: neutraliseInst,
	mistral: neutraliseInst,
};

export interface GenerationOptions {
	temperature?: number;
	maxTokens?: number;
	topP?: number;
	stop?: string[];
}

/**
 * The model input for a conversation: the text inputs of its shape plus the generation options
 * the schema declares (the others are left out). Values are checked against the schema later,
 * with every other input, before anything is sent.
 */
export function buildInput(
	cs: ChatSchema,
	messages: ChatMessage[],
	o: GenerationOptions,
	extra: { tools?: ToolSpec[]; images?: string[] } = {},
): IDataObject {
	const images = extra.images ?? [];
	const { system, turns } = conversation(messages, {
		tools: extra.tools,
		image: cs.image,
		inputs: cs.schema.order,
		hasImages: images.length > 0,
	});
	const input: IDataObject = {};
	const single = turns.length === 1 && turns[0].role === 'user';
	if (cs.image && images.length) {
		// One image input takes the latest image; a list takes them all, in conversation order.
		input[cs.image.name] = cs.image.list ? images : images[images.length - 1];
	} else if (cs.image && cs.requiresImage) {
		throw new ChatMappingError(
			`This model requires an image ("${cs.image.name}"), and the conversation carries none`,
			'Send an image in the chat (or pass binary images to the agent), or pick a text model.',
		);
	}
	if (cs.shape === 'messages') {
		const list = [
			...(system ? [{ role: 'system', content: system }] : []),
			...turns.map((t) => ({ role: t.role, content: t.text })),
		];
		input.messages = cs.messagesAsString ? JSON.stringify(list) : list;
	} else if (single || cs.shape === 'prompt') {
		// A single question meets the model's own template: its text is neutralised for it too.
		const own = NEUTRALISE[cs.shape];
		const prompt = single ? own(turns[0].text) : transcript(turns);
		if (system && cs.systemPrompt) {
			input.prompt = prompt;
			input.system_prompt = own(system);
		} else {
			input.prompt = system ? `${own(system)}\n\n${prompt}` : prompt;
		}
	} else {
		input.prompt =
			cs.shape === 'llama3'
				? llama3(cs.templatePrefix, system, turns)
				: inst(cs.shape, cs.templatePrefix, system, turns);
		input.prompt_template = '{prompt}';
	}
	if (o.temperature !== undefined && cs.temperature) input[cs.temperature] = o.temperature;
	if (o.maxTokens !== undefined && cs.maxTokens) input[cs.maxTokens] = o.maxTokens;
	if (o.topP !== undefined && cs.topP) input[cs.topP] = o.topP;
	const stop = (o.stop ?? []).filter((s) => s !== '');
	if (stop.length && cs.stop) {
		if (cs.stop.list) input[cs.stop.name] = stop;
		else {
			const withComma = stop.find((s) => s.includes(','));
			if (withComma !== undefined) {
				throw new ChatMappingError(
					`The stop sequence "${withComma}" contains a comma, but this model takes a comma-separated list`,
					'Remove the comma from the stop sequence.',
				);
			}
			input[cs.stop.name] = stop.join(',');
		}
	}
	return input;
}

/** The text of a finished prediction's output (language models stream tokens into an array). */
export function outputText(output: unknown): string {
	if (output === null || output === undefined) return '';
	if (typeof output === 'string') return output;
	if (Array.isArray(output) && output.every((t) => typeof t === 'string')) return output.join('');
	return JSON.stringify(output);
}
