// npm run bench [-- scenario …]: prints the figures and (for a full run) writes BENCHMARKS.md.
// Scenarios: batch, requests. All against the emulator on loopback.
import { cpus, totalmem } from 'node:os';

import { chatLatency } from './chat';
import { median, say, shutdownN8nCore } from './lib';
import { startEmulator, type Emulator } from '../test/emulator';
import { replicateCredentials, runNode } from '../test/harness/n8n';
import { runParams } from '../test/helpers/params';

const results: string[] = [];
const record = (line: string) => {
	results.push(line);
	say(line);
};

const apiRequests = (emu: Emulator, from: number) =>
	emu.log.slice(from).filter((l) => l.server === 'api').length;

async function batch() {
	const emu = await startEmulator({ rateLimits: false });
	const creds = replicateCredentials(emu.baseUrl, emu.token);
	const params = runParams('emulator/sleep', { seconds: 2 }, { download: false });
	await runNode({ parameters: params, credentials: creds }); // warm caches and JIT
	const single: number[] = [];
	for (let i = 0; i < 3; i++) {
		const t = Date.now();
		await runNode({ parameters: params, credentials: creds });
		single.push(Date.now() - t);
	}
	const limit = median(single);
	const input = Array.from({ length: 50 }, (_, i) => ({ json: { i } }));
	const t = Date.now();
	const { items, error } = await runNode({ parameters: params, credentials: creds, input });
	const wall = Date.now() - t;
	if (error || items.length !== 50) throw new Error(`batch failed: ${error?.message}`);
	record(
		`batch: 50 items of a 2 s model at the default concurrency (50): ${(wall / 1000).toFixed(2)} s wall`,
	);
	record(
		`batch: limit (one model run + round trip, median of 3 single runs): ${(limit / 1000).toFixed(2)} s; ratio ${(wall / limit).toFixed(3)} (goal ≤ 1.2)`,
	);
	// Baseline: one item at a time, create then poll every 5 s (what existing Replicate nodes do).
	const base = Date.now();
	const sample = 3;
	for (let i = 0; i < sample; i++) {
		const res = await fetch(`${emu.baseUrl}/predictions`, {
			method: 'POST',
			headers: { authorization: `Bearer ${emu.token}`, 'content-type': 'application/json' },
			body: JSON.stringify({
				version: emu.store.models.get('emulator/sleep')!.versions[0].id,
				input: { seconds: 2 },
			}),
		});
		let p = (await res.json()) as { id: string; status: string };
		while (!['succeeded', 'failed', 'canceled'].includes(p.status)) {
			await new Promise((r) => setTimeout(r, 5000));
			p = (await (
				await fetch(`${emu.baseUrl}/predictions/${p.id}`, {
					headers: { authorization: `Bearer ${emu.token}` },
				})
			).json()) as typeof p;
		}
	}
	const perItem = (Date.now() - base) / sample;
	record(
		`batch: sequential baseline with 5 s polling: ${(perItem / 1000).toFixed(2)} s per item measured on ${sample}, so ${((perItem * 50) / 1000).toFixed(0)} s for 50 (${((perItem * 50) / wall).toFixed(0)}× slower)`,
	);
	await emu.stop();
}

/**
 * API requests per prediction. Long runs are time-scaled: the emulator runs SCALE× faster (its
 * Prefer: wait hold is in model time too) and the node's Max Poll Interval (5 s) is divided by the
 * same factor, so the schedule is the one a real-time run gets, SCALE× sooner.
 */
async function requests() {
	const SCALE = 5;
	for (const [seconds, scale] of [
		[5, 1],
		[90, SCALE],
		[300, SCALE],
	] as const) {
		const emu = await startEmulator({ rateLimits: false, speed: scale });
		const creds = replicateCredentials(emu.baseUrl, emu.token);
		const opts = { download: false, timeout: seconds + 120, maxPollInterval: 5 / scale };
		for (const cache of seconds === 5 ? ['cold', 'warm'] : ['warm']) {
			if (cache === 'warm' && seconds !== 5)
				await runNode({
					parameters: runParams('emulator/sleep', { seconds: 0 }, { download: false }),
					credentials: creds,
				});
			const from = emu.log.length;
			const { error } = await runNode({
				parameters: runParams('emulator/sleep', { seconds }, opts),
				credentials: creds,
			});
			if (error) throw new Error(error.message);
			const polls = emu.log.slice(from).filter((l) => l.operationId === 'predictions.get').length;
			record(
				`requests: ${seconds} s run, sync-then-poll (${cache} schema cache${scale > 1 ? `, time-scaled ×${scale}` : ''}): ${apiRequests(emu, from)} API requests (${polls} polls; goal ${seconds <= 60 ? '1' : `≤ ${1 + Math.ceil((seconds - 60) / 5)}`})`,
			);
		}
		// Wait for Webhook: create (with a 1 s sync try), suspend; the resume re-fetches once to confirm.
		const from = emu.log.length;
		const { run } = await runNode({
			parameters: runParams(
				'emulator/sleep',
				{ seconds },
				{ download: false, syncWait: 1, timeout: seconds + 120 },
				{ waitMode: 'webhook' },
			),
			credentials: creds,
			additionalData: { webhookWaitingBaseUrl: 'http://127.0.0.1:9/webhook-waiting' },
		});
		const suspended = apiRequests(emu, from);
		record(
			`requests: ${seconds} s run, wait-for-webhook: ${suspended} API request(s) before suspending${run.waitTill ? '' : ' (did not suspend!)'}, +1 GET on resume to confirm the final state (+1 for the version's schema when files or Simplify need it and it is not cached)`,
		);
		await emu.stop();
	}
}

