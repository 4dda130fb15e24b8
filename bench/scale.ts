// Scale in a real n8n (issue 15): 1,000 items of a 2 s model and of a 60 s model through one
// Replicate node (Prediction → Run), against the emulator with Replicate's rate limits on (600
// creates and 3000 other requests a minute). Prints, per case: wall time against the limit-bound
// ideal (creates at the rate limit + one model run), requests answered 429, growth of the n8n
// process's RSS, and request counts. Figures only; nothing is asserted.
//
// Time is scaled by each case's speed so a case takes a minute or two, not several, and everything
// is scaled alike: the emulator runs models that much faster (its Prefer: wait hold too), its
// rate-limit windows are a minute / speed (its retry_after in model time), and the node's waits
// (timings.scale: poll intervals, Retry-After, the pace of its rate limits) are divided by the speed
// in the copy of the package this n8n loads (the shipped package has no switch for this).
//
// `scaleBench({ packageRoot })` runs the built package (dist/) of another checkout, e.g. main's for
// before/after figures. n8n listens on E2E_PORT_BASE + 30 and + 32 (its task broker); the emulator
// on ports the system picks. Everything it writes goes to one temporary folder, removed at the end.
// Run alone: `npx tsx bench/scale.ts [packageRoot] [items]` (after `npm run build`).
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runParams } from '../test/helpers/params';
import { rss, verdict, webhookChain } from './lib';
import { Emulator, type LogEntry } from '../test/emulator';
import {
	createHost,
	ensureN8n,
	importCredentials,
	importWorkflow,
	n8n,
	PACKAGE_ROOT,
	portBase,
	start,
	type Started,
	PACKAGE_NAME,
} from '../tools/n8n-host';

export interface ScaleCase {
	/** The model's run time in seconds (model time). */
	seconds: number;
	items: number;
	/** Model time runs this many times faster than wall time. */
	speed: number;
}

export interface ScaleOptions {
	/** A checkout whose dist/ is benchmarked (default: this one). */
	packageRoot?: string;
	cases?: ScaleCase[];
	/** Receives each printed line (default: stdout). */
	record?: (line: string) => void;
}

const MINUTE = 60_000;
const LIMITS = { create: 600, other: 3000 };
const MiB = 1024 * 1024;

export const DEFAULT_CASES: ScaleCase[] = [
	// ×2, not more: the node's own work per item and n8n's event-loop lag are not scaled, so at ×5
	// they weigh five times over against the scaled minute (measured: ratios 1.27–1.43 at ×5 against
	// 1.13–1.18 at ×2 on the same loaded machine).
	{ seconds: 2, items: 1000, speed: 2 },
	{ seconds: 60, items: 1000, speed: 2 },
];

function workflow(id: string, path: string, typeVersion: number, c: ScaleCase) {
	return webhookChain({
		id,
		name: `bench scale ${path}`,
		path,
		responseData: 'noData',
		settings: { saveDataSuccessExecution: 'none', saveManualExecutions: false },
		nodes: [
			{
				name: 'Items',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				parameters: {
					jsCode: `const n = $input.first().json.body.items;\nreturn Array.from({ length: n }, (_, i) => ({ json: { i } }));`,
				},
			},
			{
				name: 'Replicate',
				type: '@n8n-nodes-replicate/n8n-nodes-replicate.replicate',
				typeVersion,
				credentials: { replicateApi: { id: 'benchScaleCred01', name: 'Replicate (bench)' } },
				// The timeout is model time too: 10 minutes of it.
				parameters: runParams(
					'emulator/sleep',
					{ seconds: c.seconds },
					{ download: false, timeout: Math.max(60, Math.ceil(600 / c.speed)) },
				),
			},
		],
	});
}

/** The node's waits divided by `speed` in the installed copy (timings.scale in transport/timings.js). */
export function scaleInstalledNode(nodesDir: string, speed: number) {
	const file = join(nodesDir, 'dist', 'nodes', 'common', 'transport', 'timings.js');
	const src = readFileSync(file, 'utf8');
	const patched = src.replace(/(\n\s*scale:\s*)1,/, `$1${1 / speed},`);
	if (patched === src) throw new Error(`timings.scale not found in ${file}`);
	writeFileSync(file, patched);
}

/** POSTs JSON to a workflow's webhook and waits for its answer (its status). */
export async function post(url: string, body: unknown): Promise<number> {
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(30 * MINUTE),
	});
	await res.text();
	return res.status;
}

