// Issue 12 in a real n8n 2.8.4, on its own instance (port 5790, so it never meets the other e2e
// files' instance): n8n's Retry On Fail makes one prediction per item and repeats only what failed;
// concurrent and repeated trigger deliveries start one execution per webhook-id; a worker that goes
// away mid-poll leaves nothing running past the Cancel-After the node sends by default.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { signWebhook } from '../emulator';

import {
	apiKey,
	createHost,
	execute,
	importCredentials,
	importWorkflow,
	n8n,
	N8N_DIR,
	nodeItems,
	PACKAGE_ROOT,
	transcripts,
	type Host,
	type Started,
} from '../../tools/n8n-host';
import { check, type E2EContext } from './run';
import { listExecutions } from './api';

const PORT = 5790;

/**
 * `n8n start` like tools/n8n-host's start(), but it waits up to 5 minutes for n8n to be ready (a
 * loaded machine takes longer than 90 s) and stops the process itself when n8n never gets there.
 */
async function startN8n(host: Host, logFile: string, ms = 300_000): Promise<Started> {
	const out: string[] = [];
	const proc = spawn(join(N8N_DIR, 'node_modules', '.bin', 'n8n'), ['start'], {
		env: { ...host.env, N8N_LOG_FORMAT: 'text' },
		cwd: PACKAGE_ROOT,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const onData = (b: Buffer) => {
		out.push(b.toString());
		writeFileSync(logFile, out.join(''));
	};
	proc.stdout?.on('data', onData);
	proc.stderr?.on('data', onData);
	const exited = new Promise<void>((r) => proc.once('exit', () => r()));
	const stop = async () => {
		transcripts.push(out.join(''));
		if (proc.exitCode !== null || proc.signalCode !== null) return;
		proc.kill('SIGTERM');
		const kill = setTimeout(() => proc.kill('SIGKILL'), 30_000);
		await exited;
		clearTimeout(kill);
	};
	const deadline = Date.now() + ms;
	while (!out.join('').includes('Editor is now accessible via')) {
		if (proc.exitCode !== null)
			throw new Error(`n8n start exited with ${proc.exitCode}:\n${out.join('').slice(-3000)}`);
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`n8n did not become ready:\n${out.join('').slice(-3000)}`);
		}
		await new Promise((r) => setTimeout(r, 200));
	}
	return { proc, logFile, output: () => out.join(''), stop };
}
const CRED = {
	replicateApi: { id: 'replCredRel00001', name: 'Replicate (emulator, reliability)' },
};

const runNodeJson = (
	name: string,
	parameters: Record<string, unknown>,
	extra: Record<string, unknown> = {},
) => ({
	id: `7a1f0c7e-0012-4000-8000-0000000000${name === 'Run' ? '02' : '03'}`,
	name,
	type: '@n8n-nodes-replicate/n8n-nodes-replicate.replicate',
	typeVersion: 1,
	position: [220, 0],
	parameters,
	credentials: CRED,
	...extra,
});

// Five items without a Code node (its task runner is slow to start on a loaded machine): the
// emulator's hardware list, cut to five by n8n's Limit node.
const hardware = {
	id: '7a1f0c7e-0012-4000-8000-000000000004',
	name: 'Hardware',
	type: '@n8n-nodes-replicate/n8n-nodes-replicate.replicate',
	typeVersion: 1,
	position: [-110, 0],
	parameters: { resource: 'hardware', operation: 'getMany' },
	credentials: CRED,
};
const fiveItems = {
	id: '7a1f0c7e-0012-4000-8000-000000000001',
	name: 'Five Items',
	type: 'n8n-nodes-base.limit',
	typeVersion: 1,
	position: [0, 0],
	parameters: { maxItems: 5 },
};

