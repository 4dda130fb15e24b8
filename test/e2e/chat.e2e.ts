// Replicate Chat Model in real n8n. On n8n 2.41.1 (which ships @n8n/ai-node-sdk): Manual Trigger →
// Basic LLM Chain answers from the emulator; a Chat Trigger → AI Agent run streams several chunks;
// an agent calls n8n's Calculator and Code tools and the Replicate node as a tool (prompted tool
// calling), one whose model ignores the protocol still answers, an image in the chat reaches a
// vision model; a failing model fails the run with a clear error, and mid-stream keeps its text and
// the error apart. On n8n 2.8.4 (no SDK): the chat node is loaded with the others and explains which
// n8n it needs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { execute, importWorkflow, n8n, start, type Started } from '../../tools/n8n-host';
import { makePng } from '../emulator/png';
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
async function chat(url: string, message: string, file?: Blob) {
	const started = Date.now();
	const fields = { action: 'sendMessage', sessionId: 'e2e-session', chatInput: message };
	let init: RequestInit = {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(fields),
	};
	if (file) {
		// As n8n's chat widget sends files: a multipart form with the message fields and `files`.
		const form = new FormData();
		for (const [k, v] of Object.entries(fields)) form.append(k, v);
		form.append('files', file, 'picture.png');
		init = { method: 'POST', body: form };
	}
	const res = await fetch(url, init);
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
		'the chat model node loads with the others (@n8n-nodes-replicate/n8n-nodes-replicate.lmChatReplicate)',
		async () => {
			check(
				exported.includes('"name":"@n8n-nodes-replicate/n8n-nodes-replicate.lmChatReplicate"'),
				'lmChatReplicate not loaded',
			);
			check(
				exported.includes('"name":"@n8n-nodes-replicate/n8n-nodes-replicate.replicateTrigger"'),
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
	const agents = [
		'chat-stream.workflow.json',
		'chat-agent-tools.workflow.json',
		'chat-agent-ignores.workflow.json',
		'chat-agent-vision.workflow.json',
		'chat-stream-fails.workflow.json',
	].map((f) => fixture(f));
	/** The chat URL of a published workflow, once n8n has registered its webhook. */
	const chatUrl = (wf: (typeof agents)[number]) =>
		`http://127.0.0.1:${host.port}/webhook/${wf.nodes[0].webhookId as string}/chat`;
	async function ask(wf: (typeof agents)[number], message: string, file?: Blob) {
		let r = await chat(chatUrl(wf), message, file);
		for (const end = Date.now() + 120_000; r.status === 404 && Date.now() < end;) {
			await new Promise((ok) => setTimeout(ok, 1000));
			r = await chat(chatUrl(wf), message, file);
		}
		check(r.status === 200, `chat answered ${r.status}: ${r.text.slice(0, 300)}`);
		const items = r.chunks.filter((c) => c.type === 'item');
		return { ...r, items, answer: items.map((c) => c.content ?? '').join('') };
	}
	const runsOf = (model: string) =>
		[...emu.store.predictions.values()].filter((p) => p.obj.model === model);
	try {
		await scenario('Chat Trigger → AI Agent streams the answer in several chunks', async () => {
			for (const wf of agents) {
				await importWorkflow(host, work, wf);
				const pub = await n8n(host, ['publish:workflow', `--id=${wf.id}`]);
				check(pub.code === 0, `publish ${wf.id}: ${pub.stderr}`);
			}
			server = await start(host, join(work, 'n8n-chat.log'));
			const r = await ask(agents[0], 'Tell me about the sea, in a few words please');
			const { items, answer: text } = r;
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
			"AI Agent with n8n's Calculator and Code tools: the model calls both in one step, gets their results and answers with them, streamed",
			async () => {
				check(!!server, 'n8n is not running');
				const before = runsOf('emulator/agent-messages').length;
				const r = await ask(agents[1], 'calculator: 6*7\nCode_Tool: hello');
				check(
					r.answer === 'The result is 42; len=5.',
					`answer: ${r.answer} (chunks ${JSON.stringify(r.chunks).slice(0, 1500)})`,
				);
				check(r.items.length >= 3, `answer came in ${r.items.length} chunks`);
				const runs = runsOf('emulator/agent-messages').slice(before);
				check(runs.length === 2, `${runs.length} predictions for two model turns`);
				const first = JSON.stringify(runs[0].obj.input);
				check(
					first.includes('## Tools') &&
						first.includes('- Calculator:') &&
						first.includes('- Code_Tool:'),
					`tools not described: ${first.slice(0, 800)}`,
				);
				const second = (runs[1].obj.input as { messages: Array<{ content: string }> }).messages;
				check(
					second.at(-1)?.content === 'Tool results:\n[Calculator] 42\n[Code_Tool] len=5',
					`results sent back: ${JSON.stringify(second.at(-1))}`,
				);
			},
		);

		await scenario(
			'AI Agent uses the Replicate node as a tool: Prediction → Run on an image model with the prompt it chose ($fromAI), and cites the file URL',
			async () => {
				check(!!server, 'n8n is not running');
				const before = runsOf('emulator/flux-lite').length;
				const r = await ask(agents[1], 'Make_Image: a red cube on a beach');
				const runs = runsOf('emulator/flux-lite').slice(before);
				check(runs.length === 1, `${runs.length} image predictions`);
				check(
					(runs[0].obj.input as { prompt?: string }).prompt === 'a red cube on a beach',
					`image input: ${JSON.stringify(runs[0].obj.input)}`,
				);
				const url = ((runs[0].obj.output as string[]) ?? [])[0] ?? '(none)';
				check(
					r.answer.startsWith('The result is ') && r.answer.includes(url),
					`answer: ${r.answer.slice(0, 800)}`,
				);
				check(!r.answer.includes('"data":'), 'the tool passed binary data on');
			},
		);

		await scenario(
			'AI Agent whose model ignores the tool protocol still answers in text, streamed',
			async () => {
				check(!!server, 'n8n is not running');
				const r = await ask(agents[2], 'calculator: 1+1');
				check(r.answer.startsWith('Echo: calculator: 1+1'), `answer: ${r.answer.slice(0, 400)}`);
				check(r.items.length >= 3, `answer came in ${r.items.length} chunks`);
			},
		);

		await scenario("an image sent in the chat reaches the vision model's image input", async () => {
			check(!!server, 'n8n is not running');
			const png = makePng(8, 6, 3);
			const before = runsOf('emulator/vision-chat').length;
			const r = await ask(agents[3], 'What is this?', new Blob([png], { type: 'image/png' }));
			const runs = runsOf('emulator/vision-chat').slice(before);
			check(
				runs.length === 1,
				`${runs.length} vision predictions; answer ${r.answer.slice(0, 300)}`,
			);
			const image = String((runs[0].obj.input as { image?: string }).image ?? '');
			check(
				image === `data:image/png;base64,${png.toString('base64')}`,
				`image input: ${image.slice(0, 120)}`,
			);
			check(
				r.answer.startsWith(`I see a 8x6 image/png image of ${png.length} bytes (data-uri).`),
				`answer: ${r.answer.slice(0, 300)}`,
			);
		});

		await scenario(
			'a model failing mid-stream: the chat shows the streamed text, then the error on its own line, naming the model and the prediction',
			async () => {
				check(!!server, 'n8n is not running');
				const r = await ask(agents[4], 'hi');
				const shown = JSON.stringify(r.chunks).slice(0, 1500);
				check(r.answer.startsWith('Let me think'), `streamed text: ${shown}`);
				// n8n's chat shows an error chunk as "Error: <content>" right after the streamed text
				check(/\n$/.test(r.answer), `the error would be glued to the text: ${shown}`);
				// n8n sends the agent's error description; the chat model's starts with the line naming
				// the model and the prediction
				const error = r.chunks.find((c) => c.type === 'error')?.content ?? '';
				check(
					/^emulator\/chat-fails failed \(prediction \w+\): CUDA out of memory/.test(error),
					`error chunk: ${shown}`,
				);
			},
		);
	} finally {
		await server?.stop();
	}
}
