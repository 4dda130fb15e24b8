// Message mapping per schema shape. Schemas are the emulator's (shaped like Replicate's models) or
// built here for the families the emulator has no model of.
import type { IDataObject } from 'n8n-workflow';

import {
	buildInput,
	chatSchema as analyze,
	ChatMappingError,
	outputText,
} from '../../nodes/LmChatReplicate/chat/mapping';
import { toolInstructions, type ToolSpec } from '../../nodes/LmChatReplicate/chat/tools';
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
		const needsMask = cogSchema({
			properties: { prompt: { type: 'string' }, mask: { type: 'string' } },
			required: ['prompt', 'mask'],
			output: ITER,
		});
		expect(() => chatSchema(needsMask)).toThrow(/requires "mask", which a chat model cannot fill/);
	});

	test('conversations', () => {
		const cs = chatSchema(schemaOf('chat-messages'));
		expect(() => buildInput(cs, [text('system', 'only a system message')], {})).toThrow(
			/no user message/,
		);
		const pdf: ChatMessage = {
			role: 'user',
			content: [{ type: 'file', mediaType: 'application/pdf', data: 'JVBERi0=' }],
		};
		expect(() => buildInput(cs, [pdf], {})).toThrow(
			/Message 1 carries a file \(application\/pdf\); this node sends text and images only/,
		);
		const tool: ChatMessage = {
			role: 'tool',
			content: [{ type: 'tool-result', toolCallId: '1', result: 4 }],
		};
		expect(() => buildInput(cs, [text('user', 'x'), tool], {})).toThrow(
			/Message 2 carries "tool-result" content, which needs tool calling; it is off/,
		);
	});
});

