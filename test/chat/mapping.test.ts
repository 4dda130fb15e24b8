// Message mapping per schema shape. Schemas are the emulator's (shaped like Replicate's models) or
// built here for the families the emulator has no model of.
import type { IDataObject } from 'n8n-workflow';

import {
	buildInput,
	chatSchema as analyze,
	outputText,
} from '../../nodes/LmChatReplicate/chat/mapping';
import type { Message as ChatMessage } from '@n8n/ai-node-sdk';
import { CATALOG } from '../emulator';
import { llama3Turns } from '../emulator/models/chat';
import { cogSchema } from '../emulator/models/schema';

const chatSchema = (doc: unknown) => analyze(doc as IDataObject | null);
const schemaOf = (name: string) => CATALOG.find((m) => m.name === name)!.openapi;
const text = (role: ChatMessage['role'], t: string): ChatMessage => ({
	role,
	content: [{ type: 'text', text: t }],
});
const CONVO = [
	text('system', 'Be brief.'),
	text('user', 'Hi'),
	text('assistant', 'Hello!'),
	text('user', 'Sum 2+2?'),
];
const ITER = {
	type: 'array',
	items: { type: 'string' },
	'x-cog-array-type': 'iterator',
	'x-cog-array-display': 'concatenate',
};

function promptSchema(extra: Record<string, unknown> = {}, template?: string) {
	return cogSchema({
		properties: {
			prompt: { type: 'string', 'x-order': 0 },
			system_prompt: { type: 'string', 'x-order': 1 },
			max_new_tokens: { type: 'integer', 'x-order': 2 },
			...(template ? { prompt_template: { type: 'string', default: template, 'x-order': 3 } } : {}),
			...extra,
		},
		output: ITER,
	});
}

describe('messages shape', () => {
	test('the conversation goes as role/content messages, system first', () => {
		const cs = chatSchema(schemaOf('chat-messages'));
		expect(cs.shape).toBe('messages');
		expect(buildInput(cs, CONVO, { maxTokens: 9, temperature: 0.1, topP: 0.8 })).toEqual({
			messages: [
				{ role: 'system', content: 'Be brief.' },
				{ role: 'user', content: 'Hi' },
				{ role: 'assistant', content: 'Hello!' },
				{ role: 'user', content: 'Sum 2+2?' },
			],
			max_completion_tokens: 9,
			temperature: 0.1,
			top_p: 0.8,
		});
	});

	test('a schema declaring messages as a string gets a JSON list', () => {
		const cs = chatSchema(
			cogSchema({ properties: { messages: { type: 'string' } }, output: ITER }),
		);
		const input = buildInput(cs, [text('user', 'Hi')], {});
		expect(JSON.parse(input.messages as string)).toEqual([{ role: 'user', content: 'Hi' }]);
	});
});

describe('Llama 3 shape', () => {
	const cs = chatSchema(schemaOf('llama-chat'));

	test('detected from the prompt_template default; one question keeps the model template', () => {
		expect(cs.shape).toBe('llama3');
		expect(
			buildInput(cs, [text('system', 'S'), text('user', 'Q')], { stop: ['<end>', '<stop>'] }),
		).toEqual({
			prompt: 'Q',
			system_prompt: 'S',
			stop_sequences: '<end>,<stop>',
		});
	});

	test('a conversation is written in the Llama 3 chat format, ending on the assistant header', () => {
		const input = buildInput(cs, CONVO, {});
		expect(input.prompt_template).toBe('{prompt}');
		const prompt = input.prompt as string;
		expect(
			prompt.startsWith(
				'<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>',
			),
		).toBe(true);
		expect(prompt.endsWith('<|start_header_id|>assistant<|end_header_id|>\n\n')).toBe(true);
		expect(llama3Turns(prompt)).toEqual([
			{ role: 'system', text: 'Be brief.' },
			{ role: 'user', text: 'Hi' },
			{ role: 'assistant', text: 'Hello!' },
			{ role: 'user', text: 'Sum 2+2?' },
		]);
	});

	test('a stop sequence with a comma cannot go into a comma-separated input', () => {
		expect(() => buildInput(cs, [text('user', 'Q')], { stop: ['a,b'] })).toThrow(
			/contains a comma/,
		);
	});
});

