// One exchange and its redirects: the outbound-URL policy on every hop, the first included, and the
// credential decided by where the request starts.
import { connection } from '../../../nodes/common/transport/connection';
import { exchange, type ExchangeOptions } from '../../../nodes/common/transport/exchange';
import { fakeContext, type Answer } from '../../helpers/fakeTransport';

const API = 'https://api.replicate.com/v1';
const moved = (location: string): Answer => ({ status: 302, headers: { location } });

async function run(
	url: string,
	answers: Answer[],
	options: Partial<ExchangeOptions> = {},
	credentials: Record<string, unknown> = {},
) {
	const fake = fakeContext(answers, credentials);
	const conn = await connection.call(fake.execute);
	const result = exchange(
		fake.ctx,
		{ method: 'GET', url, headers: { Accept: 'application/json' } },
		{ conn, caller: fake.ctx, follow: true, ...options },
	);
	return { result, sent: fake.sent };
}

const trail = (sent: Array<{ url: string; withCredential: boolean }>) =>
	sent.map((s) => [s.url, s.withCredential]);

test('a request that starts on the API origin carries the credential', async () => {
	const { result, sent } = await run(`${API}/account`, [{ status: 200 }]);
	await result;
	expect(trail(sent)).toEqual([[`${API}/account`, true]]);
});

test('a request that starts off the API origin never gains the credential, even redirected to the API', async () => {
	const { result, sent } = await run('https://files.example/out.png', [
		moved(`${API}/predictions`),
		{ status: 200 },
	]);
	await result;
	expect(trail(sent)).toEqual([
		['https://files.example/out.png', false],
		[`${API}/predictions`, false],
	]);
});

test('a request that leaves the API origin does not regain the credential when it comes back', async () => {
	const { result, sent } = await run(`${API}/files/a/download`, [
		moved('https://cdn.example/a'),
		moved(`${API}/account`),
		{ status: 200 },
	]);
	await result;
	expect(trail(sent).map(([, withCredential]) => withCredential)).toEqual([true, false, false]);
});

test('an anonymous request goes without the credential, even on the API origin', async () => {
	const { result, sent } = await run(`${API}/stream/x`, [{ status: 200 }], { anonymous: true });
	await result;
	expect(trail(sent)).toEqual([[`${API}/stream/x`, false]]);
});

test('the policy refuses the first hop: nothing is sent', async () => {
	const { result, sent } = await run('https://169.254.169.254/latest/meta-data', [{ status: 200 }]);
	await expect(result).rejects.toThrow(
		'Refusing to fetch https://169.254.169.254/latest/meta-data: it points to a loopback, link-local or private address',
	);
	expect(sent).toEqual([]);
});

test('the policy refuses a redirect hop: the request stops before it', async () => {
	const { result, sent } = await run('https://files.example/a', [moved('http://files.example/b')]);
	await expect(result).rejects.toThrow(
		'A redirect to http://files.example/b was refused: it is not https',
	);
	expect(sent).toHaveLength(1);
});

test('credential headers the caller set are dropped on a hop without the credential', async () => {
	const fake = fakeContext([{ status: 200 }], {
		extraHeaderName: 'x-gateway-key',
		extraHeaderSecret: 'k',
	});
	const conn = await connection.call(fake.execute);
	await exchange(
		fake.ctx,
		{
			method: 'GET',
			url: 'https://files.example/a',
			headers: { Authorization: 'Bearer x', 'X-Gateway-Key': 'k', Accept: '*/*' },
		},
		{ conn, caller: fake.ctx, follow: true },
	);
	expect(fake.sent[0].headers).toEqual({ Accept: '*/*' });
});

test('a 303 turns the request into a GET without its body', async () => {
	const fake = fakeContext([
		{ status: 303, headers: { location: '/v1/predictions/p1' } },
		{ status: 200 },
	]);
	const conn = await connection.call(fake.execute);
	await exchange(
		fake.ctx,
		{ method: 'POST', url: `${API}/predictions`, body: { input: {} } },
		{ conn, caller: fake.ctx, follow: true },
	);
	expect(fake.sent.map((s) => [s.method, s.url, s.body])).toEqual([
		['POST', `${API}/predictions`, { input: {} }],
		['GET', `${API}/predictions/p1`, undefined],
	]);
});

test('more than five redirects fail', async () => {
	const { result } = await run(`${API}/a`, Array(7).fill(moved(`${API}/a`)));
	await expect(result).rejects.toThrow('Too many redirects (more than 5)');
});

test('without follow, a redirect is the answer', async () => {
	const { result, sent } = await run(`${API}/a`, [moved('https://elsewhere.example/')], {
		follow: false,
	});
	expect((await result).statusCode).toBe(302);
	expect(sent).toHaveLength(1);
});
