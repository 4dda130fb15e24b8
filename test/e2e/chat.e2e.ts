// Replicate Chat Model in real n8n. On n8n 2.41.1 (which ships @n8n/ai-node-sdk): Manual Trigger →
// Basic LLM Chain answers from the emulator; a Chat Trigger → AI Agent run streams several chunks;
// a failing model fails the run with a clear error, and mid-stream keeps its text and the error apart.
// On n8n 2.8.4 (no SDK): the chat node is loaded with the others and explains which n8n it needs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { execute, importWorkflow, n8n, start, type Started } from '../../tools/n8n-host';
import { check, fixture, TARGET, type E2EContext } from './run';

const SDK_VERSIONS = ['2.41.1'];

function chainError(r: Awaited<ReturnType<typeof execute>>) {
	const runData = r.run?.data.resultData.runData ?? {};
	return (
		runData['Basic LLM Chain']?.[0]?.error ??
		runData['Replicate Chat Model']?.[0]?.error ??
		r.run?.data.resultData.error
	);
}

/** POSTs a chat message to a streaming Chat Trigger and reads n8n's NDJSON chunks as they come. */
async function chat(url: string, message: string) {
	const started = Date.now();
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ action: 'sendMessage', sessionId: 'e2e-session', chatInput: message }),
	});
	const chunks: Array<{
		type: string;
		content?: string;
		at: number;
		metadata?: { timestamp?: number };
	}> = [];
	if (res.status !== 200)
		return { status: res.status, chunks, totalMs: Date.now() - started, text: await res.text() };
	let buffer = '';
	const decoder = new TextDecoder();
	for await (const piece of res.body as unknown as AsyncIterable<Uint8Array>) {
		buffer += decoder.decode(piece, { stream: true });
		let nl = buffer.indexOf('\n');
		while (nl !== -1) {
			const line = buffer.slice(0, nl).trim();
			buffer = buffer.slice(nl + 1);
			if (line) {
				const parsed = JSON.parse(line) as {
					type: string;
					content?: string;
					metadata?: { timestamp?: number };
				};
				chunks.push({ ...parsed, at: Date.now() - started });
			}
			nl = buffer.indexOf('\n');
		}
	}
	if (buffer.trim())
		chunks.push({ ...(JSON.parse(buffer) as { type: string }), at: Date.now() - started });
	return { status: res.status, chunks, totalMs: Date.now() - started, text: '' };
}