function retryWorkflow() {
	return {
		id: 'wfReplRetryOnF01',
		name: 'E2E: Retry On Fail',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: '7a1f0c7e-0012-4000-8000-000000000000',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [-220, 0],
				parameters: {},
			},
			hardware,
			fiveItems,
			runNodeJson(
				'Run',
				{
					resource: 'prediction',
					operation: 'run',
					runTarget: 'model',
					model: { __rl: true, mode: 'id', value: 'emulator/flux-lite' },
					version: { __rl: true, mode: 'list', value: '' },
					inputMode: 'fields',
					inputFields: {
						mappingMode: 'defineBelow',
						value: { prompt: '={{ "on " + $json.sku }}', num_outputs: 1 },
					},
					options: { download: false },
				},
				{ retryOnFail: true, maxTries: 3, waitBetweenTries: 100 },
			),
		],
		connections: {
			Start: { main: [[{ node: 'Hardware', type: 'main', index: 0 }]] },
			Hardware: { main: [[{ node: 'Five Items', type: 'main', index: 0 }]] },
			'Five Items': { main: [[{ node: 'Run', type: 'main', index: 0 }]] },
		},
	};
}

const triggerWorkflow = {
	id: 'wfReplRelTrig001',
	name: 'E2E: trigger dedupe',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{
			id: '7a1f0c7e-0012-4000-8000-000000000010',
			name: 'Replicate Trigger',
			type: '@n8n-nodes-replicate/n8n-nodes-replicate.replicateTrigger',
			typeVersion: 1,
			position: [0, 0],
			webhookId: 'e2e-reliability-trigger',
			parameters: {
				events: ['completed'],
				statuses: ['succeeded', 'failed', 'canceled', 'aborted'],
				options: { download: true },
			},
			credentials: CRED,
		},
	],
	connections: {},
};

const longRunWorkflow = {
	id: 'wfReplRelLong001',
	name: 'E2E: a long run whose worker goes away',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{
			id: '7a1f0c7e-0012-4000-8000-000000000020',
			name: 'Start',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: 'e2e-reliability-long',
			parameters: {
				httpMethod: 'POST',
				path: 'e2e-reliability-long',
				responseMode: 'onReceived',
				options: {},
			},
		},
		runNodeJson('Long Run', {
			resource: 'prediction',
			operation: 'run',
			runTarget: 'model',
			model: { __rl: true, mode: 'id', value: 'emulator/sleep' },
			version: { __rl: true, mode: 'list', value: '' },
			inputMode: 'fields',
			inputFields: { mappingMode: 'defineBelow', value: { seconds: 3600 } },
			options: { syncWait: 1, timeout: 20 },
		}),
	],
	connections: { Start: { main: [[{ node: 'Long Run', type: 'main', index: 0 }]] } },
};

