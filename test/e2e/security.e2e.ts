// A hostile world in real n8n: an API that redirects Prediction → Get and an output download to other
// hosts (the token must never arrive there), and a file host that sends a gzip bomb, an endless body,
// a stalled body, 429 forever, next to a text field holding an internal URL.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import {
	execute,
	importCredentials,
	importWorkflow,
	nodeItems,
	transcripts,
} from '../../tools/n8n-host';
import { hostileServer, json } from '../helpers/hostile';
import { check, type E2EContext } from './run';

const TOKEN = 'r8_e2e_security_token_0123456789abcdef';
const CRED = { replicateApi: { id: 'replCredE2ESec01', name: 'Replicate (hostile API)' } };
const SCHEMA = {
	components: {
		schemas: {
			Input: { type: 'object', properties: { prompt: { type: 'string' } } },
			Output: {
				type: 'object',
				properties: { text: { type: 'string' }, image: { type: 'string', format: 'uri' } },
			},
		},
	},
};

function node(name: string, x: number, parameters: object, extra: object = {}) {
	return {
		id: `5ec0e2e0-0000-4000-8000-${String(x).padStart(12, '0')}`,
		name,
		type: '@n8n-nodes-replicate/n8n-nodes-replicate.replicate',
		typeVersion: 1,
		position: [x, 0],
		parameters,
		credentials: CRED,
		...extra,
	};
}

const run = (model: string, options: object) => ({
	resource: 'prediction',
	operation: 'run',
	runTarget: 'model',
	model: { __rl: true, mode: 'id', value: model },
	version: { __rl: true, mode: 'list', value: '' },
	inputMode: 'json',
	inputJson: '{}',
	options,
});

