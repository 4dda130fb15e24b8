// Memory and throughput, in a process of its own (the emulator runs in another one, so its buffers
// do not count): a 1 GiB output streamed into n8n binary data (filesystem mode) against curl on the
// same loopback, and a 100 MB binary uploaded to the Files API. Prints one line per figure.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { get, type ClientRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';

import { median, shutdownN8nCore, spread, verdict } from './lib';
import { replicateCredentials, runNode, initBinaryData } from '../test/harness/n8n';
import { runParams } from '../test/helpers/params';

const MiB = 1024 * 1024;
const folder = process.env.N8N_USER_FOLDER!;

/** The emulator in a child process on free ports (port 0); its printed base URL and file origin. */
export async function spawnEmulator(
	token: string,
	speed: number,
): Promise<{ proc: ChildProcess; baseUrl: string; cdnOrigin: string }> {
	const proc = spawn(
		process.execPath,
		[
			'--import',
			'tsx',
			'test/emulator/cli.ts',
			'--port',
			'0',
			'--token',
			token,
			'--no-rate-limits',
			'--speed',
			String(speed),
		],
		{ stdio: ['ignore', 'pipe', 'inherit'] },
	);
	let out = '';
	await new Promise<void>((resolve, reject) => {
		proc.once('exit', (code) => reject(new Error(`the emulator exited with ${code}`)));
		proc.stdout!.on('data', (b: Buffer) => {
			out += b.toString();
			if (out.includes('Control:')) resolve();
		});
	});
	const baseUrl = /API base URL:\s+(\S+)/.exec(out)?.[1];
	const cdnOrigin = /Files\/streams:\s+(\S+)/.exec(out)?.[1];
	if (!baseUrl || !cdnOrigin) throw new Error(`unexpected emulator banner: ${out}`);
	return { proc, baseUrl, cdnOrigin };
}

/** Deletes every file over 1 MiB below `dir` (the downloads of one run), keeping n8n's settings. */
export function removeBigFiles(dir: string) {
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) removeBigFiles(path);
		else if (entry.isFile() && statSync(path).size > MiB) rmSync(path, { force: true });
	}
}

/** Between timed transfers: the last one's file is gone and its dirty pages are on disk. */
function settleDisk() {
	removeBigFiles(folder);
	execFileSync('sync');
}

/** Downloads `url` to `file` with curl; resolves with the wall clock of its run in seconds. */
export function curlSeconds(url: string, file: string): Promise<number> {
	return new Promise((resolve, reject) => {
		const t = performance.now();
		// asynchronous: the emulator may live in this very process
		const proc = spawn('curl', ['-s', '-f', '-o', file, url], { stdio: 'ignore' });
		proc.once('error', reject);
		proc.once('exit', (code) =>
			code === 0
				? resolve((performance.now() - t) / 1000)
				: reject(new Error(`curl exited with ${code}`)),
		);
	});
}

/** A fresh output file URL from the emulator (a prediction created with Prefer: wait). */
export async function outputUrl(baseUrl: string, token: string, size: number): Promise<string> {
	const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
	const model = (await (
		await fetch(`${baseUrl}/models/emulator/big-file`, { headers })
	).json()) as {
		latest_version: { id: string };
	};
	const res = await fetch(`${baseUrl}/predictions`, {
		method: 'POST',
		headers: { ...headers, prefer: 'wait' },
		body: JSON.stringify({ version: model.latest_version.id, input: { size_bytes: size } }),
	});
	const p = (await res.json()) as { status: string; output?: string };
	if (p.status !== 'succeeded' || typeof p.output !== 'string')
		throw new Error(`big-file prediction: ${JSON.stringify(p).slice(0, 300)}`);
	return p.output;
}

