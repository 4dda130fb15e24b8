// The 1 GiB download in a real n8n (the oldest supported, 2.8.4): the packed package installed as a
// community package, `n8n start` in regular mode with filesystem binary data, a workflow called through
// its webhook. Measures the n8n process's RSS (sampled every 20 ms from /proc) and the transfer's
// wall clock against curl's, alternating. The emulator runs in this process (not in n8n's).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runParams } from '../test/helpers/params';
import { freePort, median, rss, spread, verdict, webhookChain } from './lib';
import { curlSeconds, outputUrl, removeBigFiles } from './memory';
import { startEmulator } from '../test/emulator';
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
} from '../tools/n8n-host';

const MiB = 1024 * 1024;
const progress = (s: string) => process.stderr.write(`[bench n8n] ${s}\n`);

function workflow(id: string, path: string, size: number) {
	return webhookChain({
		id,
		name: `Bench: download ${size} bytes`,
		path,
		responseData: 'firstEntryJson',
		nodes: [
			{
				name: 'Download',
				type: '@n8n-nodes-replicate/n8n-nodes-replicate.replicate',
				typeVersion: 1,
				parameters: runParams('emulator/big-file', { size_bytes: size }),
				credentials: { replicateApi: { id: 'replCredBench001', name: 'Replicate (emulator)' } },
			},
		],
	});
}

/**
 * The same download by n8n's own HTTP Request node (response format File): n8n-core's streamed
 * store of the response, the baseline any community node that streams a file gets. The file URL
 * comes in the webhook call's body; a Set node answers with the stored size.
 */
function httpRequestWorkflow(id: string, path: string) {
	return webhookChain({
		id,
		name: 'Bench: download with the HTTP Request node',
		path,
		responseData: 'firstEntryJson',
		nodes: [
			{
				name: 'Get File',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				parameters: {
					url: '={{ $json.body.url }}',
					options: { response: { response: { responseFormat: 'file' } } },
				},
			},
			{
				name: 'Size',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				parameters: {
					mode: 'manual',
					assignments: {
						assignments: [
							{
								id: `${id}-bytes`,
								name: 'bytes',
								value: '={{ $binary.data.bytes }}',
								type: 'number',
							},
						],
					},
					options: {},
				},
			},
		],
	});
}

