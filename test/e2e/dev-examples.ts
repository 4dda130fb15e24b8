// `npm run test:dev`: what `npm run dev` gives a fresh clone, checked. n8n (the newest tested, or
// $E2E_N8N) loads the package as `npm run dev` does (dist/ linked) with dev's credential, imports
// every workflow of examples/ unchanged and runs each on the emulator: the two manual ones with
// `n8n execute`, the Replicate Trigger by a signed delivery to its production URL, the chat by a message
// to its Chat Trigger. Then an AI Agent whose Replicate Chat Model fails must fail with the model's own
// error text (a second n8n-workflow beside n8n's turns it into "NodeOperationError").
// Ports: $E2E_PORT_BASE + 17 and + 19 (the demo's).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { startEmulator } from '../emulator';
import {
	apiKey,
	DEV_CREDENTIAL,
	devHost,
	ensureN8n,
	execute,
	importWorkflow,
	n8n,
	N8N_MATRIX,
	N8N_NEWEST,
	PACKAGE_ROOT,
	portBase,
	start,
	type Started,
	workDir,
} from '../../tools/n8n-host';
import { check, listExecutions, until } from './api';

type Workflow = {
	id: string;
	name: string;
	nodes: Array<{
		name: string;
		type: string;
		webhookId?: string;
		parameters: Record<string, unknown>;
	}>;
};

const results: string[] = [];
let failed = 0;
async function step(name: string, fn: () => Promise<void>) {
	try {
		await fn();
		results.push(`PASS ${name}`);
	} catch (e) {
		failed++;
		results.push(`FAIL ${name}: ${(e as Error).message}`);
	}
	process.stdout.write(`${results[results.length - 1]}\n`);
}

