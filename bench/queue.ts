// Many workers, one token (issue 26): n8n in queue mode (main and two workers, each running one
// execution at a time, sharing PostgreSQL and Redis as in test/queue) with the emulator's rate limits
// on, time-scaled as the scale bench. Two executions of 1,000 items each, started at once, so each
// worker runs one and both draw from the same budget of 600 creates a minute. Run twice: with the
// emulator sending `ratelimit-remaining`/`ratelimit-reset` (which the node uses to share the budget)
// and without them (each worker paces at the full limit). Prints, per case: wall time against the
// limit-bound ideal, requests answered 429, and whether anything was created twice. Figures only.
//
// n8n's ports: E2E_PORT_BASE + 40 to + 47. Run alone: `npx tsx bench/queue.ts` (after `npm run build`).
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runParams } from '../test/helpers/params';
import { startPostgres, startRedis, type Service } from '../test/queue/services';
import { verdict, webhookChain } from './lib';
import { post, scaleInstalledNode } from './scale';
import { startEmulator, type Emulator, type LogEntry, type RateLimit } from '../test/emulator';
import {
	createHost,
	ensureN8n,
	importCredentials,
	importWorkflow,
	n8n,
	N8N_OLDEST,
	PACKAGE_ROOT,
	portBase,
	start,
	type Started,
	PACKAGE_NAME,
} from '../tools/n8n-host';

const MINUTE = 60_000;
const SPEED = 2;
const ITEMS = 1000;
const MODEL_SECONDS = 2;
const LIMIT = 600;
const TAGS = ['A', 'B'];

function workflow() {
	return webhookChain({
		id: 'benchQueueWf00001',
		name: 'bench queue',
		path: 'bench-queue',
		responseData: 'noData',
		settings: { saveDataSuccessExecution: 'none', saveManualExecutions: false },
		nodes: [
			{
				name: 'Items',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				parameters: {
					jsCode: `const { items, tag } = $input.first().json.body;\nreturn Array.from({ length: items }, (_, i) => ({ json: { label: tag + '-' + i } }));`,
				},
			},
			{
				name: 'Replicate',
				type: '@n8n-nodes-replicate/n8n-nodes-replicate.replicate',
				typeVersion: 1.1,
				credentials: { replicateApi: { id: 'benchQueueCred01', name: 'Replicate (bench)' } },
				parameters: runParams(
					'emulator/sleep',
					{ seconds: MODEL_SECONDS, label: '={{ $json.label }}' },
					{ download: false, timeout: 300 },
				),
			},
		],
	});
}

const limit = (headers: boolean): RateLimit => ({
	limit: LIMIT,
	windowMs: MINUTE / SPEED,
	retryAfterScale: SPEED,
	headers,
});

async function measure(
	emu: Emulator,
	url: string,
	headers: boolean,
	record: (line: string) => void,
) {
	emu.options.rateLimits = { create: limit(headers), other: { ...limit(headers), limit: 3000 } };
	// The windows of earlier runs end, and so do the workers' reports and slowed paces.
	await new Promise((r) => setTimeout(r, MINUTE / SPEED + 500));
	const from = emu.log.length;
	const known = new Set(emu.store.predictions.keys());
	const t = Date.now();
	const statuses = await Promise.all(TAGS.map((tag) => post(url, { items: ITEMS, tag })));
	const wall = Date.now() - t;
	const log = emu.log.slice(from).filter((l: LogEntry) => l.server === 'api');
	const creates = log.filter((l) => /predictions\.create$/.test(l.operationId ?? ''));
	const refused = log.filter((l) => l.status === 429);
	const made = [...emu.store.predictions.entries()].filter(([id]) => !known.has(id));
	const labels = new Set(made.map(([, p]) => String((p.obj.input as { label?: unknown }).label)));
	const succeeded = made.filter(([, p]) => p.obj.status === 'succeeded').length;
	const total = ITEMS * TAGS.length;
	const ideal =
		(((total - 1) / LIMIT) * MINUTE + MODEL_SECONDS * 1000 + emu.options.startupMs) / SPEED;
	const label = `queue mode (real n8n ${N8N_OLDEST.n8n}, main + 2 workers, one token): 2 executions of ${ITEMS} items of a ${MODEL_SECONDS} s model at once, time-scaled ×${SPEED}, rate limits on, rate-limit headers ${headers ? 'sent' : 'not sent'}`;
	const ratio = wall / ideal;
	const twice = made.length - labels.size;
	record(
		`${label}: ${((wall * SPEED) / 1000).toFixed(1)} s model time vs the limit-bound ideal ${((ideal * SPEED) / 1000).toFixed(1)} s (creates at ${LIMIT}/min + one run); ratio ${ratio.toFixed(3)} — goal ≤ 1.05: ${verdict(ratio <= 1.05)}; webhooks answered ${statuses.join(', ')}`,
	);
	// Creates the emulator accepted in each minute of model time since the start.
	const perMinute: number[] = [];
	for (const l of creates.filter((c) => c.status < 300)) {
		const m = Math.floor(((l.at - t) * SPEED) / MINUTE);
		perMinute[m] = (perMinute[m] ?? 0) + 1;
	}
	const when = refused.map((l) => `${(((l.at - t) * SPEED) / 1000).toFixed(1)} s`).join(', ');
	record(
		`${label}: ${refused.length} requests answered 429 (${refused.filter((l) => creates.includes(l)).length} creates${when ? `, at ${when} model time` : ''}) — goal ${headers ? 'at most one per worker (≤ 2)' : 'none set without the headers'}${headers ? `: ${verdict(refused.length <= 2)}` : ''}; ${creates.length} creates, ${made.length} predictions for ${labels.size} distinct items (${twice} created twice — goal 0: ${verdict(twice === 0 && labels.size === total)}), ${succeeded} succeeded; creates accepted per minute of model time: ${Array.from(perMinute, (n) => n ?? 0).join(', ')}`,
	);
}