function workflow(id: string, nodes: Array<{ name: string }>) {
	const start = {
		id: '5ec0e2e0-0000-4000-8000-aaaaaaaaaaaa',
		name: 'Start',
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		position: [-200, 0],
		parameters: {},
	};
	const all = [start, ...nodes];
	const connections = Object.fromEntries(
		all
			.slice(0, -1)
			.map((n, k) => [n.name, { main: [[{ node: all[k + 1].name, type: 'main', index: 0 }]] }]),
	);
	return {
		id,
		name: `E2E: ${id}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: all,
		connections,
	};
}

function dirSize(dir: string): number {
	let total = 0;
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const p = join(dir, entry.name);
		total += entry.isDirectory() ? dirSize(p) : statSync(p).size;
	}
	return total;
}

function findDir(root: string, name: string): string | undefined {
	for (const entry of readdirSync(root, { withFileTypes: true })) {
		if (!entry.isDirectory() || entry.name === 'node_modules') continue;
		const p = join(root, entry.name);
		if (entry.name === name) return p;
		const found = findDir(p, name);
		if (found) return found;
	}
	return undefined;
}

export default async function ({ host, work, scenario }: E2EContext) {
	const api = await hostileServer();
	const files = await hostileServer();
	const thief = await hostileServer('127.0.0.2');
	let outputs: Record<string, unknown> = {};
	api.handler = (req, res) => {
		const url = req.url ?? '';
		if (url === '/v1/predictions/p0000000000001')
			return res.writeHead(302, { location: `${thief.origin}/steal` }).end();
		if (url === '/v1/predictions/p0000000000002')
			return res.writeHead(307, { location: `http://127.0.0.1:${files.port}/steal` }).end();
		if (url === '/v1/files/out/download')
			return res.writeHead(302, { location: `${thief.origin}/out.png` }).end();
		const m = /^\/v1\/models\/o\/([\w-]+)(\/predictions)?$/.exec(url);
		if (m && !m[2])
			return json(res, 200, {
				owner: 'o',
				name: m[1],
				is_official: true,
				latest_version: { id: 'v1', openapi_schema: SCHEMA },
			});
		if (m)
			return json(res, 201, {
				id: `p${m[1].padEnd(13, '0')}`,
				model: `o/${m[1]}`,
				version: 'v1',
				status: 'succeeded',
				output: outputs[m[1]],
			});
		return json(res, 404, { title: 'Not found' });
	};
	const prediction = (id: string) => ({ id, status: 'succeeded', output: 'from elsewhere' });
	const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
	const served = (req: { url?: string }, res: import('node:http').ServerResponse) => {
		const url = req.url ?? '';
		if (url === '/steal') return json(res, 200, prediction('p0000000000001'));
		if (url === '/out.png' || url === '/ok.png')
			return res
				.writeHead(200, { 'content-type': 'image/png', 'content-length': '4' })
				.end('\x89PNG');
		if (url === '/bomb.png')
			return res
				.writeHead(200, {
					'content-type': 'image/png',
					'content-encoding': 'gzip',
					'content-length': String(bomb.length),
				})
				.end(bomb);
		if (url === '/busy.png') return res.writeHead(429, { 'retry-after': '0' }).end();
		if (url === '/stall.png') {
			res.writeHead(200, { 'content-type': 'image/png', 'content-length': '100000' });
			return void res.write('0123456789');
		}
		if (url === '/endless.bin') {
			res.writeHead(200, { 'content-type': 'application/octet-stream' });
			const chunk = Buffer.alloc(64 * 1024, 7);
			const pump = () => {
				while (!res.destroyed && res.write(chunk));
				if (!res.destroyed) res.once('drain', pump);
			};
			return pump();
		}
		return json(res, 404, {});
	};
	files.handler = served;
	thief.handler = served;
	await importCredentials(host, work, [
		{
			id: CRED.replicateApi.id,
			name: CRED.replicateApi.name,
			type: 'replicateApi',
			data: { apiToken: TOKEN, baseUrl: `${api.origin}/v1` },
		},
	]);

	try {
		await scenario(
			'redirects from the API origin to other hosts never carry the token (Get, and an output download)',
			async () => {
				outputs = { redir: { image: `${api.origin}/v1/files/out/download` } };
				await importWorkflow(
					host,
					work,
					workflow('wfReplSecRedir01', [
						node('Get Other Host', 0, {
							resource: 'prediction',
							operation: 'get',
							predictionId: 'p0000000000001',
						}),
						node('Get Other Port', 200, {
							resource: 'prediction',
							operation: 'get',
							predictionId: 'p0000000000002',
						}),
						node('Run', 400, run('o/redir', {})),
					]),
				);
				const r = await execute(host, 'wfReplSecRedir01');
				check(
					r.code === 0 && r.run?.status === 'success',
					`execution failed: ${r.run?.data.resultData.error?.message ?? r.raw.slice(-1500)}`,
				);
				check(
					nodeItems(r, 'Get Other Host')[0]?.json.output === 'from elsewhere',
					"the redirected Get did not return the other host's answer",
				);
				check(nodeItems(r, 'Run')[0]?.binary?.data, 'the redirected download produced no file');
				check(
					thief.received.length === 2 && files.received.length === 1,
					`hops: thief ${thief.received.length}, other port ${files.received.length}`,
				);
				check(thief.withToken().length === 0, 'the other host received an Authorization header');
				check(files.withToken().length === 0, 'the other port received an Authorization header');
				check(api.withToken().length >= 3, 'the API itself got no token');
			},
		);

		await scenario(
			'a hostile file host: bomb, endless, stalled, 429 forever are per-item errors; a text field is never fetched',
			async () => {
				files.reset();
				const f = (p: string) => `${files.origin}${p}`;
				outputs = {
					bomb: { image: f('/bomb.png') },
					endless: { image: f('/endless.bin') },
					stall: { image: f('/stall.png') },
					busy: { image: f('/busy.png') },
					ssrf: { text: f('/latest/meta-data/iam'), image: f('/ok.png') },
				};
				const options = { maxFileSize: 1, timeout: 4 };
				const onError = { onError: 'continueRegularOutput' };
				await importWorkflow(
					host,
					work,
					workflow('wfReplSecFiles01', [
						node('Bomb', 0, run('o/bomb', options), onError),
						node('Endless', 200, run('o/endless', options), onError),
						node('Stall', 400, run('o/stall', options), onError),
						node('Busy', 600, run('o/busy', options), onError),
						node('Ssrf', 800, run('o/ssrf', options), onError),
					]),
				);
				const r = await execute(host, 'wfReplSecFiles01');
				check(r.run, `no run data: ${r.raw.slice(-1500)}`);
				const error = (n: string) => String(nodeItems(r, n)[0]?.json.error ?? '');
				check(/larger than Max File Size/.test(error('Bomb')), `Bomb: ${error('Bomb')}`);
				check(/larger than Max File Size/.test(error('Endless')), `Endless: ${error('Endless')}`);
				check(/given up/.test(error('Stall')), `Stall: ${error('Stall')}`);
				check(/HTTP 429/.test(error('Busy')), `Busy: ${error('Busy')}`);
				check(
					files.received.filter((q) => q.url === '/busy.png').length === 5,
					'the 429 host was not asked exactly 5 times',
				);
				const ssrf = nodeItems(r, 'Ssrf')[0];
				check(
					!ssrf?.json.error && ssrf?.binary?.data,
					`Ssrf: ${JSON.stringify(ssrf?.json).slice(0, 300)}`,
				);
				check(
					!files.received.some((q) => q.url.includes('meta-data')),
					'the text field was fetched',
				);
				for (const n of ['Bomb', 'Endless', 'Stall', 'Busy'])
					check(!nodeItems(r, n)[0]?.binary, `${n} kept a (partial) file`);
				const binDir = findDir(host.userFolder, 'binaryData');
				const size = binDir ? dirSize(binDir) : 0;
				check(
					size < 8 * 1024 * 1024,
					`the binary data folder holds ${size} bytes after a 64 MB bomb`,
				);
			},
		);

		await scenario('the hostile-API token appears in no n8n output, error or log', async () => {
			const hits = transcripts.filter((t) => t.includes(TOKEN)).length;
			check(hits === 0, `the token appears in ${hits} n8n transcript(s)`);
		});
	} finally {
		await Promise.all([api.close(), files.close(), thief.close()]);
	}
}
