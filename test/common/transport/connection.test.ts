// The credential as the transport reads it: the Base URL checked, the extra header checked and
// kept among the secrets, each problem naming its field.
import { connection } from '../../../nodes/common/transport/connection';
import { fakeContext, TOKEN } from '../../helpers/fakeTransport';

const read = (credentials: Record<string, unknown>) =>
	connection.call(fakeContext([], credentials).execute);

test('the Base URL loses trailing slashes', async () => {
	expect((await read({ baseUrl: 'https://gw.example/replicate//' })).base).toBe(
		'https://gw.example/replicate',
	);
});

test('a Base URL with a query fails naming the field', async () => {
	await expect(read({ baseUrl: 'https://api.replicate.com/v1?x=1' })).rejects.toThrow(
		'The "Base URL" of the Replicate API credential is not valid: it has a query',
	);
});

test("an extra header's value is one of the secrets, beside the token", async () => {
	const c = await read({ extraHeaderName: 'cf-aig-authorization', extraHeaderSecret: 'Bearer cf' });
	expect([c.extraHeader, c.secrets]).toEqual(['cf-aig-authorization', [TOKEN, 'Bearer cf']]);
});

test('without an extra header name, its value is ignored', async () => {
	const c = await read({ extraHeaderName: '  ', extraHeaderSecret: 'left over' });
	expect([c.extraHeader, c.secrets]).toEqual([undefined, [TOKEN]]);
});

test('an extra header name that is not a header name fails naming the field', async () => {
	await expect(read({ extraHeaderName: 'cf aig', extraHeaderSecret: 'x' })).rejects.toThrow(
		'The "Extra Header Name" of the Replicate API credential is not valid',
	);
});

test('the extra header may not replace the token', async () => {
	await expect(read({ extraHeaderName: 'Authorization', extraHeaderSecret: 'x' })).rejects.toThrow(
		'not valid: the node sets Authorization itself',
	);
});

test('a line break in the extra header value fails naming the field', async () => {
	await expect(
		read({ extraHeaderName: 'cf-aig-authorization', extraHeaderSecret: 'a\r\nX-Injected: 1' }),
	).rejects.toThrow('The "Extra Header Value" of the Replicate API credential is not valid');
});

test('the cache key tells Base URLs apart and never contains the token', async () => {
	const a = await read({});
	const b = await read({ baseUrl: 'https://proxy.example' });
	expect(a.key).not.toBe(b.key);
	expect(a.key).not.toContain(TOKEN.slice(3, 12));
});
