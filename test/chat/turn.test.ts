// One model turn with prompted tools, with the prediction replaced by scripted replies: how many
// predictions a turn costs, what the SDK gets, and what streams when.
import type { ToolSpec } from '../../nodes/LmChatReplicate/chat/tools';
import {
	chunksOf,
	generateTurn,
	streamTurn,
	type Finished,
} from '../../nodes/LmChatReplicate/chat/turn';
import type { Message as ChatMessage, StreamChunk } from '@n8n/ai-node-sdk';

const TOOLS: ToolSpec[] = [
	{
		name: 'calculator',
		description: 'Math.',
		schema: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] },
	},
];
const ASK: ChatMessage[] = [{ role: 'user', content: [{ type: 'text', text: 'What is 6*7?' }] }];
const CALL =
	'{"tool_calls":[{"name":"calculator","arguments":{"input":"6*7"}},{"name":"calculator","arguments":{"input":"1+1"}}]}';
const BAD = '{"tool_calls":[{"name":"calculator","arguments":{"input":42}}]}';
const usage = { promptTokens: 10, completionTokens: 5, totalTokens: 15 };

/** Scripted predictions: each call of `once` takes the next reply and records the conversation. */
function script(replies: string[]) {
	const seen: ChatMessage[][] = [];
	const finished = (text: string): Finished => ({ id: `p${seen.length}`, text, usage });
	return {
		seen,
		once: async (messages: ChatMessage[]) => {
			seen.push(messages);
			return finished(replies[seen.length - 1]);
		},
		streamOnce: async function* (messages: ChatMessage[]): AsyncGenerator<string, Finished> {
			seen.push(messages);
			const text = replies[seen.length - 1];
			for (let i = 0; i < text.length; i += 7) yield text.slice(i, i + 7);
			return finished(text);
		},
	};
}

async function collect(stream: AsyncIterable<StreamChunk>) {
	const chunks: StreamChunk[] = [];
	for await (const c of stream) chunks.push(c);
	return chunks;
}

describe('generate', () => {
	test('a well-formed call: one prediction, tool-call parts with unique ids', async () => {
		const s = script([CALL]);
		const r = await generateTurn(ASK, TOOLS, s.once);
		expect(s.seen).toHaveLength(1);
		expect(r.finishReason).toBe('tool-calls');
		expect(r.message.content).toEqual([
			{
				type: 'tool-call',
				toolCallId: 'call_p1_1',
				toolName: 'calculator',
				input: '{"input":"6*7"}',
			},
			{
				type: 'tool-call',
				toolCallId: 'call_p1_2',
				toolName: 'calculator',
				input: '{"input":"1+1"}',
			},
		]);
		expect(r.usage).toEqual(usage);
	});

	test('a malformed call is corrected once: the second prediction sees the reply and the reason', async () => {
		const s = script([BAD, CALL]);
		const r = await generateTurn(ASK, TOOLS, s.once);
		expect(s.seen).toHaveLength(2);
		expect(s.seen[1].slice(0, 1)).toEqual(ASK);
		expect(s.seen[1][1]).toEqual({ role: 'assistant', content: [{ type: 'text', text: BAD }] });
		expect((s.seen[1][2].content[0] as { text: string }).text).toMatch(
			/^Your tool call could not be used: "calculator": arguments.input must be string \(got integer\)\./,
		);
		expect(r.finishReason).toBe('tool-calls');
		expect(r.usage).toEqual({ promptTokens: 20, completionTokens: 10, totalTokens: 30 });
	});

	test('malformed twice: no third prediction, the second reply is the answer text', async () => {
		const s = script([BAD, BAD, CALL]);
		const r = await generateTurn(ASK, TOOLS, s.once);
		expect(s.seen).toHaveLength(2);
		expect(r.finishReason).toBe('stop');
		expect(r.message.content).toEqual([{ type: 'text', text: BAD }]);
	});

	test('reasoning goes out as reasoning content, the answer as text', async () => {
		const s = script(['<think>Multiply.</think>\n42']);
		const r = await generateTurn(ASK, TOOLS, s.once);
		expect(r.message.content).toEqual([
			{ type: 'reasoning', text: 'Multiply.' },
			{ type: 'text', text: '42' },
		]);
	});
});