describe('tool turns per family (prompted tool calling)', () => {
	const TOOLS: ToolSpec[] = [
		{
			name: 'calculator',
			description: 'Math.',
			schema: { type: 'object', properties: { input: { type: 'string' } } },
		},
	];
	const AGENT: ChatMessage[] = [
		text('system', 'Be exact.'),
		text('user', 'What is 6*7?'),
		{
			role: 'assistant',
			content: [
				{ type: 'text', text: '' },
				{ type: 'tool-call', toolCallId: 'c1', toolName: 'calculator', input: '{"input":"6*7"}' },
			],
		},
		{ role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', result: '42' }] },
	];
	const CALL = '{"tool_calls":[{"name":"calculator","arguments":{"input":"6*7"}}]}';
	const RESULT = 'Tool results:\n[calculator] 42';
	const instructions = toolInstructions(TOOLS);
	const families: Array<[string, () => unknown, (input: IDataObject) => void]> = [
		[
			'messages',
			() => schemaOf('chat-messages'),
			(input) =>
				expect(input.messages).toEqual([
					{ role: 'system', content: `Be exact.\n\n${instructions}` },
					{ role: 'user', content: 'What is 6*7?' },
					{ role: 'assistant', content: CALL },
					{ role: 'user', content: RESULT },
				]),
		],
		[
			'llama3',
			() => schemaOf('llama-chat'),
			(input) =>
				expect(llama3Turns(input.prompt as string)).toEqual([
					{ role: 'system', text: `Be exact.\n\n${instructions}` },
					{ role: 'user', text: 'What is 6*7?' },
					{ role: 'assistant', text: CALL },
					{ role: 'user', text: RESULT },
				]),
		],
		[
			'llama2',
			() => promptSchema({}, '[INST] <<SYS>>\n{system_prompt}\n<</SYS>>\n\n{prompt} [/INST]'),
			(input) =>
				expect(input.prompt).toBe(
					`[INST] <<SYS>>\nBe exact.\n\n${instructions}\n<</SYS>>\n\nWhat is 6*7? [/INST] ${CALL} </s><s>[INST] ${RESULT} [/INST]`,
				),
		],
		[
			'mistral',
			() => promptSchema({}, '<s>[INST] {prompt} [/INST]'),
			(input) =>
				expect(input.prompt).toBe(
					`<s>[INST] Be exact.\n\n${instructions}\n\nWhat is 6*7? [/INST] ${CALL}</s>[INST] ${RESULT} [/INST]`,
				),
		],
		[
			'prompt',
			() => promptSchema(),
			(input) => {
				expect(input.system_prompt).toBe(`Be exact.\n\n${instructions}`);
				expect(input.prompt).toBe(`User: What is 6*7?\n\nAssistant: ${CALL}\n\nUser: ${RESULT}`);
			},
		],
	];

	test.each(families)(
		'%s: tools in the system text, the call in the assistant turn, results in a user turn',
		(shape, schema, check) => {
			const cs = chatSchema(schema());
			expect(cs.shape).toBe(shape);
			check(buildInput(cs, AGENT, {}, { tools: TOOLS }));
		},
	);

	test("n8n's agent gives each call its own message and result: they are written as one reply and one results turn", () => {
		const cs = chatSchema(schemaOf('chat-messages'));
		const call = (id: string, input: string): ChatMessage => ({
			role: 'assistant',
			content: [
				{ type: 'text', text: '' },
				{ type: 'tool-call', toolCallId: id, toolName: 'calculator', input },
			],
		});
		const result = (id: string, r: string): ChatMessage => ({
			role: 'tool',
			content: [{ type: 'tool-result', toolCallId: id, result: r }],
		});
		const input = buildInput(
			cs,
			[
				text('user', 'Two sums'),
				call('a', '{"input":"1+1"}'),
				result('a', '2'),
				call('b', '{"input":"2+2"}'),
				result('b', '4'),
			],
			{},
			{ tools: TOOLS },
		);
		expect((input.messages as IDataObject[]).slice(2)).toEqual([
			{
				role: 'assistant',
				content:
					'{"tool_calls":[{"name":"calculator","arguments":{"input":"1+1"}},{"name":"calculator","arguments":{"input":"2+2"}}]}',
			},
			{ role: 'user', content: 'Tool results:\n[calculator] 2\n[calculator] 4' },
		]);
	});

	test('several results of one step go back in one turn, named by their calls', () => {
		const cs = chatSchema(schemaOf('chat-messages'));
		const input = buildInput(
			cs,
			[
				text('user', 'Two things'),
				{
					role: 'assistant',
					content: [
						{ type: 'tool-call', toolCallId: 'a', toolName: 'calculator', input: '{"input":"1"}' },
						{ type: 'tool-call', toolCallId: 'b', toolName: 'weather', input: '{}' },
					],
				},
				{ role: 'tool', content: [{ type: 'tool-result', toolCallId: 'a', result: 1 }] },
				{
					role: 'tool',
					name: 'weather',
					content: [{ type: 'tool-result', toolCallId: 'b', result: 'no data', isError: true }],
				},
			],
			{},
			{ tools: TOOLS },
		);
		expect((input.messages as IDataObject[]).slice(-1)).toEqual([
			{ role: 'user', content: 'Tool results:\n[calculator] 1\n[weather failed] no data' },
		]);
	});
});

describe('images', () => {
	const vision = () => chatSchema(schemaOf('vision-chat'));
	const withImage: ChatMessage = {
		role: 'user',
		content: [
			{ type: 'text', text: 'What is it?' },
			{ type: 'file', mediaType: 'image/png', data: 'iVBORw0KGgo=' },
		],
	};

	test('a model that requires an image is usable; the image goes to its image input', () => {
		const cs = vision();
		expect(cs.image).toEqual({ name: 'image', list: false });
		expect(cs.requiresImage).toBe(true);
		expect(buildInput(cs, [withImage], {}, { images: ['data:a', 'data:b'] })).toEqual({
			image: 'data:b',
			prompt: 'What is it?',
		});
		expect(() => buildInput(cs, [text('user', 'hi')], {})).toThrow(
			/^This model requires an image \("image"\), and the conversation carries none$/,
		);
	});

	test('a list input takes every image; a model without one names its inputs', () => {
		const cs = chatSchema(
			cogSchema({
				properties: {
					prompt: { type: 'string' },
					image_input: { type: 'array', items: { type: 'string' } },
				},
				output: ITER,
			}),
		);
		expect(cs.image).toEqual({ name: 'image_input', list: true });
		expect(buildInput(cs, [withImage], {}, { images: ['u1', 'u2'] }).image_input).toEqual([
			'u1',
			'u2',
		]);
		const err = (() => {
			try {
				buildInput(chatSchema(schemaOf('chat-messages')), [withImage], {});
			} catch (e) {
				return e as ChatMappingError;
			}
			return undefined;
		})();
		expect(err?.message).toBe('Message 1 carries an image, but this model has no image input');
		expect(err?.description).toMatch(/^Its inputs: prompt, system_prompt, messages, temperature/);
	});
});

test('outputText joins token arrays and keeps strings', () => {
	expect(outputText(['Hel', 'lo'])).toBe('Hello');
	expect(outputText('Hello')).toBe('Hello');
	expect(outputText(null)).toBe('');
	expect(outputText({ a: 1 })).toBe('{"a":1}');
});