describe('[INST] shapes', () => {
	test('Llama 2: <<SYS>> inside the first [INST], turns closed with </s><s>', () => {
		const cs = chatSchema(
			promptSchema({}, '[INST] <<SYS>>\n{system_prompt}\n<</SYS>>\n\n{prompt} [/INST]'),
		);
		expect(cs.shape).toBe('llama2');
		expect(buildInput(cs, CONVO, { maxTokens: 5 })).toEqual({
			prompt:
				'[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello! </s><s>[INST] Sum 2+2? [/INST]',
			prompt_template: '{prompt}',
			max_new_tokens: 5,
		});
	});

	test('Mistral: the template prefix (<s>) kept, the system text leads the first instruction, answers end with </s>', () => {
		const cs = chatSchema(promptSchema({}, '<s>[INST] {prompt} [/INST]'));
		expect(cs.shape).toBe('mistral');
		expect(buildInput(cs, CONVO, {}).prompt).toBe(
			'<s>[INST] Be brief.\n\nHi [/INST] Hello!</s>[INST] Sum 2+2? [/INST]',
		);
	});
});

describe('prompt shape (no template)', () => {
	test('one question maps one to one; a conversation becomes a labelled transcript', () => {
		const cs = chatSchema(promptSchema());
		expect(cs.shape).toBe('prompt');
		expect(buildInput(cs, [text('system', 'S'), text('user', 'Q')], {})).toEqual({
			prompt: 'Q',
			system_prompt: 'S',
		});
		expect(buildInput(cs, CONVO, {})).toEqual({
			prompt: 'User: Hi\n\nAssistant: Hello!\n\nUser: Sum 2+2?',
			system_prompt: 'Be brief.',
		});
	});

	test('without a system_prompt input the system text leads the prompt (llm-stream)', () => {
		const cs = chatSchema(cogSchema({ properties: { prompt: { type: 'string' } }, output: ITER }));
		expect(buildInput(cs, [text('system', 'S'), text('user', 'Q')], { temperature: 1 })).toEqual({
			prompt: 'S\n\nQ',
		});
	});
});

describe('what cannot be mapped fails clearly', () => {
	test('schemas', () => {
		expect(() => chatSchema(null)).toThrow(/publishes no input schema/);
		expect(() => chatSchema(schemaOf('sleep'))).toThrow(/neither "messages" nor a text "prompt"/);
		expect(() => chatSchema(schemaOf('flux-lite'))).toThrow(/answers with files, not text/);
		const needsImage = cogSchema({
			properties: { prompt: { type: 'string' }, image: { type: 'string' } },
			required: ['prompt', 'image'],
			output: ITER,
		});
		expect(() => chatSchema(needsImage)).toThrow(
			/requires "image", which a chat model cannot fill/,
		);
	});

	test('conversations', () => {
		const cs = chatSchema(schemaOf('chat-messages'));
		expect(() => buildInput(cs, [text('system', 'only a system message')], {})).toThrow(
			/no user message/,
		);
		const file: ChatMessage = {
			role: 'user',
			content: [{ type: 'file', mediaType: 'image/png', data: '' }],
		};
		expect(() => buildInput(cs, [file], {})).toThrow(/Message 1 carries a file \(image\/png\)/);
		const tool: ChatMessage = {
			role: 'tool',
			content: [{ type: 'tool-result', toolCallId: '1', result: 4 }],
		};
		expect(() => buildInput(cs, [text('user', 'x'), tool], {})).toThrow(
			/needs tool calling; this model has none/,
		);
	});
});

test('outputText joins token arrays and keeps strings', () => {
	expect(outputText(['Hel', 'lo'])).toBe('Hello');
	expect(outputText('Hello')).toBe('Hello');
	expect(outputText(null)).toBe('');
	expect(outputText({ a: 1 })).toBe('{"a":1}');
});
