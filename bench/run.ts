// npm run bench [-- scenario …]: prints the figures and (for a full run) writes BENCHMARKS.md.
// Scenarios: batch, requests. All against the emulator on loopback.
import { cpus, totalmem } from 'node:os';

import { median, say, shutdownN8nCore } from './lib';
import { startEmulator, type Emulator } from '../test/emulator';
import { replicateCredentials, runNode } from '../test/harness/n8n';
import { runParams } from '../test/helpers/params';

const results: string[] = [];
const record = (line: string) => {
	results.push(line);
	say(line);
};

const apiRequests = (emu: Emulator, from: number) => emu.log.slice(from).filter((l) => l.server === 'api').length;

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
	record(`batch: 50 items of a 2 s model at the default concurrency (50): ${(wall / 1000).toFixed(2)} s wall`);
	record(`batch: limit (one model run + round trip, median of 3 single runs): ${(limit / 1000).toFixed(2)} s; ratio ${(wall / limit).toFixed(3)} (goal ≤ 1.2)`);
	// Baseline: one item at a time, create then poll every 5 s (what existing Replicate nodes do).
	const base = Date.now();
	const sample = 3;
	for (let i = 0; i < sample; i++) {
		const res = await fetch(`${emu.baseUrl}/predictions`, {
			method: 'POST',
			headers: { authorization: `Bearer ${emu.token}`, 'content-type': 'application/json' },
			body: JSON.stringify({ version: emu.store.models.get('emulator/sleep')!.versions[0].id, input: { seconds: 2 } }),
		});
		let p = (await res.json()) as { id: string; status: string };
		while (!['succeeded', 'failed', 'canceled'].includes(p.status)) {
			await new Promise((r) => setTimeout(r, 5000));
			p = (await (await fetch(`${emu.baseUrl}/predictions/${p.id}`, { headers: { authorization: `Bearer ${emu.token}` } })).json()) as typeof p;
		}
	}
	const perItem = (Date.now() - base) / sample;
	record(`batch: sequential baseline with 5 s polling: ${(perItem / 1000).toFixed(2)} s per item measured on ${sample}, so ${((perItem * 50) / 1000).toFixed(0)} s for 50 (${((perItem * 50) / wall).toFixed(0)}× slower)`);
	await emu.stop();
}

async function requests() {
	const emu = await startEmulator({ rateLimits: false });
	const creds = replicateCredentials(emu.baseUrl, emu.token);
	for (const seconds of (process.env.BENCH_RUN_SECONDS ?? '5,300').split(',').map(Number)) {
		for (const cache of ['cold', 'warm']) {
			if (cache === 'cold' && seconds !== 5) continue;
			const from = emu.log.length;
			const t = Date.now();
			const { error } = await runNode({ parameters: runParams('emulator/sleep', { seconds }, { download: false, timeout: seconds + 120 }), credentials: creds });
			if (error) throw new Error(error.message);
			const n = apiRequests(emu, from);
			const polls = emu.log.slice(from).filter((l) => l.operationId === 'predictions.get').length;
			record(`requests: a ${seconds} s run (sync-then-poll, ${cache} schema cache): ${n} API requests (${polls} polls) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
		}
	}
	await emu.stop();
}

const SCENARIOS: Record<string, () => Promise<void>> = { batch, requests };

async function main() {
	const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
	say(`machine: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
	for (const name of wanted.length ? wanted : Object.keys(SCENARIOS)) await SCENARIOS[name]();
	await shutdownN8nCore();
}

void main().catch((e) => {
	say(`bench failed: ${(e as Error).stack}`);
	process.exit(1);
});