export default async function ({ emu, work, scenario }: E2EContext) {
	const dir = join(work, 'reliability');
	const host = createHost(dir, { port: PORT, brokerPort: PORT + 2 });
	await importCredentials(host, dir, [
		{
			id: CRED.replicateApi.id,
			name: CRED.replicateApi.name,
			type: 'replicateApi',
			data: { apiToken: emu.token, baseUrl: emu.baseUrl, webhookSecret: emu.options.webhookSecret },
		},
	]);
	const predictionsCreated = () => emu.store.predictions.size;
	const createRequests = () =>
		emu.requests().filter((l) => /predictions\.create$/.test(l.operationId ?? '')).length;

	await scenario('Retry On Fail with no fault: 5 items make 5 predictions (not 15)', async () => {
		await importWorkflow(host, dir, retryWorkflow());
		const before = predictionsCreated();
		const r = await execute(host, 'wfReplRetryOnF01');
		check(
			r.code === 0 && r.run?.status === 'success',
			`execution failed: ${r.run?.data.resultData.error?.message ?? r.raw.slice(-1500)}`,
		);
		const items = nodeItems(r, 'Run');
		check(
			items.length === 5 &&
				items.every((i) => i.json.status === 'succeeded' && !('error' in i.json)),
			`items: ${JSON.stringify(items.map((i) => [i.json.status, i.json.error]))}`,
		);
		const made = predictionsCreated() - before;
		process.stdout.write(`  Retry On Fail, no fault: ${made} predictions for 5 items\n`);
		check(made === 5, `${made} predictions for 5 items`);
	});

	await scenario(
		'Retry On Fail repeats only the failed item: one create answered 500 → 5 predictions, 6 create requests',
		async () => {
			const before = predictionsCreated();
			const requestsBefore = createRequests();
			emu.addFault({ method: 'POST', path: /\/predictions$/, nth: 3, status: 500 });
			const r = await execute(host, 'wfReplRetryOnF01');
			emu.clearFaults();
			check(
				r.code === 0 && r.run?.status === 'success',
				`execution failed: ${r.run?.data.resultData.error?.message ?? r.raw.slice(-1500)}`,
			);
			check(nodeItems(r, 'Run').length === 5, 'not 5 items');
			const made = predictionsCreated() - before;
			const requests = createRequests() - requestsBefore;
			process.stdout.write(
				`  Retry On Fail, one failed create: ${made} predictions, ${requests} create requests\n`,
			);
			check(made === 5 && requests === 6, `${made} predictions, ${requests} create requests`);
		},
	);

	let server: Started | undefined;
	try {
		await scenario(
			'n8n starts with the reliability trigger and long-run workflows published',
			async () => {
				await importWorkflow(host, dir, triggerWorkflow);
				await importWorkflow(host, dir, longRunWorkflow);
				for (const id of [triggerWorkflow.id, longRunWorkflow.id]) {
					const p = await n8n(host, ['publish:workflow', `--id=${id}`]);
					check(p.code === 0, `publish ${id}: ${p.stderr}`);
				}
				server = await startN8n(host, join(dir, 'n8n-start.log'));
			},
		);
		if (!server) return;
		const base = `http://127.0.0.1:${PORT}`;
		const key = await apiKey(host);
		const executions = (workflowId: string) => listExecutions(base, key, workflowId);
		const settle = async (workflowId: string, expected: number, ms = 30_000) => {
			const end = Date.now() + ms;
			let list = await executions(workflowId);
			while (
				list.filter((e) => e.status !== 'running' && e.status !== 'new').length < expected &&
				Date.now() < end
			) {
				await new Promise((r) => setTimeout(r, 300));
				list = await executions(workflowId);
			}
			await new Promise((r) => setTimeout(r, 2000)); // any stray extra execution shows up now
			return await executions(workflowId);
		};
		const triggerUrl = `${base}/webhook/e2e-reliability-trigger/webhook`;
		const deliver = (id: string, body: string) => {
			const ts = Math.floor(Date.now() / 1000);
			return fetch(triggerUrl, {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					'webhook-id': id,
					'webhook-timestamp': String(ts),
					'webhook-signature': signWebhook(emu.options.webhookSecret, id, ts, body),
				},
				body,
			});
		};
		/** Finished predictions with an output file, made without a webhook; their bodies are delivered by hand. */
		const finished = async (n: number) => {
			const ids: string[] = [];
			for (let k = 0; k < n; k++) {
				const res = await fetch(`${emu.baseUrl}/models/emulator/flux-lite/predictions`, {
					method: 'POST',
					headers: {
						authorization: `Bearer ${emu.token}`,
						'content-type': 'application/json',
						prefer: 'wait=10',
					},
					body: JSON.stringify({ input: { prompt: `p${k}`, num_outputs: 1 } }),
				});
				ids.push(((await res.json()) as { id: string }).id);
			}
			for (const id of ids)
				while (emu.store.predictions.get(id)?.status !== 'succeeded')
					await new Promise((r) => setTimeout(r, 50));
			return await Promise.all(
				ids.map(async (id) =>
					JSON.stringify(
						await (
							await fetch(`${emu.baseUrl}/predictions/${id}`, {
								headers: { authorization: `Bearer ${emu.token}` },
							})
						).json(),
					),
				),
			);
		};

		await scenario(
			'10 deliveries at once, each sent 3 times concurrently, then all 10 replayed: one execution per webhook-id',
			async () => {
				const bodies = await finished(10);
				const ids = bodies.map((_, k) => `msg_rel_${Date.now().toString(36)}_${k}`);
				const first = await Promise.all(
					ids.flatMap((id, k) => [
						deliver(id, bodies[k]),
						deliver(id, bodies[k]),
						deliver(id, bodies[k]),
					]),
				);
				check(
					first.every((r) => r.status === 200),
					`statuses ${first.map((r) => r.status).join(',')}`,
				);
				await settle(triggerWorkflow.id, 10);
				const replay = await Promise.all(ids.map((id, k) => deliver(id, bodies[k])));
				check(
					replay.every((r) => r.status === 200),
					`replay statuses ${replay.map((r) => r.status).join(',')}`,
				);
				const all = await settle(triggerWorkflow.id, 10);
				const perPrediction = new Map<string, number>();
				for (const e of all) {
					const id = String(
						e.data?.resultData.runData['Replicate Trigger']?.[0]?.data?.main[0][0]?.json.id,
					);
					perPrediction.set(id, (perPrediction.get(id) ?? 0) + 1);
				}
				process.stdout.write(
					`  40 deliveries of 10 webhook-ids: ${all.length} executions; per webhook-id ${JSON.stringify([...new Set(perPrediction.values())])}\n`,
				);
				check(
					all.length === 10 && [...perPrediction.values()].every((c) => c === 1),
					`${all.length} executions: ${JSON.stringify([...perPrediction])}`,
				);
			},
		);

		await scenario(
			'a retry sent 1 s after the first delivery, while it still downloads, starts nothing',
			async () => {
				const before = (await executions(triggerWorkflow.id)).length;
				const [body] = await finished(1);
				emu.addFault({ method: 'GET', path: /^\/d\//, latencyMs: 3000, times: 1 });
				const id = `msg_rel_slow_${Date.now().toString(36)}`;
				const first = deliver(id, body);
				await new Promise((r) => setTimeout(r, 1000));
				const retry = await deliver(id, body);
				const answeredWhileDownloading = emu.log.some(
					(l) => l.server === 'cdn' && l.fault && l.status === 0,
				);
				check(
					retry.status === 200 && answeredWhileDownloading,
					`retry answered ${retry.status}; first still downloading: ${answeredWhileDownloading}`,
				);
				check((await first).status === 200, 'first delivery failed');
				emu.clearFaults();
				const all = await settle(triggerWorkflow.id, before + 1);
				check(
					all.length === before + 1,
					`${all.length - before} executions for one delivery and its retry`,
				);
			},
		);

		await scenario(
			'a worker that goes away mid-poll leaves no prediction running past its Cancel-After (sent by default)',
			async () => {
				const res = await fetch(`${base}/webhook/e2e-reliability-long`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: '{}',
				});
				check(res.status === 200, `start webhook answered ${res.status}`);
				const find = () =>
					[...emu.store.predictions.values()].find(
						(p) =>
							p.obj.model === 'emulator/sleep' &&
							(p.obj.input as { seconds?: number })?.seconds === 3600 &&
							!p.terminal,
					);
				const end = Date.now() + 30_000;
				while (
					!(
						find() &&
						emu.requests('predictions.get').some((l) => l.path.endsWith(String(find()!.obj.id)))
					) &&
					Date.now() < end
				)
					await new Promise((r) => setTimeout(r, 100));
				const run = find();
				check(run, 'the long run never started polling');
				const deadline = run.obj.deadline as string | undefined;
				check(deadline, 'the prediction was created without a Cancel-After deadline');
				// n8n goes away without a chance to cancel anything (like a killed worker); its task runner
				// children are ended too (they are this test's processes).
				const proc = server!.proc;
				const children = (() => {
					try {
						return execFileSync('pgrep', ['-P', String(proc.pid)])
							.toString()
							.split('\n')
							.filter(Boolean)
							.map(Number);
					} catch {
						return [];
					}
				})();
				const exited = new Promise((r) => proc.once('exit', r));
				proc.kill('SIGKILL');
				await exited;
				for (const pid of children) {
					try {
						process.kill(pid, 'SIGTERM');
					} catch {
						/* already gone */
					}
				}
				transcripts.push(readFileSync(server!.logFile, 'utf8'));
				server = undefined;
				const model =
					((Date.parse(deadline) - Date.parse(String(run.obj.created_at))) * emu.options.speed) /
					1000;
				const until = Date.parse(deadline) + 5000;
				while (!run.terminal && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
				process.stdout.write(
					`  killed worker: Cancel-After ${model} s (Timeout 20 s + 60 s), prediction ${run.status} ${Math.max(0, Date.now() - Date.parse(deadline))} ms after its deadline\n`,
				);
				check(run.status === 'canceled', `the prediction is ${run.status} after its deadline`);
			},
		);
	} finally {
		await server?.stop();
	}
}
