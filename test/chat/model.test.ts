// The chat model against the emulator, through a real n8n-core SupplyDataContext and the node's
// supplyData (the SDK's supplyModel is stubbed: it hands the model through, as the real one wraps it).
jest.mock(
	'@n8n/ai-node-sdk',
	() => ({ supplyModel: (_ctx: unknown, model: unknown) => ({ response: model }) }),
	{
		virtual: true,
	},
);

import { LmChatReplicate } from '../../nodes/LmChatReplicate/LmChatReplicate.node';
import type { ReplicateChatModel } from '../../nodes/LmChatReplicate/chat/model';
import type { GenerateResult, Message as ChatMessage, StreamChunk } from '@n8n/ai-node-sdk';
import { replicateCredentials } from '../harness/n8n';
import { supplyContext } from '../harness/supply';
import { makePng } from '../emulator/png';
import { until, useEmulator } from '../helpers/emulator';

const TOKEN = 'r8_chat_test_token_0123456789';
const emu = useEmulator({ token: TOKEN });

const user = (text: string): ChatMessage => ({ role: 'user', content: [{ type: 'text', text }] });
const system = (text: string): ChatMessage => ({
	role: 'system',
	content: [{ type: 'text', text }],
});
const assistant = (text: string): ChatMessage => ({
	role: 'assistant',
	content: [{ type: 'text', text }],
});

async function supply(
	model: string,
	options: Record<string, unknown> = {},
	extra: Record<string, unknown> = {},
) {
	const { ctx, abort } = supplyContext({
		parameters: {
			source: 'model',
			model: { __rl: true, mode: 'id', value: model },
			options,
			...extra,
		},
		credentials: replicateCredentials(emu.emu.baseUrl, TOKEN),
	});
	const data = await new LmChatReplicate().supplyData.call(ctx, 0);
	return { model: data.response as ReplicateChatModel, abort };
}

/** The answer's text (its first part). */
const textOf = (r: GenerateResult) => {
	const part = r.message.content[0];
	return part?.type === 'text' ? part.text : undefined;
};

const predictionsOf = (model: string) =>
	[...emu.emu.store.predictions.values()].filter((r) => r.obj.model === model);

async function collect(stream: AsyncIterable<StreamChunk>) {
	const chunks: StreamChunk[] = [];
	for await (const c of stream) chunks.push(c);
	return chunks;
}