async function main() {
	const token = 'r8_bench_memory_token_0001';
	const pairs = Math.max(1, Number(process.env.BENCH_DOWNLOAD_RUNS ?? 5));
	const emu = await spawnEmulator(token, 100);
	const creds = replicateCredentials(emu.baseUrl, token);
	const cdnHost = new URL(emu.cdnOrigin).host;
	// When the node's request for the file leaves (diagnostics channel of node:http).
	let fileRequestAt = 0;
	subscribe('http.client.request.start', (message) => {
		const req = (message as { request: ClientRequest }).request;
		if (req.getHeader('host') === cdnHost) fileRequestAt = performance.now();
	});
	try {
		await initBinaryData();
		await runNode({
			parameters: runParams('emulator/big-file', { size_bytes: MiB }),
			credentials: creds,
		});
		let peak = 0;
		const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);

		const size = 1024 * MiB;
		const ours: number[] = [];
		const theirs: number[] = [];
		const ratios: number[] = [];
		const growth: number[] = [];
		let base0 = 0;
		const node = async () => {
			settleDisk();
			// no forced GC before the run: it shrinks the heap, and the transfer then ran 4× slower
			// growth over the RSS before the first 1 GiB run: memory kept from an earlier run counts too
			base0 ||= process.memoryUsage().rss;
			const base = base0;
			peak = process.memoryUsage().rss;
			fileRequestAt = 0;
			const { items, error } = await runNode({
				parameters: runParams('emulator/big-file', { size_bytes: size }),
				credentials: creds,
			});
			const end = performance.now();
			if (error || items[0].binary?.data.bytes !== size || !fileRequestAt)
				throw new Error(`download failed: ${error?.message}`);
			growth.push((peak - base) / MiB);
			return size / MiB / ((end - fileRequestAt) / 1000);
		};
		const curl = async () => {
			const url = await outputUrl(emu.baseUrl, token, size);
			settleDisk();
			return size / MiB / (await curlSeconds(url, join(folder, 'curl-download.bin')));
		};
		// Baseline: n8n-core's streamed store of the raw response (what n8n's HTTP Request node hands
		// it, without even its HTTP client): the floor for any node that streams a file into n8n.
		const { Container } = await import('@n8n/di');
		const { BinaryDataService } = await import('n8n-core');
		const store = async () => {
			const url = await outputUrl(emu.baseUrl, token, size);
			settleDisk();
			const t = performance.now();
			const res = await new Promise<IncomingMessage>((resolve, reject) =>
				get(url, resolve).once('error', reject),
			);
			const stored = await Container.get(BinaryDataService).store(
				{ type: 'execution', workflowId: 'bench', executionId: '2' },
				res,
				{ mimeType: 'application/octet-stream', fileName: 'store.bin', data: '' },
			);
			if (stored.bytes !== size) throw new Error(`n8n-core store: ${stored.bytes} bytes`);
			return size / MiB / ((performance.now() - t) / 1000);
		};
		const core: number[] = [];
		const coreRatios: number[] = [];
		for (let i = 0; i < pairs; i++) {
			// the three in a rotating order, so none always follows another's 1 GiB of writes
			const got: Record<string, number> = {};
			const order = ['node', 'curl', 'store'];
			for (let k = 0; k < 3; k++) {
				const which = order[(i + k) % 3];
				got[which] = await (which === 'node' ? node() : which === 'curl' ? curl() : store());
			}
			ours.push(got.node);
			theirs.push(got.curl);
			core.push(got.store);
			ratios.push(got.node / got.curl);
			coreRatios.push(got.store / got.curl);
		}
		settleDisk();
		process.stdout.write(
			`memory (in-process n8n-core): 1 GiB output into binary data (filesystem mode): peak RSS ${spread(growth, 1, ' MiB')} over the RSS before the first 1 GiB run (after a 1 MiB warm-up; sampled every 10 ms) — goal ≤ 64 MiB: ${verdict(median(growth) <= 64)}${Math.max(...growth) > 64 ? ` (${growth.filter((g) => g > 64).length} of ${growth.length} runs over)` : ''}\n`,
		);
		process.stdout.write(
			`download speed (in-process n8n-core): 1 GiB output file, node ${spread(ours, 0, ' MiB/s')} vs curl ${spread(theirs, 0, ' MiB/s')}; node/curl ratio ${spread(ratios)} — goal ≥ 0.8: ${verdict(median(ratios) >= 0.8)}. Method: wall clock of the transfer alone (node: from its GET of the file to the stored binary; curl: its process run, writing to a file in the same folder), order rotating (with the baseline below), files deleted and \`sync\` between runs\n`,
		);
		process.stdout.write(
			`download speed (in-process n8n-core), baseline: the same 1 GiB file as a raw node:http response handed to n8n-core's binary store (the path of n8n's own HTTP Request node, without its HTTP client) ${spread(core, 0, ' MiB/s')}; baseline/curl ratio ${spread(coreRatios)}; our node/baseline ${spread(ours.map((o, i) => o / core[i]))}. Same method\n`,
		);

		// 100 MB from n8n's binary store (filesystem), uploaded to the Files API.
		const upSize = 100 * 1000 * 1000;
		let left = upSize;
		const chunk = Buffer.alloc(256 * 1024, 7);
		const source = new Readable({
			read() {
				if (left <= 0) return void this.push(null);
				const n = Math.min(chunk.length, left);
				left -= n;
				this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
			},
		});
		const stored = await Container.get(BinaryDataService).store(
			{ type: 'execution', workflowId: 'bench', executionId: '1' },
			source,
			{ mimeType: 'application/octet-stream', fileName: 'big.bin', data: '' },
		);
		const upBase = process.memoryUsage().rss;
		peak = upBase;
		const t = Date.now();
		const up = await runNode({
			parameters: { resource: 'file', operation: 'upload', binaryProperty: 'data' },
			credentials: creds,
			input: [{ json: {}, binary: { data: stored } }],
		});
		const upSecs = (Date.now() - t) / 1000;
		if (up.error || up.items[0].json.size !== upSize)
			throw new Error(`upload failed: ${up.error?.message}`);
		const upGrowth = (peak - upBase) / MiB;
		process.stdout.write(
			`memory (in-process n8n-core): 100 MB binary uploaded to the Files API (streamed from the binary store, md5 checked): peak RSS +${upGrowth.toFixed(1)} MiB over the RSS before the run (one run) — goal ≤ 32 MiB: ${verdict(upGrowth <= 32)}; ${upSecs.toFixed(1)} s\n`,
		);
		clearInterval(sample);
		removeBigFiles(folder);
	} finally {
		emu.proc.kill('SIGTERM');
		await shutdownN8nCore();
	}
}

if (require.main === module)
	void main().then(
		() => process.exit(0),
		(e) => {
			process.stdout.write(`memory: failed: ${(e as Error).message}\n`);
			process.exit(1);
		},
	);