export async function realN8n(record: (line: string) => void) {
	const runs = Math.max(1, Number(process.env.BENCH_DOWNLOAD_RUNS ?? 5));
	execFileSync('npm', ['run', '--silent', 'build'], {
		cwd: PACKAGE_ROOT,
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	ensureN8n(N8N_OLDEST);
	const emu = await startEmulator({ rateLimits: false, speed: 100 });
	const work = mkdtempSync(join(tmpdir(), 'n8n-replicate-bench-n8n-'));
	const removeWork = () => rmSync(work, { recursive: true, force: true });
	process.once('exit', removeWork); // also when the bench is interrupted
	let server: Started | undefined;
	try {
		const first = portBase();
		const port = await freePort(first, first + 900);
		const brokerPort = await freePort(port + 1, first + 950);
		const host = createHost(work, { port, brokerPort });
		await importCredentials(host, work, [
			{
				id: 'replCredBench001',
				name: 'Replicate (emulator)',
				type: 'replicateApi',
				data: { apiToken: emu.token, baseUrl: emu.baseUrl },
			},
		]);
		const size = 1024 * MiB;
		const small = workflow('wfBenchDownSmall', 'bench-download-small', MiB);
		const big = workflow('wfBenchDownBig01', 'bench-download-big', size);
		const viaHttpNode = httpRequestWorkflow('wfBenchDownHttp01', 'bench-download-http');
		for (const wf of [small, big, viaHttpNode]) {
			await importWorkflow(host, work, wf);
			const pub = await n8n(host, ['publish:workflow', `--id=${wf.id}`]);
			if (pub.code !== 0) throw new Error(`publish ${wf.id}: ${pub.stderr}`);
		}
		server = await start(host, join(work, 'n8n.log'));
		const pid = server.proc.pid!;
		const call = async (path: string, json?: object) => {
			const url = `http://127.0.0.1:${port}/webhook/${path}`;
			const post = () =>
				fetch(url, {
					method: 'POST',
					signal: AbortSignal.timeout(180_000),
					...(json && {
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify(json),
					}),
				});
			let res = await post();
			// n8n registers a published workflow's webhooks in the background once it is up
			for (const end = Date.now() + 60_000; res.status === 404 && Date.now() < end;) {
				await new Promise((r) => setTimeout(r, 500));
				res = await post();
			}
			const body = await res.text();
			if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${body.slice(0, 300)}`);
			return body;
		};
		progress(`n8n ${host.target.n8n} up on port ${port}; warming up`);
		for (let i = 0; i < 3; i++) await call('bench-download-small'); // warm: JIT, caches, schema
		progress('warm; measuring');
		let peak = 0;
		const sampler = setInterval(() => (peak = Math.max(peak, rss(pid))), 20);
		const settle = () => {
			removeBigFiles(work);
			execFileSync('sync');
		};
		const growth: number[] = [];
		let base0 = 0;
		const ratios: number[] = [];
		const ours: number[] = [];
		const theirs: number[] = [];
		const node = async () => {
			settle();
			await new Promise((r) => setTimeout(r, 1000)); // let n8n go idle after the last call
			// growth over the warm instance's RSS before the first 1 GiB call: memory kept from an
			// earlier run counts too
			base0 ||= rss(pid);
			const base = base0;
			peak = rss(pid);
			const from = emu.log.length;
			const body = await call('bench-download-big');
			const end = Date.now();
			const fileGet = emu.log.slice(from).find((l) => l.server === 'cdn');
			if (!fileGet || !body.includes('"succeeded"'))
				throw new Error(`big download: ${body.slice(0, 300)}`);
			growth.push((peak - base) / MiB);
			progress(
				`node: +${((peak - base) / MiB).toFixed(1)} MiB, ${(size / MiB / ((end - fileGet.at) / 1000)).toFixed(0)} MiB/s`,
			);
			return size / MiB / ((end - fileGet.at) / 1000);
		};
		const curl = async () => {
			const url = await outputUrl(emu.baseUrl, emu.token, size);
			settle();
			return size / MiB / (await curlSeconds(url, join(work, 'curl-download.bin')));
		};
		// n8n's HTTP Request node on the same file, timed the same way
		const httpNode = async () => {
			const url = await outputUrl(emu.baseUrl, emu.token, size);
			settle();
			await new Promise((r) => setTimeout(r, 1000));
			const from = emu.log.length;
			const body = await call('bench-download-http', { url });
			const end = Date.now();
			const fileGet = emu.log.slice(from).find((l) => l.server === 'cdn');
			if (!fileGet || !body.includes(`"bytes":${size}`))
				throw new Error(`HTTP Request node download: ${body.slice(0, 300)}`);
			return size / MiB / ((end - fileGet.at) / 1000);
		};
		const http: number[] = [];
		const httpRatios: number[] = [];
		for (let i = 0; i < runs; i++) {
			// the three in a rotating order, so none always follows another's 1 GiB of writes
			const got: Record<string, number> = {};
			const order = ['node', 'curl', 'http'];
			for (let k = 0; k < 3; k++) {
				const which = order[(i + k) % 3];
				got[which] = await (which === 'node' ? node() : which === 'curl' ? curl() : httpNode());
			}
			ours.push(got.node);
			theirs.push(got.curl);
			http.push(got.http);
			ratios.push(got.node / got.curl);
			httpRatios.push(got.http / got.curl);
		}
		clearInterval(sampler);
		settle();
		record(
			`memory (real n8n ${host.target.n8n}, \`n8n start\`, filesystem binary data): 1 GiB output file: n8n process peak RSS ${spread(growth, 1, ' MiB')} over its RSS before the first 1 GiB call (warm instance: 3 small downloads before; /proc sampled every 20 ms) — goal ≤ 64 MiB: ${verdict(median(growth) <= 64)}${Math.max(...growth) > 64 ? ` (${growth.filter((g) => g > 64).length} of ${growth.length} runs over)` : ''}`,
		);
		record(
			`download speed (real n8n ${host.target.n8n}): 1 GiB output file, node ${spread(ours, 0, ' MiB/s')} vs curl ${spread(theirs, 0, ' MiB/s')}; node/curl ratio ${spread(ratios)} — goal ≥ 0.8: ${verdict(median(ratios) >= 0.8)}. Method: wall clock of the transfer alone (node: from the file GET reaching the emulator to the webhook's answer, file stored; curl: its process run, writing to a file in the same folder), order rotating (with the HTTP Request node below), files deleted and \`sync\` between runs`,
		);
		record(
			`download speed (real n8n ${host.target.n8n}), baseline: the same 1 GiB file through n8n's own HTTP Request node (response format File, n8n-core's streamed store), ${spread(http, 0, ' MiB/s')}; HTTP Request node/curl ratio ${spread(httpRatios)}; our node/HTTP Request node ${spread(ours.map((o, i) => o / http[i]))}. Same method, the three in a rotating order`,
		);
	} finally {
		await server?.stop();
		await emu.stop();
		removeWork();
		process.off('exit', removeWork);
	}
}