export default async function ({ host, emu, work, scenario }: E2EContext) {
	const exported = readFileSync(join(work, 'nodes.json'), 'utf8');
	await scenario(
		'the chat model node loads with the others (n8n-nodes-replicate.lmChatReplicate)',
		async () => {
			check(
				exported.includes('"name":"n8n-nodes-replicate.lmChatReplicate"'),
				'lmChatReplicate not loaded',
			);
			check(
				exported.includes('"name":"n8n-nodes-replicate.replicateTrigger"'),
				'the trigger is missing',
			);
		},
	);

	if (!SDK_VERSIONS.includes(TARGET.n8n)) {
		await scenario(
			`n8n ${TARGET.n8n} has no AI node SDK: the chat model says which n8n it needs`,
			async () => {
				await importWorkflow(host, work, fixture('chat-chain.workflow.json'));
				const r = await execute(host, 'wfReplChatChain1');
				check(r.code !== 0, 'the run should fail');
				const err = chainError(r);
				check(
					/Replicate Chat Model needs n8n 2\.16 or newer/.test(`${err?.message} ${r.raw}`),
					`error: ${err?.message ?? r.raw.slice(-1000)}`,
				);
				check(
					!emu.requests().some((l) => l.operationId?.includes('predictions.create')),
					'a prediction was created',
				);
			},
		);
		return;
	}

	await scenario(
		'Manual Trigger → Basic LLM Chain with Replicate Chat Model answers from the emulator',
		async () => {
			await importWorkflow(host, work, fixture('chat-chain.workflow.json'));
			const before = emu.store.predictions.size;
			const r = await execute(host, 'wfReplChatChain1');
			check(
				r.code === 0 && r.run?.status === 'success',
				`execution failed: ${chainError(r)?.message ?? r.raw.slice(-1500)}`,
			);
			const out = r.run!.data.resultData.runData['Basic LLM Chain']?.[0]?.data?.main[0]?.[0]?.json;
			check(
				out?.text === 'Echo: What is 2+2? (turns: 1, system: Be brief.)',
				`chain output: ${JSON.stringify(out)}`,
			);
			const runs = [...emu.store.predictions.values()].slice(before);
			check(runs.length === 1, `${runs.length} predictions`);
			const input = runs[0].obj.input as Record<string, unknown>;
			check(
				JSON.stringify(input.messages) ===
					JSON.stringify([
						{ role: 'system', content: 'Be brief.' },
						{ role: 'user', content: 'What is 2+2?' },
					]),
				`messages sent: ${JSON.stringify(input)}`,
			);
			check(
				input.max_completion_tokens === 256 && input.temperature === 0.5,
				`options sent: ${JSON.stringify(input)}`,
			);
			// n8n records the model's token usage on the sub-node's run
			const sub = JSON.stringify(r.run!.data.resultData.runData['Replicate Chat Model'] ?? []);
			const metrics = runs[0].obj.metrics as Record<string, number>;
			check(
				sub.includes(`"completionTokens":${metrics.output_token_count}`),
				`token usage not recorded: ${sub.slice(0, 600)}`,
			);
		},
	);

	await scenario(
		"a failing model fails the chain with the model's error, and no retry",
		async () => {
			await importWorkflow(host, work, fixture('chat-fails.workflow.json'));
			const before = [...emu.store.predictions.values()].filter(
				(p) => p.obj.model === 'emulator/chat-fails',
			).length;
			const r = await execute(host, 'wfReplChatFail01');
			check(r.code !== 0 || r.run?.status === 'error', 'the run should fail');
			const err = chainError(r);
			const text = `${err?.message ?? ''} ${err?.description ?? ''}`;
			check(
				/emulator\/chat-fails failed \(prediction \w+\): CUDA out of memory/.test(text),
				`error: ${text || r.raw.slice(-1500)}`,
			);
			const after = [...emu.store.predictions.values()].filter(
				(p) => p.obj.model === 'emulator/chat-fails',
			).length;
			check(after - before === 1, `${after - before} predictions were created (retried?)`);
		},
	);

	let server: Started | undefined;
	try {
		await scenario('Chat Trigger → AI Agent streams the answer in several chunks', async () => {
			const wf = fixture('chat-stream.workflow.json');
			// Both streaming workflows are published before n8n starts (it registers their webhooks then).
			for (const w of [wf, fixture('chat-stream-fails.workflow.json')]) {
				await importWorkflow(host, work, w);
				const pub = await n8n(host, ['publish:workflow', `--id=${w.id}`]);
				check(pub.code === 0, `publish: ${pub.stderr}`);
			}
			server = await start(host, join(work, 'n8n-chat.log'));
			const webhookId = wf.nodes[0].webhookId as string;
			const url = `http://127.0.0.1:${host.port}/webhook/${webhookId}/chat`;
			// n8n registers a published workflow's webhooks in the background once it is up
			let r = await chat(url, 'Tell me about the sea, in a few words please');
			for (const end = Date.now() + 120_000; r.status === 404 && Date.now() < end;) {
				await new Promise((ok) => setTimeout(ok, 1000));
				r = await chat(url, 'Tell me about the sea, in a few words please');
			}
			check(r.status === 200, `chat answered ${r.status}: ${r.text.slice(0, 300)}`);
			const items = r.chunks.filter((c) => c.type === 'item');
			const text = items.map((c) => c.content ?? '').join('');
			check(
				items.length >= 5,
				`only ${items.length} chunks: ${JSON.stringify(r.chunks).slice(0, 800)}`,
			);
			check(
				text ===
					'Echo: Tell me about the sea, in a few words please (turns: 1, system: You are a terse assistant.)',
				`streamed text: ${text}`,
			);
			// n8n stamps each chunk when the agent sends it: the first must leave well before the last
			const begin = r.chunks.find((c) => c.type === 'begin')?.metadata?.timestamp ?? 0;
			const stamps = items.map((c) => (c.metadata?.timestamp ?? 0) - begin);
			check(
				stamps[stamps.length - 1] > stamps[0],
				`all chunks sent at once: ${JSON.stringify(stamps)}`,
			);
			process.stdout.write(
				`  chat stream: ${items.length} chunks; sent by n8n ${stamps[0]} ms (first) to ${stamps[stamps.length - 1]} ms (last) after "begin"; response closed after ${r.totalMs} ms\n`,
			);
		});
		await scenario(
			'a model failing mid-stream: the chat shows the streamed text, then the error on its own line',
			async () => {
				check(server !== undefined, 'n8n did not start (previous scenario)');
				const wf = fixture('chat-stream-fails.workflow.json');
				const url = `http://127.0.0.1:${host.port}/webhook/${wf.nodes[0].webhookId as string}/chat`;
				let r = await chat(url, 'hi');
				for (const end = Date.now() + 120_000; r.status === 404 && Date.now() < end;) {
					await new Promise((ok) => setTimeout(ok, 1000));
					r = await chat(url, 'hi');
				}
				const shown = JSON.stringify(r.chunks).slice(0, 1500);
				const text = r.chunks
					.filter((c) => c.type === 'item')
					.map((c) => c.content ?? '')
					.join('');
				check(text.startsWith('Let me think'), `streamed text: ${shown}`);
				// n8n's chat shows an error chunk as "Error: <content>" right after the streamed text
				check(/\n$/.test(text), `the error would be glued to the text: ${shown}`);
				check(
					r.chunks.some((c) => c.type === 'error'),
					`no error chunk: ${shown}`,
				);
				// (The error chunk's content is the agent's error description; the chat model's errors
				// start theirs with the line naming the model and the prediction: test/chat/model.test.ts.)
			},
		);
	} finally {
		await server?.stop();
	}
}