async function runCase(
	c: ScaleCase,
	root: string,
	work: string,
	record: (line: string) => void,
): Promise<void> {
	const emu = await new Emulator({
		speed: c.speed,
		rateLimits: {
			create: { limit: LIMITS.create, windowMs: MINUTE / c.speed, retryAfterScale: c.speed },
			other: { limit: LIMITS.other, windowMs: MINUTE / c.speed, retryAfterScale: c.speed },
		},
	}).start();
	let server: Started | undefined;
	const dir = join(work, `case-${c.seconds}s`);
	try {
		const port = portBase() + 30;
		const host = createHost(dir, { port, brokerPort: port + 2 });
		const nodesDir = join(host.userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
		if (root !== PACKAGE_ROOT) {
			rmSync(join(nodesDir, 'dist'), { recursive: true, force: true });
			cpSync(join(root, 'dist'), join(nodesDir, 'dist'), { recursive: true });
		}
		scaleInstalledNode(nodesDir, c.speed);
		const nodeJs = readFileSync(
			join(nodesDir, 'dist', 'nodes', 'Replicate', 'Replicate.node.js'),
			'utf8',
		);
		// The newest node version the package has (1.1 paces by the rate limits; main has only 1).
		const typeVersion = /version:\s*\[1,\s*1\.1\]/.test(nodeJs) ? 1.1 : 1;
		await importCredentials(host, dir, [
			{
				id: 'benchScaleCred01',
				name: 'Replicate (bench)',
				type: 'replicateApi',
				data: { apiToken: emu.token, baseUrl: emu.baseUrl },
			},
		]);
		const path = `bench-scale-${c.seconds}s`;
		const wf = workflow('benchScaleWf0001', path, typeVersion, c);
		await importWorkflow(host, dir, wf);
		const pub = await n8n(host, ['publish:workflow', `--id=${wf.id}`]);
		if (pub.code !== 0) throw new Error(`publish:workflow failed: ${pub.stderr || pub.stdout}`);
		server = await start(host, join(dir, 'n8n.log'));
		const url = `http://127.0.0.1:${port}/webhook/${path}`;
		// n8n registers a published workflow's webhooks in the background once it is up.
		for (let tries = 0; ; tries++) {
			const status = await post(url, { items: 3 });
			if (status === 200) break;
			if (tries > 100) throw new Error(`the bench webhook answered ${status}`);
			await new Promise((r) => setTimeout(r, 200));
		}
		// Warm: JIT, the node's modules, the emulator's model.
		await post(url, { items: 20 });
		// Rate-limit windows of the warm-up runs end before the measured run starts.
		await new Promise((r) => setTimeout(r, MINUTE / c.speed + 100));
		const pid = server.proc.pid!;
		const base = rss(pid);
		let peak = base;
		const sampler = setInterval(() => (peak = Math.max(peak, rss(pid))), 50);
		const from = emu.log.length;
		const known = new Set(emu.store.predictions.keys());
		const t = Date.now();
		const status = await post(url, { items: c.items });
		const wall = Date.now() - t;
		clearInterval(sampler);
		const log = emu.log.slice(from).filter((l: LogEntry) => l.server === 'api');
		const isCreate = (l: LogEntry) => /predictions\.create$/.test(l.operationId ?? '');
		const creates = log.filter(isCreate);
		const created = creates.filter((l) => l.status < 300).length;
		const polls = log.filter((l) => l.operationId === 'predictions.get').length;
		const refused = log.filter((l) => l.status === 429);
		const throttled = refused.length;
		// Where the first 429 fell: model seconds after the start, and the creates the emulator had
		// accepted in the window before it (its limit is LIMITS.create).
		const first = refused[0];
		const firstAt = first
			? ` (the first ${(((first.at - t) * c.speed) / 1000).toFixed(1)} s in, after ${
					log.filter(
						(l) =>
							isCreate(l) &&
							l.status < 300 &&
							l.at <= first.at &&
							first.at - l.at < MINUTE / c.speed,
					).length
				} accepted creates in its window)`
			: '';
		const succeeded = [...emu.store.predictions.entries()].filter(
			([id, p]) => !known.has(id) && p.obj.status === 'succeeded',
		).length;
		// The ideal: every create at the rate limit (the first at once), then one model run.
		const ideal =
			(((c.items - 1) / LIMITS.create) * MINUTE + c.seconds * 1000 + emu.options.startupMs) /
			c.speed;
		const label = `scale (real n8n ${host.target.n8n}, node v${typeVersion}${root === PACKAGE_ROOT ? '' : `, ${root}`}): ${c.items} items of a ${c.seconds} s model, time-scaled ×${c.speed}, rate limits on`;
		record(
			`${label}: ${((wall * c.speed) / 1000).toFixed(1)} s model time (${(wall / 1000).toFixed(1)} s wall) vs the limit-bound ideal ${((ideal * c.speed) / 1000).toFixed(1)} s (creates at ${LIMITS.create}/min + one run); ratio ${(wall / ideal).toFixed(2)} — goal ≤ 1.2: ${verdict(wall / ideal <= 1.2)}; webhook answered ${status}`,
		);
		record(
			`${label}: ${throttled} requests answered 429${firstAt} (${Math.max(0, throttled - 1)} after the first — goal 0: ${verdict(throttled <= 1)}); n8n process RSS +${((peak - base) / MiB).toFixed(0)} MiB at peak over the warm baseline — goal ≤ 200 MB: ${verdict(peak - base <= 200e6)}; requests: ${log.length} API (${creates.length} creates, ${created} accepted, ${polls} polls, ${log.length - creates.length - polls} other); ${succeeded} predictions succeeded in the emulator`,
		);
	} finally {
		await server?.stop();
		await emu.stop();
		rmSync(dir, { recursive: true, force: true });
	}
}

/** Runs the scale cases in real n8n and prints one line per figure. */
export async function scaleBench(opts: ScaleOptions = {}): Promise<void> {
	const record = opts.record ?? ((line: string) => process.stdout.write(`${line}\n`));
	const root = opts.packageRoot ?? PACKAGE_ROOT;
	if (!existsSync(join(root, 'dist', 'nodes', 'Replicate', 'Replicate.node.js')))
		throw new Error(`${root} has no build (npm run build)`);
	ensureN8n();
	const work = mkdtempSync(join(tmpdir(), 'n8n-replicate-bench-scale-'));
	try {
		for (const c of opts.cases ?? DEFAULT_CASES) await runCase(c, root, work, record);
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}

if (require.main === module) {
	const items = Number(process.argv[3]);
	void scaleBench({
		packageRoot: process.argv[2] || undefined,
		cases: items > 0 ? DEFAULT_CASES.map((c) => ({ ...c, items })) : undefined,
	}).then(
		() => process.exit(0),
		(e) => {
			process.stdout.write(`scale: failed: ${(e as Error).message}\n`);
			process.exit(1);
		},
	);
}