async function main() {
	const target = N8N_MATRIX.find((t) => t.n8n === process.env.E2E_N8N) ?? N8N_NEWEST;
	execFileSync('npm', ['run', '--silent', 'build'], { cwd: PACKAGE_ROOT, stdio: 'inherit' });
	ensureN8n(target);
	const emu = await startEmulator({ rateLimits: false, speed: 5 });
	const work = workDir(`dev-${target.n8n}`);
	const { host, examples: imported } = await devHost(
		work,
		{ target, port: portBase() + 17, brokerPort: portBase() + 19 },
		{ apiToken: emu.token, baseUrl: emu.baseUrl, webhookSecret: emu.options.webhookSecret },
	);
	const examples = imported.map((e) => e.workflow as unknown as Workflow);
	const byNode = (type: string) =>
		examples.find((w) => w.nodes.some((n) => n.type.endsWith(type)))!;
	const manual = examples.filter((w) => w.nodes.some((n) => n.type.endsWith('.manualTrigger')));
	const hasSdk = target !== N8N_MATRIX[0];
	process.stdout.write(`n8n ${target.n8n}, ${examples.length} examples\n`);

	for (const wf of manual) {
		await step(`"${wf.name}" runs as imported`, async () => {
			const r = await execute(host, wf.id);
			const err = r.run?.data.resultData.error;
			check(r.run?.status === 'success', `${err?.message ?? r.raw.slice(-1500)}`);
		});
	}

	if (hasSdk) {
		await step('an AI Agent whose Replicate Chat Model fails shows the model error', async () => {
			const agent: Workflow & Record<string, unknown> = {
				id: 'wfDevAgentFails1',
				name: 'dev check: agent with a failing chat model',
				active: false,
				settings: { executionOrder: 'v1' },
				nodes: [
					{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', parameters: {} },
					{
						name: 'AI Agent',
						type: '@n8n/n8n-nodes-langchain.agent',
						parameters: { promptType: 'define', text: 'Hello?', options: {} },
					},
					{
						name: 'Replicate Chat Model',
						type: '@n8n-nodes-replicate/n8n-nodes-replicate.lmChatReplicate',
						parameters: {
							source: 'model',
							model: { __rl: true, mode: 'id', value: 'emulator/chat-fails' },
						},
					},
				].map((n, i) => ({
					...n,
					id: `d0000000-0000-4000-8000-00000000000${i + 1}`,
					typeVersion: { Start: 1, 'AI Agent': 3.1, 'Replicate Chat Model': 1 }[n.name],
					position: [i * 220, i === 2 ? 200 : 0],
					...(n.name === 'Replicate Chat Model'
						? { credentials: { replicateApi: DEV_CREDENTIAL } }
						: {}),
				})),
				connections: {
					Start: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
					'Replicate Chat Model': {
						ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]],
					},
				},
			};
			await importWorkflow(host, work, agent);
			const r = await execute(host, agent.id);
			const data = r.run?.data.resultData;
			const err = data?.runData['AI Agent']?.[0]?.error ?? data?.error;
			// what the editor shows: the error's message and description, not a nested cause
			const text = `${err?.message ?? ''} ${err?.description ?? ''}`;
			check(r.run?.status === 'error' || r.code !== 0, 'the run should fail');
			check(
				/emulator\/chat-fails failed \(prediction \w+\): CUDA out of memory/.test(text),
				`the model's error is lost: ${text.slice(0, 1500) || r.raw.slice(-1500)}`,
			);
		});
	}

	const trigger = byNode('.replicateTrigger');
	const chats = examples.filter((w) => w.nodes.some((n) => n.type.endsWith('.chatTrigger')));
	// the smallest chat example (a chat model and memory) is the base of the failing-model check
	const chat = [...chats].sort((a, b) => a.nodes.length - b.nodes.length)[0];
	// the chat example with a model that fails: the chat must show the model's error text
	const chatFails = JSON.parse(JSON.stringify(chat)) as Workflow;
	chatFails.id = 'wfDevChatFails01';
	chatFails.name = 'dev check: chat with a failing model';
	for (const n of chatFails.nodes) {
		if (n.webhookId) n.webhookId = 'dev-check-chat-fails';
		if (n.type.endsWith('.lmChatReplicate'))
			n.parameters.model = { __rl: true, mode: 'id', value: 'emulator/chat-fails' };
	}
	if (hasSdk) await importWorkflow(host, work, chatFails);
	const live = hasSdk ? [trigger, ...chats, chatFails] : [trigger];
	let server: Started | undefined;
	try {
		for (const wf of live) {
			const r = await n8n(host, ['publish:workflow', `--id=${wf.id}`]);
			check(r.code === 0, `publish ${wf.id}: ${r.stderr}`);
		}
		server = await start(host, join(work, 'n8n.log'));
		const base = `http://127.0.0.1:${host.port}`;
		const key = await apiKey(host);
		await step(`"${trigger.name}" runs on a signed delivery`, async () => {
			const node = trigger.nodes.find((n) => n.type.endsWith('.replicateTrigger'))!;
			const url = `${base}/webhook/${node.webhookId}/webhook`;
			const res = await fetch(`${emu.baseUrl}/models/black-forest-labs/flux-schnell/predictions`, {
				method: 'POST',
				headers: { authorization: `Bearer ${emu.token}`, 'content-type': 'application/json' },
				body: JSON.stringify({ input: { prompt: 'dev check' }, webhook: url }),
			});
			check(res.status < 300, `create: ${res.status}`);
			await until(
				async () =>
					(await listExecutions(base, key, trigger.id)).find((e) => e.status === 'success'),
				60_000,
			);
		});
		if (hasSdk) {
			for (const wf of chats)
				await step(`"${wf.name}" answers a chat message`, async () => {
					const node = wf.nodes.find((n) => n.type.endsWith('.chatTrigger'))!;
					const url = `${base}/webhook/${node.webhookId}/chat`;
					const answer = await until(
						async () => {
							const res = await fetch(url, {
								method: 'POST',
								headers: { 'content-type': 'application/json' },
								body: JSON.stringify({
									action: 'sendMessage',
									sessionId: 'dev',
									chatInput: 'Hi there',
								}),
							});
							return res.status === 200 ? await res.text() : undefined;
						},
						60_000,
						1000,
					);
					// n8n streams NDJSON chunks of the answer
					const text = answer
						.split('\n')
						.filter((l) => l.trim())
						.map((l) => JSON.parse(l) as { type: string; content?: string })
						.filter((c) => c.type === 'item')
						.map((c) => c.content ?? '')
						.join('');
					check(text.trim().length > 0, `no answer: ${answer.slice(0, 800)}`);
				});
			await step('a chat whose model fails shows the model error', async () => {
				const url = `${base}/webhook/dev-check-chat-fails/chat`;
				const answer = await until(
					async () => {
						const res = await fetch(url, {
							method: 'POST',
							headers: { 'content-type': 'application/json' },
							body: JSON.stringify({ action: 'sendMessage', sessionId: 'dev', chatInput: 'Hi' }),
						});
						return res.status !== 404 ? await res.text() : undefined;
					},
					60_000,
					1000,
				);
				// n8n ends the stream without the error; the execution keeps it, as the editor shows it
				const failedRun = await until(
					async () =>
						(await listExecutions(base, key, chatFails.id)).find((e) => e.status === 'error'),
					60_000,
				);
				const shown = JSON.stringify(
					(failedRun.data?.resultData as { error?: unknown } | undefined)?.error ??
						failedRun.data?.resultData.runData['AI Agent'],
				);
				check(
					/emulator\/chat-fails failed \(prediction \w+\): CUDA out of memory/.test(shown),
					`the execution's error: ${shown.slice(0, 1500)} (stream: ${answer.slice(0, 300)})`,
				);
			});
		}
	} finally {
		await server?.stop();
		await emu.stop();
	}
	process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
	process.exit(failed ? 1 : 0);
}

void main();
