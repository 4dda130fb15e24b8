// npm run test:queue: n8n in queue mode on one machine, with our packed package in every process's
// user folder: its own Redis and PostgreSQL (test/queue/services.ts), a main process, two workers and
// one webhook processor sharing one database, binary data in `database` mode (n8n's default for queue
// mode). Checks concurrent webhook-started runs across both workers, the Replicate Trigger behind the
// webhook processor, stopping executions from main, and Wait for Webhook resuming on another worker.
// Prints the figures, a closing "N passed, N failed" line, and exits non-zero on failure. Everything
// it starts is stopped by PID; the whole run is bounded by QUEUE_TIMEOUT_S (default 900 s).
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { signWebhook, startEmulator, type Emulator } from '../emulator';
import {
	createHost,
	ensureN8n,
	importCredentials,
	n8n,
	N8N_OLDEST,
	ownerSession,
	PACKAGE_ROOT,
	portBase,
	start,
	transcripts,
	type Host,
	type Started,
	workDir,
} from '../../tools/n8n-host';
import { startPostgres, startRedis, type Service } from './services';
import { check, listExecutions } from '../e2e/api';
import { runParams } from '../helpers/params';
import type { IDataObject } from 'n8n-workflow';

const TARGET = N8N_OLDEST;
const RUNS = Number(process.env.QUEUE_RUNS ?? 20);
const WORK = workDir('queue');
const CRED = { id: 'replCredQueue001', name: 'Replicate (emulator)' };
const results: Array<{ name: string; ok: boolean; note?: string }> = [];
const figures: string[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const say = (s: string) => process.stdout.write(`${s}\n`);

async function scenario(name: string, fn: () => Promise<string | void>) {
	const t = Date.now();
	try {
		const note = await fn();
		results.push({ name, ok: true, note: note ?? undefined });
		say(`PASS ${name} (${Date.now() - t} ms)${note ? `\n     ${note}` : ''}`);
	} catch (e) {
		results.push({ name, ok: false });
		say(`FAIL ${name}: ${(e as Error).message}`);
	}
}

async function waitFor<T>(
	what: string,
	fn: () => Promise<T | undefined>,
	ms = 120_000,
): Promise<T> {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
		await sleep(300);
	}
}

