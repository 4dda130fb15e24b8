// Replicate behind a gateway, in real n8n: the emulator behind a path-prefix gateway (Cloudflare AI
// Gateway's /v1/{account}/{gateway}/replicate) and behind one mounted at its root, each requiring an
// extra header (cf-aig-authorization) that the credential carries. A workflow lists models with
// Return All (Replicate's `next` cursors rebased onto the gateway) and runs a model whose output file
// is downloaded; then the credential's test, as the editor runs it, on good and bad Base URLs.
import { join } from 'node:path';

import { startEmulator } from '../emulator';
import { gatewayProxy } from '../helpers/gatewayProxy';
import {
	execute,
	importCredentials,
	importWorkflow,
	nodeItems,
	ownerSession,
	start,
	transcripts,
	type Started,
} from '../../tools/n8n-host';
import { check, TARGET, type E2EContext } from './run';

const TOKEN = 'r8_e2e_gateway_token_0123456789abcdef';
const GATEWAY_SECRET = 'Bearer cf-e2e-gateway-secret-0123456789';
const HEADER: [string, string] = ['cf-aig-authorization', GATEWAY_SECRET];

function workflow(id: string, credentialId: string) {
	const credentials = { replicateApi: { id: credentialId, name: credentialId } };
	const node = (name: string, x: number, parameters: object) => ({
		id: `9a7e0000-0000-4000-8000-${id.slice(-4)}${String(x).padStart(8, '0')}`,
		name,
		type: '@n8n-nodes-replicate/n8n-nodes-replicate.replicate',
		typeVersion: 1,
		position: [x, 0],
		parameters,
		credentials,
	});
	const nodes = [
		{
			id: `9a7e0000-0000-4000-8000-${id.slice(-4)}aaaaaaaa`,
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [-200, 0],
			parameters: {},
		},
		node('Models', 0, { resource: 'model', operation: 'getMany', returnAll: true }),
		node('Run', 200, {
			resource: 'prediction',
			operation: 'run',
			runTarget: 'model',
			model: { __rl: true, mode: 'id', value: 'emulator/flux-lite' },
			version: { __rl: true, mode: 'list', value: '' },
			inputMode: 'json',
			inputJson: '{"prompt": "a gate"}',
			options: {},
		}),
	];
	const link = (to: string) => ({ main: [[{ node: to, type: 'main', index: 0 }]] });
	return {
		id,
		name: `E2E: ${id}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes,
		connections: { Start: link('Models'), Models: link('Run') },
	};
}

export default async function ({ host, work, scenario }: E2EContext) {
	const emu = await startEmulator({
		speed: 5,
		rateLimits: false,
		token: TOKEN,
		pageSizes: { models: 3 },
	});
	const gateways = {
		path: await gatewayProxy({
			upstream: emu.apiOrigin,
			prefix: '/v1/acct1/gw1/replicate',
			header: HEADER,
		}),
		root: await gatewayProxy({ upstream: emu.apiOrigin, prefix: '', header: HEADER }),
	};
	const credential = (id: string, baseUrl: string) => ({
		id,
		name: id,
		type: 'replicateApi',
		data: { apiToken: TOKEN, baseUrl, extraHeaderName: HEADER[0], extraHeaderSecret: HEADER[1] },
	});
	let server: Started | undefined;
	try {
		await importCredentials(host, work, [
			credential('replCredGwPath01', gateways.path.baseUrl),
			credential('replCredGwRoot01', gateways.root.baseUrl),
			credential('replCredGwWeb001', `${gateways.root.origin}/not-the-api`),
			credential('replCredGwQuery1', `${gateways.path.baseUrl}?x=1`),
		]);
		for (const [kind, credentialId, workflowId] of [
			['a path prefix (Cloudflare AI Gateway)', 'replCredGwPath01', 'wfReplGatePath01'],
			['a root mount', 'replCredGwRoot01', 'wfReplGateRoot01'],
		] as const) {
			await scenario(
				`through a gateway at ${kind} with an extra header: Return All lists every model, a model runs and its file downloads`,
				async () => {
					const g = kind === 'a root mount' ? gateways.root : gateways.path;
					const before = g.received.length;
					await importWorkflow(host, work, workflow(workflowId, credentialId));
					const r = await execute(host, workflowId);
					check(
						r.code === 0 && r.run?.status === 'success',
						`execution failed: ${r.raw.slice(-1500)}`,
					);
					const models = nodeItems(r, 'Models').length;
					check(
						models === emu.store.models.size,
						`Return All gave ${models} of ${emu.store.models.size} models`,
					);
					const file = nodeItems(r, 'Run')[0]?.binary?.data;
					check(
						String(file?.mimeType ?? '').startsWith('image/'),
						`no image downloaded: ${JSON.stringify(file)}`,
					);
					const sent = g.received.slice(before);
					check(sent.length > 3, `only ${sent.length} requests reached the gateway`);
					check(
						sent.every(
							(q) =>
								q.headers['cf-aig-authorization'] === GATEWAY_SECRET &&
								q.headers.authorization === `Bearer ${TOKEN}`,
						),
						'a request reached the gateway without the token or the extra header',
					);
				},
			);
		}

		await scenario(
			'the credential test, as the editor runs it, passes through a gateway and names the Base URL when it is wrong',
			async () => {
				server = await start(host, join(work, 'n8n-start-gateway.log'));
				const base = `http://127.0.0.1:${host.port}`;
				const { cookie } = await ownerSession(base);
				const test = async (id: string, baseUrl: string) => {
					const res = await fetch(`${base}/rest/credentials/test`, {
						method: 'POST',
						headers: { 'content-type': 'application/json', cookie },
						body: JSON.stringify({ credentials: credential(id, baseUrl) }),
					});
					const body = (await res.json()) as { data?: { status: string; message: string } };
					return (
						body.data ?? {
							status: `HTTP ${res.status}`,
							message: JSON.stringify(body).slice(0, 300),
						}
					);
				};
				const good = await test('replCredGwPath01', gateways.path.baseUrl);
				check(good.status === 'OK', `gateway credential: ${JSON.stringify(good)}`);
				// n8n 2.8.4 drops the HTTP status before the credential's rules are read (its NodeApiError
				// loses its cause), so it shows its own "could not be found"; newer n8n the rule's text.
				const named = TARGET.n8n === '2.8.4' ? 'could not be found' : 'Base URL';
				const wrong = await test('replCredGwWeb001', `${gateways.root.origin}/not-the-api`);
				check(
					wrong.status === 'Error' && wrong.message.includes(named),
					`wrong Base URL: ${JSON.stringify(wrong)}`,
				);
				const query = await test('replCredGwQuery1', `${gateways.path.baseUrl}?x=1`);
				check(
					query.status === 'Error' && query.message.includes(named),
					`Base URL with a query: ${JSON.stringify(query)}`,
				);
				process.stdout.write(`  the credential test said: ${wrong.message} | ${query.message}\n`);
			},
		);

		await scenario('the gateway secret appears in no n8n output, error or log', async () => {
			const hits = transcripts.filter((t) => t.includes(GATEWAY_SECRET.slice(7))).length;
			check(hits === 0, `the gateway secret appears in ${hits} n8n transcript(s)`);
		});
	} finally {
		await server?.stop();
		await Promise.all([gateways.path.close(), gateways.root.close(), emu.stop()]);
	}
}