describe('generate', () => {
	test('messages model: the conversation goes as messages; the answer and usage come back', async () => {
		const { model } = await supply('emulator/chat-messages', { maxTokens: 64, temperature: 0.2 });
		const r = await model.generate([
			system('Be brief.'),
			user('Hi'),
			assistant('Hello!'),
			user('What is 2+2?'),
		]);
		const text = textOf(r);
		expect(text).toBe('Echo: What is 2+2? (turns: 3, system: Be brief.)');
		const run = predictionsOf('emulator/chat-messages').pop()!;
		expect(run.obj.input).toEqual({
			messages: [
				{ role: 'system', content: 'Be brief.' },
				{ role: 'user', content: 'Hi' },
				{ role: 'assistant', content: 'Hello!' },
				{ role: 'user', content: 'What is 2+2?' },
			],
			max_completion_tokens: 64,
			temperature: 0.2,
		});
		const metrics = run.obj.metrics as Record<string, number>;
		expect(r.usage).toMatchObject({
			promptTokens: metrics.input_token_count,
			completionTokens: metrics.output_token_count,
			totalTokens: metrics.input_token_count + metrics.output_token_count,
		});
		expect(r.usage!.completionTokens).toBe((run.obj.output as string[]).length);
		expect(r.id).toBe(run.obj.id);
	});

	test('Llama 3 model: one question uses prompt + system_prompt; a conversation is written in Llama 3 format', async () => {
		const { model } = await supply('emulator/llama-chat', { topP: 0.5, stopSequences: 'zzz\nyyy' });
		const one = await model.generate([system('Pirate.'), user('Ahoy?')]);
		expect(textOf(one)).toBe('Echo: Ahoy? (turns: 1, system: Pirate.)');
		const first = predictionsOf('emulator/llama-chat').pop()!;
		expect(first.obj.input).toEqual({
			prompt: 'Ahoy?',
			system_prompt: 'Pirate.',
			top_p: 0.5,
			stop_sequences: 'zzz,yyy',
		});

		const many = await model.generate([
			system('Pirate.'),
			user('Ahoy?'),
			assistant('Arr.'),
			user('Where is the gold?'),
		]);
		expect(textOf(many)).toBe('Echo: Where is the gold? (turns: 3, system: Pirate.)');
		const second = predictionsOf('emulator/llama-chat').pop()!;
		expect(second.obj.input).toMatchObject({ prompt_template: '{prompt}' });
		expect(String((second.obj.input as Record<string, unknown>).prompt)).toMatch(
			/^<\|begin_of_text\|>/,
		);
	});

	test('options the schema lacks are not sent (llm-stream has no top_p or stop input)', async () => {
		const { model } = await supply('emulator/llm-stream', {
			topP: 0.3,
			stopSequences: 'x',
			maxTokens: 3,
			temperature: 0,
		});
		const r = await model.generate([user('Tell me')]);
		expect(textOf(r)).toBe('Once upon a');
		expect(predictionsOf('emulator/llm-stream').pop()!.obj.input).toEqual({
			prompt: 'Tell me',
			max_tokens: 3,
			temperature: 0,
		});
		expect(r.usage).toBeUndefined(); // llm-stream reports no token counts: none are invented
	});

	test('an option outside the schema range fails before any prediction, naming the input', async () => {
		const { model } = await supply('emulator/chat-messages', { temperature: 3 });
		const before = predictionsOf('emulator/chat-messages').length;
		await expect(model.generate([user('x')])).rejects.toThrow(
			/Invalid model input "Temperature" \(temperature\): must be at most 2/,
		);
		expect(predictionsOf('emulator/chat-messages')).toHaveLength(before);
	});

	test('a failing model gives a clear error with its logs', async () => {
		const { model } = await supply('emulator/chat-fails');
		const err = await model
			.generate([user('hi')])
			.catch((e: Error & { description?: string }) => e);
		expect(err).toBeInstanceOf(Error);
		expect(err.message).toMatch(
			/^emulator\/chat-fails failed \(prediction \w+\): CUDA out of memory/,
		);
		expect((err as { description?: string }).description).toMatch(/OutOfMemoryError/);
		expect(JSON.stringify(err)).not.toContain(TOKEN);
	});

	test('input rejected by Replicate (422) is reported as such', async () => {
		const { model } = await supply('emulator/chat-messages');
		emu.emu.addFault({
			method: 'POST',
			path: '/v1/models/emulator/chat-messages/predictions',
			status: 422,
		});
		await expect(model.generate([user('x')])).rejects.toThrow(
			/^Replicate rejected the input for emulator\/chat-messages/,
		);
	});

	test('a canceled prediction is reported as canceled', async () => {
		const { model } = await supply('emulator/llama-chat', { maxTokens: 400 });
		const pending = model.generate([user('long answer please '.repeat(40))]).catch((e: Error) => e);
		const run = await until(() =>
			predictionsOf('emulator/llama-chat').find((r) => r.status === 'processing'),
		);
		emu.emu.store.stop(run, 'canceled');
		expect(((await pending) as Error).message).toMatch(
			/^Prediction \w+ of emulator\/llama-chat was canceled on Replicate/,
		);
	});

	test('aborting while polling (after the sync hold) cancels the prediction on Replicate', async () => {
		const { model, abort } = await supply('emulator/llama-chat', { maxTokens: 400, syncWait: 1 });
		const pending = model.generate([user('word '.repeat(300))]).catch((e: Error) => e);
		const run = await until(() =>
			predictionsOf('emulator/llama-chat').find((r) => r.status === 'processing' && !r.terminal),
		);
		// The 1 s hold is over once 45 tokens have streamed (30 ms each, 1.35 s; 300 in all).
		await until(() => ((run.obj.output as string[] | null)?.length ?? 0) > 45, 10_000);
		abort.abort();
		expect(((await pending) as Error).message).toMatch(
			/^Stopped; prediction \w+ was canceled on Replicate/,
		);
		expect(run.status).toBe('canceled');
	});
});