async function latency() {
	const emu = await startEmulator({ rateLimits: false });
	const creds = replicateCredentials(emu.baseUrl, emu.token);
	await runNode({
		parameters: runParams('emulator/sleep', { seconds: 0 }, { download: false }),
		credentials: creds,
	});
	for (const [seconds, n] of [
		[0.5, 7],
		[5, 3],
		[55, 1],
	] as const) {
		const added: number[] = [];
		for (let i = 0; i < n; i++) {
			const t = Date.now();
			const { items, error } = await runNode({
				parameters: runParams('emulator/sleep', { seconds }, { download: false }),
				credentials: creds,
			});
			if (error) throw new Error(error.message);
			const model =
				Date.parse(String(items[0].json.completed_at)) -
				Date.parse(String(items[0].json.created_at));
			added.push(Date.now() - t - model);
		}
		record(
			`latency: ${seconds} s run (sync): ${median(added).toFixed(0)} ms added over the model's own time (median of ${n}; goal ≤ 50 ms)`,
		);
	}
	await emu.stop();
}

async function overhead() {
	const emu = await startEmulator({ rateLimits: false, speed: 1000 });
	const creds = replicateCredentials(emu.baseUrl, emu.token);
	const { default: Replicate } = await import('replicate');
	const client = new Replicate({ auth: emu.token, baseUrl: emu.baseUrl });
	const version = emu.store.models.get('emulator/sleep')!.versions[0].id;
	const N = 200;
	const params = runParams(
		`emulator/sleep:${version}`,
		{ seconds: 0 },
		{ download: false, maxConcurrency: 1 },
	);
	await runNode({ parameters: params, credentials: creds });
	await client.run(`emulator/sleep:${version}`, { input: { seconds: 0 } });
	const ours: number[] = [];
	const theirs: number[] = [];
	for (let round = 0; round < 3; round++) {
		let t = Date.now();
		const { items } = await runNode({
			parameters: params,
			credentials: creds,
			input: Array.from({ length: N }, () => ({ json: {} })),
		});
		if (items.length !== N) throw new Error('overhead run failed');
		ours.push(Date.now() - t);
		t = Date.now();
		for (let i = 0; i < N; i++)
			await client.run(`emulator/sleep:${version}`, { input: { seconds: 0 } });
		theirs.push(Date.now() - t);
	}
	record(
		`overhead: ${N} fast predictions one at a time: our node ${median(ours)} ms, official replicate client ${median(theirs)} ms (medians of 3 alternating rounds); ratio ${(median(ours) / median(theirs)).toFixed(3)} (goal ≤ 1.1)`,
	);
	await emu.stop();
}

async function memory() {
	const { execFileSync } = await import('node:child_process');
	const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/memory.ts'], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	for (const line of out.trim().split('\n')) record(line);
}

const chat = () => chatLatency(record);

const SCENARIOS: Record<string, () => Promise<void>> = {
	batch,
	latency,
	requests,
	memory,
	overhead,
	chat,
};

async function main() {
	const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
	say(
		`machine: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
	);
	const started = Date.now();
	for (const name of wanted.length ? wanted : Object.keys(SCENARIOS)) await SCENARIOS[name]();
	await shutdownN8nCore();
	if (!wanted.length) {
		const { writeFileSync } = await import('node:fs');
		const machine = `${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
		writeFileSync(
			'BENCHMARKS.md',
			[
				'# Benchmarks',
				'',
				`Measured with \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (${machine}), against the Replicate emulator on loopback, in ${((Date.now() - started) / 1000).toFixed(0)} s. Figures, not assertions: the machines are shared and noisy, so compare the ratios measured in one run.`,
				'',
				...results.map((r) => `- ${r}`),
				'',
			].join('\n'),
		);
		say('wrote BENCHMARKS.md');
	}
}

void main().catch((e) => {
	say(`bench failed: ${(e as Error).stack}`);
	process.exit(1);
});