const node = (
	id: string,
	name: string,
	type: string,
	position: number,
	parameters: Record<string, unknown>,
	extra: Record<string, unknown> = {},
) => ({
	id: `7a1f0c7e-00${id}-4000-8000-00000000000${position}`,
	name,
	type,
	typeVersion: type.endsWith('.webhook') ? 2 : 1,
	position: [position * 220, 0],
	parameters,
	...extra,
});
const webhookNode = (id: string, path: string) =>
	node(
		id,
		'Start',
		'n8n-nodes-base.webhook',
		0,
		{ httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
		{ webhookId: `queue-${path}` },
	);
const runNode = (id: string, model: string, fields: IDataObject, options: IDataObject = {}) =>
	node(
		id,
		'Run',
		'@n8n-nodes-replicate/n8n-nodes-replicate.replicate',
		1,
		runParams(model, fields, options),
		{
			credentials: { replicateApi: CRED },
		},
	);
const workflow = (id: string, name: string, nodes: unknown[]) => ({
	id,
	name,
	active: false,
	settings: { executionOrder: 'v1' },
	nodes,
	connections: { Start: { main: [[{ node: 'Run', type: 'main', index: 0 }]] } },
});

const WF = {
	// 20 of these at once: an image model whose PNG is downloaded into binary data (database mode)
	batch: workflow('wfQueueBatch0001', 'Queue: image per webhook call', [
		webhookNode('21', 'queue-batch'),
		runNode('21', 'emulator/flux-lite', {
			prompt: "={{ 'queue run ' + $json.body.n }}",
			num_outputs: 1,
		}),
	]),
	// long enough (60 s emulated at speed 1; 12 s here) to be stopped mid-run
	stop: workflow('wfQueueStop00001', 'Queue: long run to stop', [
		webhookNode('22', 'queue-stop'),
		runNode(
			'22',
			'emulator/sdxl-lite',
			{ prompt: '={{ $json.body.tag }}', num_outputs: 1, duration_ms: 300000 },
			{ syncWait: 1, timeout: 600 },
		),
	]),
	wait: workflow('wfQueueWait00001', 'Queue: Run in Wait for Webhook mode', [
		webhookNode('23', 'queue-wait'),
		runNode(
			'23',
			'emulator/sdxl-lite',
			{ prompt: 'a slow render', num_outputs: 1, duration_ms: 60000 },
			{ syncWait: 1, timeout: 600 },
		),
	]),
	trigger: JSON.parse(
		readFileSync(join(PACKAGE_ROOT, 'test', 'e2e', 'fixtures', 'trigger.workflow.json'), 'utf8'),
	) as { id: string; nodes: Array<{ credentials: Record<string, unknown> }> },
};
(WF.wait.nodes[1] as { parameters: Record<string, unknown> }).parameters.waitMode = 'webhook';
WF.trigger.nodes[0].credentials = { replicateApi: CRED };

async function main() {
	const t0 = Date.now();
	const limit = Number(process.env.QUEUE_TIMEOUT_S ?? 900);
	// bounded: on timeout, exit (the exit handlers SIGKILL every process group we started)
	setTimeout(() => {
		say(`queue e2e: over its ${limit} s limit, stopping everything\n0 passed, 1 failed`);
		process.exit(1);
	}, limit * 1000);
	ensureN8n(TARGET);
	const base = portBase() + 20;
	const port = {
		redis: base,
		pg: base + 1,
		main: base + 2,
		mainBroker: base + 3,
		webhook: base + 4,
		webhookBroker: base + 5,
		w1: base + 6,
		w1Broker: base + 7,
		w2: base + 8,
		w2Broker: base + 9,
	};
	const data = mkdtempSync(join(tmpdir(), 'replicate-queue-'));
	chmodSync(data, 0o755);
	const services: Service[] = [];
	const procs: Record<string, Started> = {};
	let emu: Emulator | undefined;
	try {
		services.push(await startRedis(join(data, 'redis'), port.redis));
		services.push(await startPostgres(join(data, 'pg'), port.pg));
		say(
			`Redis :${port.redis} and PostgreSQL :${port.pg} up in ${((Date.now() - t0) / 1000).toFixed(1)} s (data in ${data})`,
		);
		emu = await startEmulator({ speed: 5, rateLimits: false });
		const webhookBase = `http://127.0.0.1:${port.webhook}`;
		const mainBase = `http://127.0.0.1:${port.main}`;
		const queueEnv = {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(port.redis),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(port.pg),
			DB_POSTGRESDB_DATABASE: 'n8n',
			DB_POSTGRESDB_USER: 'n8n',
			DB_POSTGRESDB_PASSWORD: '',
			// production webhooks and resume calls go to the webhook processor
			WEBHOOK_URL: `${webhookBase}/`,
			N8N_LOG_LEVEL: 'info',
			// n8n 3.0's behaviour (the variable's only value there): manual executions run on workers
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		};
		const host = (name: string, p: number, broker: number): Host =>
			createHost(join(WORK, name), {
				target: TARGET,
				port: p,
				brokerPort: broker,
				binaryMode: 'database',
				env: queueEnv,
			});
		const hosts = {
			main: host('main', port.main, port.mainBroker),
			w1: host('worker-1', port.w1, port.w1Broker),
			w2: host('worker-2', port.w2, port.w2Broker),
			webhook: host('webhook', port.webhook, port.webhookBroker),
		};

		await importCredentials(hosts.main, WORK, [
			{
				...CRED,
				type: 'replicateApi',
				data: {
					apiToken: emu.token,
					baseUrl: emu.baseUrl,
					webhookSecret: emu.options.webhookSecret,
				},
			},
		]);
		// one import for all (each n8n CLI call costs seconds), then publish each
		const wfDir = join(WORK, 'workflows');
		mkdirSync(wfDir, { recursive: true });
		for (const wf of [WF.batch, WF.stop, WF.wait, WF.trigger])
			writeFileSync(join(wfDir, `${wf.id}.json`), JSON.stringify(wf));
		const imported = await n8n(hosts.main, ['import:workflow', '--separate', `--input=${wfDir}`]);
		check(imported.code === 0, `import:workflow: ${imported.stderr || imported.stdout}`);
		for (const wf of [WF.batch, WF.stop, WF.wait, WF.trigger]) {
			const r = await n8n(hosts.main, ['publish:workflow', `--id=${wf.id}`]);
			check(r.code === 0, `publish ${wf.id}: ${r.stderr}`);
		}
		const t1 = Date.now();
		procs.main = await start(hosts.main, join(WORK, 'main.log'));
		const [w1, w2, webhook] = await Promise.all([
			start(hosts.w1, join(WORK, 'worker-1.log'), {
				command: 'worker',
				args: ['--concurrency=10'],
			}),
			start(hosts.w2, join(WORK, 'worker-2.log'), {
				command: 'worker',
				args: ['--concurrency=10'],
			}),
			start(hosts.webhook, join(WORK, 'webhook.log'), { command: 'webhook' }),
		]);
		Object.assign(procs, { w1, w2, webhook });
		say(
			`n8n ${TARGET.n8n} main :${port.main}, webhook processor :${port.webhook}, 2 workers ready in ${((Date.now() - t1) / 1000).toFixed(1)} s`,
		);
		const { cookie, key } = await ownerSession(mainBase);
		const executions = (workflowId: string) => listExecutions(mainBase, key, workflowId);
		const editorExecutions = async (
			workflowId: string,
		): Promise<Array<{ id: string; status: string }>> => {
			const filter = encodeURIComponent(JSON.stringify({ workflowId }));
			const res = await fetch(`${mainBase}/rest/executions?filter=${filter}&limit=100`, {
				headers: { cookie },
			});
			const body = (await res.json()) as {
				data?: { results?: Array<{ id: string; status: string }> };
			};
			if (!Array.isArray(body.data?.results))
				throw new Error(`editor executions answered ${res.status}`);
			return body.data.results;
		};
		const workerOf = (executionId: string): Array<'worker-1' | 'worker-2'> => {
			const line = new RegExp(`Worker started execution ${executionId} \\(`, 'g');
			return [
				...(w1.output().match(line) ?? []).map(() => 'worker-1' as const),
				...(w2.output().match(line) ?? []).map(() => 'worker-2' as const),
			];
		};
		const predictionsFor = (predicate: (input: Record<string, unknown>) => boolean) =>
			[...emu!.store.predictions.values()].filter((p) =>
				predicate((p.obj.input ?? {}) as Record<string, unknown>),
			);

		await scenario(
			`${RUNS} concurrent webhook-started runs through the webhook processor land on both workers, with the PNG in database binary mode`,
			async () => {
				const answers = await Promise.all(
					Array.from({ length: RUNS }, (_, n) =>
						fetch(`${webhookBase}/webhook/queue-batch`, {
							method: 'POST',
							headers: { 'content-type': 'application/json' },
							body: JSON.stringify({ n }),
						}),
					),
				);
				check(
					answers.every((a) => a.status === 200),
					`webhook answers ${answers.map((a) => a.status).join(',')}`,
				);
				const done = await waitFor(
					`${RUNS} successful executions`,
					async () => {
						const list = await executions(WF.batch.id);
						const failed = list.filter((e) => ['error', 'crashed', 'canceled'].includes(e.status));
						if (failed.length)
							throw new Error(
								`executions failed: ${failed.map((e) => `${e.id}:${e.status}`).join(', ')}`,
							);
						return list.filter((e) => e.status === 'success').length >= RUNS ? list : undefined;
					},
					240_000,
				);
				check(done.length === RUNS, `expected ${RUNS} executions, got ${done.length}`);
				const perWorker = { 'worker-1': 0, 'worker-2': 0 };
				for (const e of done) {
					const w = workerOf(e.id);
					check(w.length === 1, `execution ${e.id} ran on ${w.length} workers: ${w.join(',')}`);
					perWorker[w[0]]++;
				}
				check(
					perWorker['worker-1'] > 0 && perWorker['worker-2'] > 0,
					`all on one worker: ${JSON.stringify(perWorker)}`,
				);
				// every PNG: stored by a worker in the database, read back through main, equal to the model's file
				const prompts = new Set<string>();
				for (const e of done) {
					const item = e.data!.resultData.runData.Run[0].data!.main[0][0];
					const bin = item.binary?.data;
					const binId = bin?.id ?? '';
					check(
						binId.startsWith('database:') && bin?.mimeType === 'image/png',
						`execution ${e.id} binary ${JSON.stringify(bin)}`,
					);
					const stored = await fetch(
						`${mainBase}/rest/binary-data?id=${encodeURIComponent(binId)}&action=download`,
						{ headers: { cookie } },
					);
					check(stored.status === 200, `binary ${binId} answered ${stored.status}`);
					const original = await fetch((item.json.output as string[])[0]);
					check(
						md5(Buffer.from(await stored.arrayBuffer())) ===
							md5(Buffer.from(await original.arrayBuffer())),
						`execution ${e.id}: stored bytes differ from the model's output`,
					);
					prompts.add(String((item.json.input as { prompt: string }).prompt));
				}
				check(prompts.size === RUNS, `${prompts.size} distinct predictions for ${RUNS} runs`);
				figures.push(
					`concurrent runs: ${RUNS} webhook calls -> ${done.length} executions, worker-1 ${perWorker['worker-1']}, worker-2 ${perWorker['worker-2']}; ${RUNS} PNGs in database mode read back through main, md5 equal`,
				);
				return `worker-1 ran ${perWorker['worker-1']}, worker-2 ran ${perWorker['worker-2']}`;
			},
		);

		const triggerUrl = `${webhookBase}/webhook/e2e-replicate-trigger/webhook`;
		await scenario(
			'the Replicate Trigger behind the webhook processor runs once per signed delivery; a repeated delivery id runs nothing',
			async () => {
				const ids: string[] = [];
				for (const prompt of ['queue trigger one', 'queue trigger two', 'queue trigger three']) {
					const res = await fetch(`${emu!.baseUrl}/models/emulator/flux-lite/predictions`, {
						method: 'POST',
						headers: { authorization: `Bearer ${emu!.token}`, 'content-type': 'application/json' },
						body: JSON.stringify({
							input: { prompt, num_outputs: 1 },
							webhook: triggerUrl,
							webhook_events_filter: ['start', 'completed'],
						}),
					});
					ids.push(((await res.json()) as { id: string }).id);
				}
				const deliveries = () => emu!.store.webhookDeliveries.filter((d) => ids.includes(d.runId));
				await waitFor(
					'3 completed deliveries',
					async () =>
						deliveries().filter((d) => d.event === 'completed' && d.status === 200).length >= 3
							? true
							: undefined,
					60_000,
				);
				const runs = await waitFor(
					'3 trigger executions',
					async () => {
						const list = (await executions(WF.trigger.id)).filter((e) => e.status === 'success');
						return list.length >= 3 ? list : undefined;
					},
					90_000,
				);
				await sleep(2000); // a stray extra execution would show up now
				const all = await executions(WF.trigger.id);
				const accepted = deliveries().filter((d) => d.status === 200);
				const completed = accepted.filter((d) => d.event === 'completed');
				check(
					all.length === completed.length,
					`${completed.length} completed deliveries, ${all.length} executions`,
				);
				const seen = runs.map(
					(e) => e.data!.resultData.runData['Replicate Trigger'][0].data!.main[0][0].json.id,
				);
				check(
					ids.every((id) => seen.includes(id)),
					'the executions do not carry the three predictions',
				);
				// the same signed delivery twice (Replicate retries with the same webhook-id): one execution
				const prediction = emu!.store.predictions.get(ids[0])!.view();
				const body = JSON.stringify(prediction);
				const send = (url: string, id: string) => {
					const ts = Math.floor(Date.now() / 1000);
					return fetch(url, {
						method: 'POST',
						headers: {
							'content-type': 'application/json',
							'webhook-id': id,
							'webhook-timestamp': String(ts),
							'webhook-signature': signWebhook(emu!.options.webhookSecret, id, ts, body),
						},
						body,
					});
				};
				const before = all.length;
				const first = await send(triggerUrl, 'msg_queue_repeat_1');
				const second = await send(triggerUrl, 'msg_queue_repeat_1');
				check(
					first.status === 200 && second.status === 200,
					`repeat statuses ${first.status} ${second.status}`,
				);
				await waitFor(
					"the repeated delivery's execution",
					async () => ((await executions(WF.trigger.id)).length > before ? true : undefined),
					60_000,
				);
				await sleep(2000);
				const afterRepeat = (await executions(WF.trigger.id)).length;
				check(
					afterRepeat === before + 1,
					`a delivery sent twice to the webhook processor started ${afterRepeat - before} executions`,
				);
				// best effort, reported only: the same delivery at the same moment to two processes
				const [a, b] = await Promise.all([
					send(triggerUrl, 'msg_queue_race_1'),
					send(`${mainBase}/webhook/e2e-replicate-trigger/webhook`, 'msg_queue_race_1'),
				]);
				await sleep(4000);
				const raced = (await executions(WF.trigger.id)).length - afterRepeat;
				const workers = runs.flatMap((e) => workerOf(e.id));
				figures.push(
					`trigger via webhook processor: ${accepted.length} signed deliveries accepted (${completed.length} completed events, ${accepted.length - completed.length} start events filtered) -> ${all.length} executions (${workers.filter((w) => w === 'worker-1').length} on worker-1, ${workers.filter((w) => w === 'worker-2').length} on worker-2); the same delivery id twice -> 1 execution; the same delivery at once to the webhook processor and main (statuses ${a.status}/${b.status}) -> ${raced} execution(s) (dedupe across processes is best effort)`,
				);
				return `${completed.length} completed deliveries -> ${all.length} executions; repeated id -> 1; simultaneous to two processes -> ${raced}`;
			},
		);

		const stopVia = async (label: string, url: string) => {
			const tag = `queue stop via ${label} ${Date.now()}`;
			const before = new Set((await editorExecutions(WF.stop.id)).map((e) => e.id));
			const res = await fetch(`${url}/webhook/queue-stop`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ tag }),
			});
			check(res.status === 200, `start webhook answered ${res.status}`);
			const pred = await waitFor(
				'the prediction to run',
				async () => predictionsFor((i) => i.prompt === tag).find((p) => p.status === 'processing'),
				60_000,
			);
			// the editor's list (the public API leaves out executions active in main itself)
			const exec = await waitFor(
				'the running execution',
				async () =>
					(await editorExecutions(WF.stop.id)).find(
						(e) => !before.has(e.id) && e.status === 'running',
					),
				30_000,
			);
			const stop = await fetch(`${mainBase}/rest/executions/${exec.id}/stop`, {
				method: 'POST',
				headers: { cookie, 'content-type': 'application/json' },
				body: '{}',
			});
			check(
				stop.status === 200,
				`main's stop answered ${stop.status}: ${(await stop.text()).slice(0, 300)}`,
			);
			const end = Date.now() + 20_000;
			while (pred.status === 'processing' && Date.now() < end) await sleep(300);
			const cancels = emu!
				.requests('predictions.cancel')
				.filter((l) => l.path.includes(String(pred.obj.id)));
			return {
				exec,
				pred,
				canceled: pred.status === 'canceled' && cancels.length > 0,
				workers: workerOf(exec.id),
			};
		};

		await scenario(
			'stopping from main an execution main queued: the worker gets the stop and cancels the prediction',
			async () => {
				const r = await stopVia('main', mainBase);
				check(r.workers.length === 1, `ran on ${r.workers.join(',') || 'no worker'}`);
				check(
					r.canceled,
					`the prediction is ${r.pred.status} (no cancel request reached the emulator)`,
				);
				const final = await waitFor(
					'the execution to end',
					async () =>
						(await executions(WF.stop.id)).find(
							(e) => e.id === r.exec.id && e.status !== 'running',
						),
					30_000,
				);
				figures.push(
					`stop from main, execution queued by main: delivered to ${r.workers[0]}, prediction canceled (execution ${final.status})`,
				);
				return `execution ${r.exec.id} on ${r.workers[0]} -> ${final.status}; prediction ${r.pred.status}`;
			},
		);

		await scenario(
			'stopping from main an execution the webhook processor queued (n8n-io/n8n#25165): reported, the prediction ends either way',
			async () => {
				const r = await stopVia('webhook processor', webhookBase);
				check(r.workers.length === 1, `ran on ${r.workers.join(',') || 'no worker'}`);
				const status = (await executions(WF.stop.id)).find((e) => e.id === r.exec.id)?.status;
				let note: string;
				if (r.canceled) {
					note = `n8n delivered the stop: prediction canceled (execution ${status})`;
				} else {
					note = `n8n did not deliver the stop to ${r.workers[0]} (n8n-io/n8n#25165): prediction still ${r.pred.status} 20 s later, execution ${status} in main's list; canceled on Replicate by hand now`;
					await fetch(`${emu!.baseUrl}/predictions/${String(r.pred.obj.id)}/cancel`, {
						method: 'POST',
						headers: { authorization: `Bearer ${emu!.token}` },
					});
				}
				await waitFor(
					'the prediction to end',
					async () => (r.pred.terminal ? true : undefined),
					30_000,
				);
				figures.push(`stop from main, execution queued by the webhook processor: ${note}`);
				return note;
			},
		);

		await scenario(
			"Wait for Webhook: suspended on one worker, that worker stopped, resumed on the other by Replicate's signed call",
			async () => {
				const before = new Set((await executions(WF.wait.id)).map((e) => e.id));
				const res = await fetch(`${webhookBase}/webhook/queue-wait`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: '{}',
				});
				check(res.status === 200, `start webhook answered ${res.status}`);
				const waiting = await waitFor(
					'a waiting execution',
					async () =>
						(await executions(WF.wait.id)).find((e) => !before.has(e.id) && e.status === 'waiting'),
					60_000,
				);
				const first = workerOf(waiting.id);
				check(first.length === 1, `suspended by ${first.join(',') || 'no worker'}`);
				const pred = predictionsFor((i) => i.prompt === 'a slow render').find((p) =>
					String(p.obj.webhook ?? '').includes(`/webhook-waiting/${waiting.id}/`),
				);
				check(
					pred && !pred.terminal,
					`no running prediction with this execution's resume URL (${pred?.status})`,
				);
				check(
					String(pred.obj.webhook).startsWith(`${webhookBase}/webhook-waiting/`),
					`resume URL ${String(pred.obj.webhook)} is not on the webhook processor`,
				);
				// the worker that suspended it goes away; only the other can resume it
				const suspendedOn = first[0] === 'worker-1' ? w1 : w2;
				await suspendedOn.stop();
				const done = await waitFor(
					'the resumed execution to finish',
					async () => {
						const e = (await executions(WF.wait.id)).find((x) => x.id === waiting.id);
						if (e && ['error', 'crashed', 'canceled'].includes(e.status))
							throw new Error(`execution ended ${e.status}`);
						return e?.status === 'success' ? e : undefined;
					},
					120_000,
				).catch((e: Error) => {
					const d = emu!.store.webhookDeliveries
						.filter((x) => x.runId === pred.obj.id)
						.map((x) => [x.event, x.status, x.error]);
					throw new Error(`${e.message}; resume deliveries ${JSON.stringify(d)}`);
				});
				const all = workerOf(waiting.id);
				const resumedOn = all.find((w) => w !== first[0]);
				check(resumedOn, `the execution ran only on ${all.join(',')}`);
				const deliveries = emu!.store.webhookDeliveries.filter((d) => d.runId === pred.obj.id);
				check(
					deliveries.some((d) => d.status === 200),
					`resume deliveries ${JSON.stringify(deliveries.map((d) => d.status))}`,
				);
				const out = done.data!.resultData.runData.Run.at(-1)!.data!.main[0][0];
				check(
					out.json.status === 'succeeded' &&
						out.json.id === pred.obj.id &&
						out.binary?.data?.id?.startsWith('database:'),
					`output ${JSON.stringify(out.json).slice(0, 200)}`,
				);
				figures.push(
					`Wait for Webhook: suspended on ${first[0]} (then stopped), resumed by the signed call via the webhook processor (deliveries ${deliveries.map((d) => d.status).join(',')}) and finished on ${resumedOn}`,
				);
				return `suspended on ${first[0]}, resumed on ${resumedOn}`;
			},
		);

		await scenario('the API token appears in no output of any n8n process', async () => {
			for (const p of Object.values(procs)) p.output(); // the live logs; stopped ones are in transcripts
			const texts = [...transcripts, ...Object.values(procs).map((p) => p.output())];
			const hits = texts.filter((t) => t.includes(emu!.token)).length;
			check(hits === 0, `the token appears in ${hits} transcript(s)`);
		});
	} catch (e) {
		results.push({ name: 'queue-mode stack', ok: false });
		say(`FAIL queue-mode stack: ${(e as Error).stack}`);
	} finally {
		const t2 = Date.now();
		await Promise.all(Object.values(procs).map((p) => p.stop()));
		const running = emu ? [...emu.store.predictions.values()].filter((p) => !p.terminal).length : 0;
		await emu?.stop();
		for (const s of services.reverse()) await s.stop();
		rmSync(data, { recursive: true, force: true });
		say(
			`torn down in ${((Date.now() - t2) / 1000).toFixed(1)} s (n8n, emulator, PostgreSQL, Redis; data folder removed)`,
		);
		if (running) {
			results.push({ name: 'no prediction left running', ok: false });
			say(`FAIL ${running} prediction(s) were still running at teardown`);
		}
	}
	say('\n=== queue-mode figures');
	for (const f of figures) say(`- ${f}`);
	const passed = results.filter((r) => r.ok).length;
	say(
		`\nqueue e2e (n8n ${TARGET.n8n}) finished in ${((Date.now() - t0) / 1000).toFixed(1)} s\n${passed} passed, ${results.length - passed} failed`,
	);
	process.exit(results.length && passed === results.length ? 0 : 1);
}

void main();