describe('stream', () => {
	test('an answer streams as it comes (held back only until its first character)', async () => {
		const s = script(['The answer is 42, computed in my head.']);
		const chunks = await collect(streamTurn(ASK, TOOLS, s.streamOnce));
		const deltas = chunks.filter((c) => c.type === 'text-delta');
		expect(deltas.length).toBeGreaterThan(3);
		expect(deltas.map((c) => (c.type === 'text-delta' ? c.delta : '')).join('')).toBe(
			'The answer is 42, computed in my head.',
		);
		expect(chunks.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', usage });
	});

	test('a call is never shown as text; it ends as one tool-call delta per call', async () => {
		const s = script([`<think>I need the tool.</think>${CALL}`]);
		const chunks = await collect(streamTurn(ASK, TOOLS, s.streamOnce));
		expect(chunks.filter((c) => c.type === 'text-delta')).toEqual([]);
		expect(chunks.filter((c) => c.type === 'content')).not.toHaveLength(0);
		expect(
			chunks
				.filter((c) => c.type === 'content')
				.map((c) => (c.type === 'content' ? (c.content as { text: string }).text : ''))
				.join(''),
		).toBe('I need the tool.');
		expect(chunks.filter((c) => c.type === 'tool-call-delta')).toEqual([
			{
				type: 'tool-call-delta',
				id: 'call_p1_1',
				name: 'calculator',
				argumentsDelta: '{"input":"6*7"}',
			},
			{
				type: 'tool-call-delta',
				id: 'call_p1_2',
				name: 'calculator',
				argumentsDelta: '{"input":"1+1"}',
			},
		]);
		expect(chunks.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool-calls' });
	});

	test('a malformed call streams nothing, is corrected once, and the usage adds up', async () => {
		const s = script([BAD, 'Fine: 42.']);
		const chunks = await collect(streamTurn(ASK, TOOLS, s.streamOnce));
		expect(s.seen).toHaveLength(2);
		expect(
			chunks
				.filter((c) => c.type === 'text-delta')
				.map((c) => (c.type === 'text-delta' ? c.delta : ''))
				.join(''),
		).toBe('Fine: 42.');
		expect(chunks.at(-1)).toEqual({
			type: 'finish',
			finishReason: 'stop',
			usage: { promptTokens: 20, completionTokens: 10, totalTokens: 30 },
		});
		const twice = script([BAD, BAD]);
		const last = await collect(streamTurn(ASK, TOOLS, twice.streamOnce));
		expect(
			last
				.filter((c) => c.type === 'text-delta')
				.map((c) => (c.type === 'text-delta' ? c.delta : ''))
				.join(''),
		).toBe(BAD);
	});

	test('a consumer that stops reading closes the prediction generator (which cancels it)', async () => {
		let closed = false;
		async function* once(): AsyncGenerator<string, Finished> {
			try {
				for (;;) yield 'word ';
			} finally {
				closed = true;
			}
		}
		for await (const c of streamTurn(ASK, TOOLS, once)) {
			expect(c.type).toBe('text-delta');
			break;
		}
		expect(closed).toBe(true);
	});
});

test('chunksOf turns a whole result into the same chunk kinds', () => {
	const chunks = [
		...chunksOf({
			finishReason: 'tool-calls',
			message: {
				role: 'assistant',
				content: [
					{ type: 'reasoning', text: 'r' },
					{ type: 'text', text: '' },
					{ type: 'tool-call', toolCallId: 'x', toolName: 'calculator', input: '{}' },
				],
			},
		}),
	];
	expect(chunks.map((c) => c.type)).toEqual(['content', 'tool-call-delta', 'finish']);
});