describe('stream', () => {
	test('tokens arrive as several deltas that add up to the answer; usage comes with finish', async () => {
		const { model } = await supply('emulator/chat-messages');
		const chunks = await collect(model.stream([user('Stream this please')]));
		const deltas = chunks
			.filter((c) => c.type === 'text-delta')
			.map((c) => (c as { delta: string }).delta);
		expect(deltas.length).toBeGreaterThan(3);
		expect(deltas.join('')).toBe('Echo: Stream this please (turns: 1, system: none)');
		const finish = chunks[chunks.length - 1] as Extract<StreamChunk, { type: 'finish' }>;
		expect(finish.type).toBe('finish');
		const run = predictionsOf('emulator/chat-messages').pop()!;
		expect(finish.usage?.completionTokens).toBe(
			(run.obj.metrics as Record<string, number>).output_token_count,
		);
		expect(finish.usage?.completionTokens).toBe(deltas.length);
	});

	test('the first delta arrives while the model is still running', async () => {
		const { model } = await supply('emulator/llama-chat');
		const stream = model.stream([user('one two three four five six seven eight')]);
		const it = stream[Symbol.asyncIterator]();
		const first = await it.next();
		expect(first.value).toMatchObject({ type: 'text-delta' });
		const run = predictionsOf('emulator/llama-chat').pop()!;
		expect(run.terminal).toBe(false);
		for (let r = await it.next(); !r.done; r = await it.next());
		expect(run.status).toBe('succeeded');
	});

	test('a model failing mid-stream ends the stream with its error (error + done events)', async () => {
		const { model } = await supply('emulator/chat-fails');
		const seen: StreamChunk[] = [];
		const err = await (async () => {
			for await (const c of model.stream([user('hi')])) seen.push(c);
		})().catch((e: Error) => e);
		expect(seen.filter((c) => c.type === 'text-delta').length).toBeGreaterThan(0);
		expect((err as Error).message).toMatch(
			/^emulator\/chat-fails failed \(prediction \w+\): CUDA out of memory/,
		);
	});

	test('aborting mid-stream hangs up and cancels the prediction', async () => {
		const { model, abort } = await supply('emulator/llama-chat', { maxTokens: 400 });
		const it = model.stream([user('word '.repeat(300))])[Symbol.asyncIterator]();
		await it.next();
		const run = predictionsOf('emulator/llama-chat').pop()!;
		abort.abort();
		const err = await (async () => {
			for (let r = await it.next(); !r.done; r = await it.next());
		})().catch((e: Error) => e);
		expect((err as Error).message).toMatch(/^Stopped; prediction \w+ was canceled on Replicate/);
		await until(() => run.terminal);
		expect(run.status).toBe('canceled');
	});

	test('a consumer that stops reading early cancels the prediction', async () => {
		const { model } = await supply('emulator/llama-chat', { maxTokens: 400 });
		for await (const c of model.stream([user('word '.repeat(300))])) {
			expect(c.type).toBe('text-delta');
			break;
		}
		const run = predictionsOf('emulator/llama-chat').pop()!;
		await until(() => run.terminal);
		expect(run.status).toBe('canceled');
	});

	test('with Stream Tokens off, stream() answers in one piece', async () => {
		const { model } = await supply('emulator/chat-messages', { streaming: false });
		const chunks = await collect(model.stream([user('whole')]));
		expect(chunks.map((c) => c.type)).toEqual(['text-delta', 'finish']);
		expect((chunks[0] as { delta: string }).delta).toBe('Echo: whole (turns: 1, system: none)');
	});
});

describe('supplyData', () => {
	test('deployments resolve to their model schema', async () => {
		const res = await fetch(`${emu.emu.baseUrl}/deployments`, {
			method: 'POST',
			headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
			body: JSON.stringify({
				name: 'chatbot',
				model: 'emulator/llama-chat',
				version: emu.emu.store.models.get('emulator/llama-chat')!.versions[0].id,
				hardware: 'gpu-a40-small',
				min_instances: 0,
				max_instances: 1,
			}),
		});
		expect(res.ok).toBe(true);
		const owner = ((await res.json()) as { owner: string }).owner;
		const { model } = await supply(
			'',
			{},
			{ source: 'deployment', deployment: { __rl: true, mode: 'id', value: `${owner}/chatbot` } },
		);
		const r = await model.generate([user('via deployment')]);
		expect(textOf(r)).toBe('Echo: via deployment (turns: 1, system: You are a helpful assistant)');
	});

	test('a model that is not a language model fails clearly at supply time', async () => {
		await expect(supply('emulator/sleep')).rejects.toThrow(
			/^emulator\/sleep: This model takes neither "messages" nor a text "prompt"/,
		);
		await expect(supply('emulator/sdxl-lite')).rejects.toThrow(
			/^emulator\/sdxl-lite: This model answers with files, not text/,
		);
	});

	test('with Tool Calling off, binding tools gives a clear error; provider tools are refused', async () => {
		const { model } = await supply('emulator/chat-messages', { toolCalling: 'off' });
		expect(() =>
			model.withTools([{ type: 'function', name: 'calculator', inputSchema: {} }]),
		).toThrow(/^Tool Calling is off for emulator\/chat-messages; use it in a chain$/);
		expect(model.withTools([])).toBe(model);
		const { model: auto } = await supply('emulator/chat-messages');
		expect(() => auto.withTools([{ type: 'provider', name: 'web_search' }])).toThrow(
			/"web_search" is a provider's built-in tool/,
		);
		expect(auto.withTools([{ type: 'function', name: 'calculator', inputSchema: {} }])).not.toBe(
			auto,
		);
	});
});

