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
} from '../../shared/models/schema';
import type { Message, MessageContent } from '@n8n/ai-node-sdk';

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
	const unfilled = schema.required.filter((r) => !FILLED.includes(r));
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
		schema,
	};
}

interface Turn {
	role: 'user' | 'assistant';
	text: string;
}

function textOf(m: Message, index: number): string {
	const out: string[] = [];
	for (const part of m.content as MessageContent[]) {
		if (part.type === 'text') out.push(part.text ?? '');
		else if (part.type === 'reasoning') continue;
		else if (part.type === 'file') {
			throw new ChatMappingError(
				`Message ${index + 1} carries a file (${part.mediaType ?? 'unknown type'}); this node sends text only`,
				'Turn off passing binary data to the model in the agent or chain, or describe the file in text.',
			);
		} else {
			throw new ChatMappingError(
				`Message ${index + 1} carries "${part.type}" content, which needs tool calling; this model has none`,
				'Use the model in a chain (Basic LLM Chain), or an agent without tools.',
			);
		}
	}
	return out.join('');
}

/** System text and the user/assistant turns, in order. */
export function conversation(messages: Message[]): { system: string; turns: Turn[] } {
	const system: string[] = [];
	const turns: Turn[] = [];
	messages.forEach((m, i) => {
		const text = textOf(m, i);
		if (m.role === 'system') system.push(text);
		else if (m.role === 'user' || m.role === 'assistant') turns.push({ role: m.role, text });
		else {
			throw new ChatMappingError(
				`Message ${i + 1} is a "${m.role}" message, which needs tool calling; this model has none`,
				'Use the model in a chain (Basic LLM Chain), or an agent without tools.',
			);
		}
	});
	if (!turns.some((t) => t.role === 'user' && t.text.trim())) {
		throw new ChatMappingError('The conversation has no user message to answer');
	}
	return { system: system.filter((s) => s.trim()).join('\n\n'), turns };
}

function llama3(prefix: string, system: string, turns: Turn[]): string {
	const block = (role: string, text: string) =>
		`<|start_header_id|>${role}<|end_header_id|>\n\n${text}<|eot_id|>`;
	const head = system ? block('system', system) : '';
	const body = turns.map((t) => block(t.role, t.text)).join('');
	return `${prefix}${head}${body}<|start_header_id|>assistant<|end_header_id|>\n\n`;
}

/**
 * Llama 2: `[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {answer} </s><s>[INST] {user} [/INST]`.
 * Mistral: `[INST] {user} [/INST] {answer}</s>[INST] {user} [/INST]` (no system role: its text leads
 * the first instruction). Both after the template's prefix (`<s>` when the template has it).
 */
function inst(shape: 'llama2' | 'mistral', prefix: string, system: string, turns: Turn[]): string {
	let out = prefix;
	let first = true;
	for (const t of turns) {
		if (t.role === 'user') {
			let text = t.text;
			if (first && system) {
				text =
					shape === 'llama2' ? `<<SYS>>\n${system}\n<</SYS>>\n\n${text}` : `${system}\n\n${text}`;
			}
			const open = first ? '' : shape === 'llama2' ? '<s>' : '';
			out += `${open}[INST] ${text} [/INST]`;
			first = false;
		} else {
			out += shape === 'llama2' ? ` ${t.text} </s>` : ` ${t.text}</s>`;
		}
	}
	return out;
}

function transcript(turns: Turn[]): string {
	return turns.map((t) => `${t.role === 'user' ? 'User' : 'Assistant'}: ${t.text}`).join('\n\n');
}

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
export function buildInput(cs: ChatSchema, messages: Message[], o: GenerationOptions): IDataObject {
	const { system, turns } = conversation(messages);
	const input: IDataObject = {};
	const single = turns.length === 1 && turns[0].role === 'user';
	if (cs.shape === 'messages') {
		const list = [
			...(system ? [{ role: 'system', content: system }] : []),
			...turns.map((t) => ({ role: t.role, content: t.text })),
		];
		input.messages = cs.messagesAsString ? JSON.stringify(list) : list;
	} else if (single || cs.shape === 'prompt') {
		const prompt = single ? turns[0].text : transcript(turns);
		if (system && cs.systemPrompt) {
			input.prompt = prompt;
			input.system_prompt = system;
		} else {
			input.prompt = system ? `${system}\n\n${prompt}` : prompt;
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
