// The credential: its authenticate block (the token, and the extra header only when there is one)
// resolved by n8n's expression engine, through its test request as n8n runs it. (What the test says
// on a 404 needs a newer n8n than this repository builds against: test/e2e/gateway.e2e.ts.)
import { testCredential } from '../harness/credentialTest';
import { hostileServer, json, type HostileServer } from '../helpers/hostile';

const TOKEN = 'r8_credentialTestToken0123456789';
let api: HostileServer;

beforeAll(async () => {
	api = await hostileServer();
});
afterAll(async () => await api.close());
beforeEach(() => {
	api.reset();
	api.handler = (req, res) =>
		req.url?.endsWith('/account') ? json(res, 200, { username: 'u' }) : json(res, 404, {});
});

test('the test sends GET <Base URL>/account with the token, and nothing else without an extra header', async () => {
	const r = await testCredential({ apiToken: TOKEN, baseUrl: `${api.origin}/v1/` });
	expect(r.status).toBe('OK');
	expect(api.received.map((q) => q.url)).toEqual(['/v1/account']);
	const h = api.received[0].headers;
	expect([h.authorization, Object.keys(h).filter((k) => k.startsWith('cf-'))]).toEqual([
		`Bearer ${TOKEN}`,
		[],
	]);
});

test('the extra header goes with the token, through a gateway path', async () => {
	const r = await testCredential({
		apiToken: TOKEN,
		baseUrl: `${api.origin}/v1/acct/gw/replicate`,
		extraHeaderName: 'cf-aig-authorization',
		extraHeaderSecret: 'Bearer cf-gateway-token',
	});
	expect(r.status).toBe('OK');
	expect(api.received[0].url).toBe('/v1/acct/gw/replicate/account');
	expect([
		api.received[0].headers.authorization,
		api.received[0].headers['cf-aig-authorization'],
	]).toEqual([`Bearer ${TOKEN}`, 'Bearer cf-gateway-token']);
});