describe('as an agent brain (prompted tools, images, reasoning)', () => {
	const CALC = {
		type: 'function',
		name: 'calculator',
		description: 'Evaluates a math expression.',
		inputSchema: {
			type: 'object',
			properties: { input: { type: 'string' } },
			required: ['input'],
			additionalProperties: false,
		},
	};
	const WEATHER = {
		type: 'function',
		name: 'weather',
		description: 'The weather in a city.',
		inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
	};

	test.each(['emulator/agent-messages', 'emulator/agent-prompt'])(
		'%s: a call, then its result answered, one prediction per model turn',
		async (name) => {
			const { model } = await supply(name);
			const agent = model.withTools([CALC, WEATHER]);
			const before = predictionsOf(name).length;
			const step = await agent.generate([user('calculator: 6*7\nweather: Oslo')]);
			expect(step.finishReason).toBe('tool-calls');
			const calls = step.message.content.filter((c) => c.type === 'tool-call');
			expect(calls.map((c) => [c.toolName, c.input])).toEqual([
				['calculator', '{"input":"6*7"}'],
				['weather', '{"city":"Oslo"}'],
			]);
			expect(new Set(calls.map((c) => c.toolCallId)).size).toBe(2);
			const answer = await agent.generate([
				user('calculator: 6*7\nweather: Oslo'),
				step.message,
				{
					role: 'tool',
					content: [{ type: 'tool-result', toolCallId: calls[0].toolCallId!, result: '42' }],
				},
				{
					role: 'tool',
					content: [{ type: 'tool-result', toolCallId: calls[1].toolCallId!, result: 'Sunny' }],
				},
			]);
			expect(answer.finishReason).toBe('stop');
			expect(answer.message.content).toEqual([{ type: 'text', text: 'The result is 42; Sunny.' }]);
			expect(predictionsOf(name).length - before).toBe(2);
		},
	);

	test('streamed: the call comes as tool-call deltas, the answer streams token by token', async () => {
		const { model } = await supply('emulator/agent-messages');
		const agent = model.withTools([CALC]);
		const step = await collect(agent.stream([user('calculator: 2+2')]));
		expect(step.filter((c) => c.type === 'text-delta')).toEqual([]);
		expect(step.filter((c) => c.type === 'tool-call-delta')).toMatchObject([
			{ name: 'calculator', argumentsDelta: '{"input":"2+2"}' },
		]);
		const plain = await collect(agent.stream([user('Just chat with me for a while')]));
		const deltas = plain.filter((c) => c.type === 'text-delta');
		expect(deltas.length).toBeGreaterThan(3);
		expect(deltas.map((c) => (c as { delta: string }).delta).join('')).toBe(
			'Echo: Just chat with me for a while',
		);
	});

	test('a malformed call costs one corrective prediction at most; the model that ignores the protocol answers in text', async () => {
		const { model } = await supply('emulator/agent-messages');
		const agent = model.withTools([CALC]);
		let before = predictionsOf('emulator/agent-messages').length;
		const fixed = await agent.generate([user('call badly\ncalculator: 1+1')]);
		expect(fixed.finishReason).toBe('tool-calls');
		expect(predictionsOf('emulator/agent-messages').length - before).toBe(2);
		before = predictionsOf('emulator/agent-messages').length;
		const given = await agent.generate([user('call badly twice')]);
		expect(given.finishReason).toBe('stop');
		expect(textOf(given)).toContain('no_such_tool');
		expect(predictionsOf('emulator/agent-messages').length - before).toBe(2);

		const { model: echo } = await supply('emulator/chat-messages');
		const text = await echo.withTools([CALC]).generate([user('calculator: 1+1')]);
		expect(text.finishReason).toBe('stop');
		expect(textOf(text)).toMatch(/^Echo: calculator: 1\+1/);
	});

	const png = makePng(8, 6, 1);
	const imageMessage = (data: string | Uint8Array, mediaType = 'image/png'): ChatMessage => ({
		role: 'user',
		content: [
			{ type: 'text', text: 'What is this?' },
			{ type: 'file', mediaType, data },
		],
	});

	test('an image goes to the vision model as a data URI (up to 256 KB)', async () => {
		const { model } = await supply('emulator/vision-chat');
		const r = await model.generate([imageMessage(png.toString('base64'))]);
		expect(textOf(r)).toBe(
			`I see a 8x6 image/png image of ${png.length} bytes (data-uri). You asked: What is this?`,
		);
		const input = predictionsOf('emulator/vision-chat').pop()!.obj.input as Record<string, string>;
		expect(input.image).toBe(`data:image/png;base64,${png.toString('base64')}`);
		await expect(model.generate([user('no image here')])).rejects.toThrow(
			/requires an image \("image"\), and the conversation carries none/,
		);
	});

	test('a larger image is uploaded to the Files API and sent as its URL', async () => {
		const { model } = await supply('emulator/vision-chat');
		const big = Buffer.concat([png, Buffer.alloc(300 * 1024, 7)]);
		const files = emu.emu.store.files.size;
		const r = await model.generate([imageMessage(new Uint8Array(big))]);
		expect(textOf(r)).toBe(
			`I see a 8x6 image/png image of ${big.length} bytes (url). You asked: What is this?`,
		);
		expect(emu.emu.store.files.size).toBe(files + 1);
		const input = predictionsOf('emulator/vision-chat').pop()!.obj.input as Record<string, string>;
		expect(input.image).toMatch(/^https?:\/\/.+\/v1\/files\//);
	});

	test('a reasoning model: the reasoning is reasoning content, generated and streamed', async () => {
		const { model } = await supply('emulator/reasoning-chat');
		const r = await model.generate([user('two words')]);
		expect(r.message.content).toEqual([
			{ type: 'reasoning', text: 'The user wrote 2 words. I will echo them.' },
			{ type: 'text', text: 'Echo: two words' },
		]);
		const chunks = await collect(model.stream([user('two words')]));
		const text = chunks
			.filter((c) => c.type === 'text-delta')
			.map((c) => (c as { delta: string }).delta)
			.join('');
		expect(text).toBe('Echo: two words');
		const reasoning = chunks
			.filter((c) => c.type === 'content')
			.map((c) => (c as { content: { text: string } }).content.text)
			.join('');
		expect(reasoning).toBe('The user wrote 2 words. I will echo them.');
	});
});

describe('errors as a chat shows them', () => {
	test('a failure mid-stream ends the streamed text with a paragraph break before the error', async () => {
		const { model } = await supply('emulator/chat-fails');
		const seen: StreamChunk[] = [];
		const err = await (async () => {
			for await (const c of model.stream([user('hi')])) seen.push(c);
		})().catch((e: Error) => e);
		expect(err).toBeInstanceOf(Error);
		const deltas = seen.map((c) => (c as { delta: string }).delta);
		expect(deltas.join('')).toBe('Let me think\n\n');
	});

	test("an outcome's error description starts with the line naming the model and the prediction", async () => {
		const { model } = await supply('emulator/chat-fails');
		const err = (await model.generate([user('hi')]).catch((e: unknown) => e)) as {
			message: string;
			description?: string;
		};
		expect(err.description?.split('\n')[0]).toBe(err.message);
		expect(err.message).toMatch(/^emulator\/chat-fails failed \(prediction \w+\)/);
	});

	test('a token-like text in a prediction error is redacted, as the Replicate node does', async () => {
		const { model } = await supply('emulator/chat-messages');
		emu.emu.addFault({
			method: 'POST',
			path: '/v1/models/emulator/chat-messages/predictions',
			status: 201,
			// A whole prediction as Replicate answers one (it failed at once, with a token in its error).
			body: {
				id: 'leakyprediction0001',
				model: 'emulator/chat-messages',
				version: 'hidden',
				input: { prompt: 'hi' },
				output: null,
				data_removed: false,
				created_at: new Date().toISOString(),
				status: 'failed',
				error: 'auth failed for r8_AbCdEf0123456789xyz',
				urls: {
					web: `${emu.emu.baseUrl}/p/leakyprediction0001`,
					get: `${emu.emu.baseUrl}/predictions/leakyprediction0001`,
					cancel: `${emu.emu.baseUrl}/predictions/leakyprediction0001/cancel`,
				},
			},
		});
		const err = (await model.generate([user('hi')]).catch((e: unknown) => e)) as Error & {
			description?: string;
		};
		expect(err.message).toContain('r8_[redacted]');
		expect(`${err.message} ${err.description}`).not.toContain('r8_AbCdEf0123456789xyz');
	});
});