/** Runs the queue-mode case with and without the rate-limit headers; prints the figures. */
export async function queueBench(opts: { record?: (line: string) => void } = {}): Promise<void> {
	const record = opts.record ?? ((line: string) => process.stdout.write(`${line}\n`));
	if (!existsSync(join(PACKAGE_ROOT, 'dist', 'nodes', 'Replicate', 'Replicate.node.js')))
		throw new Error('no build (npm run build)');
	ensureN8n(N8N_OLDEST);
	const base = portBase() + 40;
	const data = mkdtempSync(join(tmpdir(), 'n8n-replicate-bench-queue-'));
	chmodSync(data, 0o755); // PostgreSQL runs as its own user and must reach its folder
	const services: Service[] = [];
	const procs: Started[] = [];
	let emu: Emulator | undefined;
	try {
		services.push(await startRedis(join(data, 'redis'), base));
		services.push(await startPostgres(join(data, 'pg'), base + 1));
		emu = await startEmulator({ speed: SPEED, rateLimits: false });
		const env = {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(base),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(base + 1),
			DB_POSTGRESDB_DATABASE: 'n8n',
			DB_POSTGRESDB_USER: 'n8n',
			DB_POSTGRESDB_PASSWORD: '',
			N8N_LOG_LEVEL: 'info', // n8n-host waits for the ready lines logged at info
		};
		const host = (name: string, port: number) => {
			const h = createHost(join(data, name), {
				target: N8N_OLDEST,
				port,
				brokerPort: port + 1,
				binaryMode: 'database',
				env,
			});
			scaleInstalledNode(join(h.userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME), SPEED);
			return h;
		};
		const main = host('main', base + 2);
		const workers = [host('worker-1', base + 4), host('worker-2', base + 6)];
		await importCredentials(main, data, [
			{
				id: 'benchQueueCred01',
				name: 'Replicate (bench)',
				type: 'replicateApi',
				data: { apiToken: emu.token, baseUrl: emu.baseUrl },
			},
		]);
		const wf = workflow();
		await importWorkflow(main, data, wf);
		const pub = await n8n(main, ['publish:workflow', `--id=${wf.id}`]);
		if (pub.code !== 0) throw new Error(`publish:workflow failed: ${pub.stderr || pub.stdout}`);
		procs.push(await start(main, join(data, 'main.log')));
		// One execution at a time per worker: the two executions run on the two workers.
		for (const [i, w] of workers.entries())
			procs.push(
				await start(w, join(data, `worker-${i + 1}.log`), {
					command: 'worker',
					args: ['--concurrency=1'],
				}),
			);
		const url = `http://127.0.0.1:${base + 2}/webhook/bench-queue`;
		for (let tries = 0; ; tries++) {
			const status = await post(url, { items: 1, tag: 'probe' });
			if (status === 200) break;
			if (tries > 150) throw new Error(`the bench webhook answered ${status}`);
			await new Promise((r) => setTimeout(r, 200));
		}
		// Warm both workers (JIT, the node's modules, the model's schema).
		await Promise.all(TAGS.map((tag) => post(url, { items: 20, tag: `warm${tag}` })));
		for (const headers of [true, false]) await measure(emu, url, headers, record);
	} finally {
		for (const p of procs.reverse()) await p.stop();
		await emu?.stop();
		for (const s of services.reverse()) await s.stop();
		rmSync(data, { recursive: true, force: true });
	}
}

if (require.main === module) {
	void queueBench().then(
		() => process.exit(0),
		(e) => {
			process.stdout.write(`queue: failed: ${(e as Error).message}\n`);
			process.exit(1);
		},
	);
}
