// Memory and throughput, in a process of its own (the emulator runs in another one, so its buffers
// do not count): a 1 GiB output streamed into n8n binary data (filesystem mode) against curl on the
// same loopback, and a 100 MB binary uploaded to the Files API. Prints one line per figure.
import { execFileSync, spawn } from 'node:child_process';
import { Readable } from 'node:stream';

import './lib';
import { shutdownN8nCore } from './lib';
import { replicateCredentials, runNode, initBinaryData } from '../test/harness/n8n';
import { runParams } from '../test/helpers/params';

const MiB = 1024 * 1024;

async function main() {
	const token = 'r8_bench_memory_token_0001';
	const emu = spawn(
		process.execPath,
		[
			'--import',
			'tsx',
			'test/emulator/cli.ts',
			'--port',
			'18791',
			'--cdn-port',
			'18792',
			'--token',
			token,
			'--no-rate-limits',
			'--speed',
			'100',
		],
		{ stdio: ['ignore', 'pipe', 'inherit'] },
	);
	await new Promise<void>((resolve) =>
		emu.stdout!.on('data', (b: Buffer) => b.toString().includes('API token') && resolve()),
	);
	const creds = replicateCredentials('http://127.0.0.1:18791/v1', token);
	try {
		await initBinaryData();
		await runNode({
			parameters: runParams('emulator/big-file', { size_bytes: MiB }),
			credentials: creds,
		});
		let peak = 0;
		const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);

		global.gc?.();
		const base = process.memoryUsage().rss;
		peak = base;
		const size = 1024 * MiB;
		let t = Date.now();
		const { items, error } = await runNode({
			parameters: runParams('emulator/big-file', { size_bytes: size }),
			credentials: creds,
		});
		const ours = (Date.now() - t) / 1000;
		if (error || items[0].binary?.data.bytes !== size)
			throw new Error(`download failed: ${error?.message}`);
		const url = (items[0].json.output as string) ?? '';
		const downPeak = peak - base;
		t = Date.now();
		const curlSpeed = Number(
			execFileSync(
				'curl',
				[
					'-s',
					'-o',
					`${process.env.N8N_USER_FOLDER}/curl-download.bin`,
					'-w',
					'%{speed_download}',
					url,
				],
				{ encoding: 'utf8' },
			),
		);
		const curlSecs = (Date.now() - t) / 1000;
		const oursSpeed = size / ours;
		process.stdout.write(
			`memory: 1 GiB output into binary data (filesystem mode): peak RSS +${(downPeak / MiB).toFixed(1)} MiB over baseline (goal ≤ 64); ${(oursSpeed / MiB).toFixed(0)} MiB/s in ${ours.toFixed(1)} s incl. the run vs curl writing to a file on the same disk ${(curlSpeed / MiB).toFixed(0)} MiB/s (${curlSecs.toFixed(1)} s); ratio ${(oursSpeed / curlSpeed).toFixed(2)} (goal ≥ 0.8)\n`,
		);

		// 100 MB from n8n's binary store (filesystem), uploaded to the Files API.
		const { Container } = await import('@n8n/di');
		const { BinaryDataService } = await import('n8n-core');
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
		global.gc?.();
		const upBase = process.memoryUsage().rss;
		peak = upBase;
		t = Date.now();
		const up = await runNode({
			parameters: { resource: 'file', operation: 'upload', binaryProperty: 'data' },
			credentials: creds,
			input: [{ json: {}, binary: { data: stored } }],
		});
		const upSecs = (Date.now() - t) / 1000;
		if (up.error || up.items[0].json.size !== upSize)
			throw new Error(`upload failed: ${up.error?.message}`);
		process.stdout.write(
			`memory: 100 MB binary uploaded to the Files API (streamed from the binary store, md5 checked): peak RSS +${((peak - upBase) / MiB).toFixed(1)} MiB over baseline (goal ≤ 32), ${upSecs.toFixed(1)} s\n`,
		);
		clearInterval(sample);
	} finally {
		emu.kill('SIGTERM');
		await shutdownN8nCore();
	}
}

void main().then(
	() => process.exit(0),
	(e) => {
		process.stdout.write(`memory: failed: ${(e as Error).message}\n`);
		process.exit(1);
	},
);
