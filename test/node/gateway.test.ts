// Replicate behind a gateway, in-process: a Base URL with a path prefix (Cloudflare AI Gateway's
// shape) and one mounted at a root, each requiring an extra header from the credential. Every request
// reaches the API through the gateway with the token and the extra header; Return All follows
// Replicate's `next` cursors onto the gateway; output files come from the file host without either.
import { readBinary, replicateCredentials, runNode } from '../harness/n8n';
import { useEmulator } from '../helpers/emulator';
import { gatewayProxy, type GatewayProxy } from '../helpers/gatewayProxy';
import { runParams } from '../helpers/params';

const TOKEN = 'r8_gatewayTestToken0123456789abcdef';
const GATEWAY_SECRET = 'Bearer cf-gateway-secret-0123456789';
const ctx = useEmulator({ token: TOKEN, pageSizes: { models: 3 } });

let gateways: Record<'path' | 'root', GatewayProxy>;
beforeAll(async () => {
	const header: [string, string] = ['cf-aig-authorization', GATEWAY_SECRET];
	gateways = {
		path: await gatewayProxy({
			upstream: ctx.emu.apiOrigin,
			prefix: '/v1/acct1/gw1/replicate',
			header,
		}),
		root: await gatewayProxy({ upstream: ctx.emu.apiOrigin, prefix: '', header }),
	};
});
afterAll(async () => await Promise.all(Object.values(gateways).map((g) => g.close())));

const creds = (g: GatewayProxy) =>
	replicateCredentials(g.baseUrl, TOKEN, {
		extraHeaderName: 'cf-aig-authorization',
		extraHeaderSecret: GATEWAY_SECRET,
	});

describe.each(['path', 'root'] as const)('a gateway at its %s', (kind) => {
	test('Return All walks every page through the gateway, each request with the token and the extra header', async () => {
		const g = gateways[kind];
		const before = g.received.length;
		const r = await runNode({
			parameters: { resource: 'model', operation: 'getMany', returnAll: true },
			credentials: creds(g),
		});
		expect(r.error).toBeUndefined();
		expect(r.items).toHaveLength(ctx.emu.store.models.size);
		const sent = g.received.slice(before);
		expect(sent.length).toBeGreaterThan(2);
		expect(sent.every((q) => q.headers['cf-aig-authorization'] === GATEWAY_SECRET)).toBe(true);
		expect(sent.every((q) => q.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
		expect(
			sent.slice(1).every((q) => q.url.startsWith(`${g.baseUrl.slice(g.origin.length)}/models?`)),
		).toBe(true);
	});

	test('a model runs through the gateway and its output file comes from the file host without the credential', async () => {
		const g = gateways[kind];
		const before = ctx.emu.log.length;
		const r = await runNode({
			parameters: runParams('emulator/flux-lite', { prompt: 'a gate' }),
			credentials: creds(g),
		});
		expect(r.error).toBeUndefined();
		expect((await readBinary(r.items[0].binary!.data)).length).toBeGreaterThan(0);
		const cdn = ctx.emu.log.slice(before).filter((l) => l.server === 'cdn');
		expect(cdn.length).toBeGreaterThan(0);
		expect(cdn.some((l) => l.sentAuthorization)).toBe(false);
	});
});
