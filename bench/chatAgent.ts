// Replicate Chat Model as an agent's brain, on the emulator at real speed (20-30 ms per token):
// - the node's added time to the first token over reading the prediction's stream directly (create
//   with fetch, read the SSE stream with fetch): goal ≤ 50 ms median, plain and with tools bound (a
//   reply is held until it is clearly not a call: its first character);
// - the cost of a tool step: predictions and HTTP requests per model turn, a turn with a tool call
//   against a plain turn (goal: one prediction per turn, no extra requests).
import type { Message } from '@n8n/ai-node-sdk';

import { median } from './lib';
import { startEmulator } from '../test/emulator';
import { replicateCredentials } from '../test/harness/n8n';
import { supplyContext } from '../test/harness/supply';
import { chatSchema } from '../nodes/LmChatReplicate/chat/mapping';
import { ReplicateChatModel } from '../nodes/LmChatReplicate/chat/model';
import { readSettings } from '../nodes/LmChatReplicate/LmChatReplicate.node';
import { SseParser } from '../nodes/common/lifecycle/sse';
import { resolveModel } from '../nodes/common/models/targets';

const RUNS = 9;
const CALC = {
	type: 'function',
	name: 'calculator',
	description: 'Evaluates a math expression.',
	inputSchema: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] },
};
const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });

/** Reads the stream at `url` with fetch up to its first `output` event (the baseline). */
async function firstOutput(url: string): Promise<void> {
	const res = await fetch(url, { headers: { accept: 'text/event-stream' } });
	const reader = (res.body as ReadableStream<Uint8Array>).getReader();
	const parser = new SseParser();
	for (;;) {
		const { value, done } = await reader.read();
		if (done) break;
		if (parser.push(value).some((e) => e.event === 'output' && e.data)) break;
	}
	await reader.cancel();
}

export async function chatAgent(record: (line: string) => void) {
	const emu = await startEmulator({ rateLimits: false, speed: 1 });
	// The model as supplyData builds it (without the SDK's LangChain wrapper, which needs n8n).
	const supply = async (name: string) => {
		const { ctx } = supplyContext({
			parameters: { source: 'model', model: { __rl: true, mode: 'id', value: name }, options: {} },
			credentials: replicateCredentials(emu.baseUrl, emu.token),
		});
		const [owner, model] = name.split('/');
		const target = await resolveModel(ctx, { owner, name: model }, 0);
		return new ReplicateChatModel(ctx, target, chatSchema(target.openapi), readSettings(ctx, 0), 0);
	};
	const plain = await supply('emulator/agent-messages');
	const { ctx: direct0 } = supplyContext({
		parameters: {},
		credentials: replicateCredentials(emu.baseUrl, emu.token),
	});
	const target = await resolveModel(direct0, { owner: 'emulator', name: 'agent-messages' }, 0);
	const agent = plain.withTools([CALC]);
	const ask = 'Tell me something about the sea';

	const direct = async () => {
		const t = Date.now();
		const input = { messages: [{ role: 'user', content: ask }] };
		const res = await fetch(`${emu.baseUrl}${target.createPath}`, {
			method: 'POST',
			headers: { authorization: `Bearer ${emu.token}`, 'content-type': 'application/json' },
			body: JSON.stringify(target.version ? { version: target.version, input } : { input }),
		});
		const p = (await res.json()) as { urls?: { stream: string } };
		if (!p.urls) throw new Error(`create answered ${res.status}: ${JSON.stringify(p)}`);
		await firstOutput(p.urls.stream);
		return Date.now() - t;
	};
	const viaNode = async (model: ReplicateChatModel) => {
		const t = Date.now();
		let ttft = -1;
		for await (const c of model.stream([user(ask)])) {
			if (c.type === 'text-delta' && ttft < 0) ttft = Date.now() - t;
		}
		return ttft;
	};
	await direct();
	await viaNode(plain); // warm-up (JIT, connections)
	const d: number[] = [];
	const n: number[] = [];
	const nt: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		// rotating order, so neither side always runs on a warmer machine
		const order = [
			async () => d.push(await direct()),
			async () => n.push(await viaNode(plain)),
			async () => nt.push(await viaNode(agent)),
		];
		for (let k = 0; k < order.length; k++) await order[(i + k) % order.length]();
	}
	const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v)} ms`;
	const added = median(n) - median(d);
	const addedTools = median(nt) - median(d);
	record(
		`chat time to first token (emulator/agent-messages at real speed, median of ${RUNS}, rotating order; goal ≤ 50 ms added): ` +
			`reading the stream directly ${median(d)} ms; through the node ${median(n)} ms (${signed(added)}); ` +
			`with a tool bound ${median(nt)} ms (${signed(addedTools)})${added <= 50 && addedTools <= 50 ? '' : ' — OVER GOAL'}`,
	);

	// The cost of a tool step: requests per model turn, with and without a call in it.
	const count = async (fn: () => Promise<unknown>) => {
		const before = emu.requests().length;
		const predictions = emu.store.predictions.size;
		await fn();
		const log = emu.requests().slice(before);
		return {
			predictions: emu.store.predictions.size - predictions,
			requests: log.length,
			kinds: [...new Set(log.map((l) => l.operationId ?? l.path))].join(', '),
		};
	};
	const plainTurn = await count(() => plain.generate([user(ask)]));
	const callTurn = await count(() => agent.generate([user('calculator: 6*7')]));
	const streamedCall = await count(async () => {
		for await (const _ of agent.stream([user('calculator: 6*7')])) void _;
	});
	const streamedPlain = await count(async () => {
		for await (const _ of plain.stream([user(ask)])) void _;
	});
	record(
		`chat tool step (goal: one prediction per model turn, no extra requests): generate — plain turn ` +
			`${plainTurn.predictions} prediction / ${plainTurn.requests} requests (${plainTurn.kinds}); turn with a tool call ` +
			`${callTurn.predictions} prediction / ${callTurn.requests} requests; stream — plain ${streamedPlain.predictions} / ` +
			`${streamedPlain.requests} (${streamedPlain.kinds}), with a tool call ${streamedCall.predictions} / ${streamedCall.requests}`,
	);
	await emu.stop();
}
