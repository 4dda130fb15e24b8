// Replicate Chat Model: time to the first streamed token vs the full answer, on the emulator at real
// speed (30 ms per token), through a real n8n-core supply-data context and the package's transport.
import { median } from './lib';
import { startEmulator } from '../test/emulator';
import { replicateCredentials } from '../test/harness/n8n';
import { supplyContext } from '../test/harness/supply';
import { chatSchema } from '../nodes/LmChatReplicate/chat/mapping';
import { ReplicateChatModel } from '../nodes/LmChatReplicate/chat/model';
import { readSettings } from '../nodes/LmChatReplicate/LmChatReplicate.node';
import { resolveModel } from '../nodes/common/models/targets';
import type { Message } from '@n8n/ai-node-sdk';
import type { IExecuteFunctions } from 'n8n-workflow';

export async function chatLatency(record: (line: string) => void) {
	const emu = await startEmulator({ rateLimits: false, speed: 1 });
	const { ctx } = supplyContext({
		parameters: {
			source: 'model',
			model: { __rl: true, mode: 'id', value: 'emulator/llama-chat' },
			options: {},
		},
		credentials: replicateCredentials(emu.baseUrl, emu.token),
	});
	const target = await resolveModel(
		ctx as unknown as IExecuteFunctions,
		{ owner: 'emulator', name: 'llama-chat' },
		0,
	);
	const model = new ReplicateChatModel(
		ctx,
		target,
		chatSchema(target.openapi),
		readSettings(ctx, 0),
		0,
	);
	const words = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
	const messages: Message[] = [{ role: 'user', content: [{ type: 'text', text: words }] }];
	const first: number[] = [];
	const streamed: number[] = [];
	const generated: number[] = [];
	// how long the emulator's model itself ran (created → completed), for each measured run
	const modelTime = () => {
		const run = [...emu.store.predictions.values()].pop()!;
		return Date.parse(String(run.obj.completed_at)) - Date.parse(String(run.obj.created_at));
	};
	const streamModel: number[] = [];
	const generateModel: number[] = [];
	let chunks = 0;
	await model.generate(messages); // warm-up (JIT, connections)
	for (let i = 0; i < 5; i++) {
		let t = Date.now();
		let ttft = -1;
		chunks = 0;
		for await (const c of model.stream(messages)) {
			if (c.type === 'text-delta') {
				chunks++;
				if (ttft < 0) ttft = Date.now() - t;
			}
		}
		first.push(ttft);
		streamed.push(Date.now() - t);
		streamModel.push(modelTime());
		t = Date.now();
		await model.generate(messages);
		generated.push(Date.now() - t);
		generateModel.push(modelTime());
	}
	await emu.stop();
	record(
		`chat model (in-process n8n-core supply-data context, emulator/llama-chat at real speed, ${chunks} tokens at 30 ms, median of 5; no goal set): first streamed token after ` +
			`${median(first)} ms; streamed answer complete after ${median(streamed)} ms (the model ran ` +
			`${median(streamModel)} ms); generate() (sync create-and-wait) answers after ` +
			`${median(generated)} ms (the model ran ${median(generateModel)} ms)`,
	);
}
