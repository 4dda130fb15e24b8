// First slice of the Replicate node, end to end in-process: Account → Get, Hardware → Get Many,
// and the error path (bad token, Continue On Fail).
import { replicateCredentials, runNode } from '../harness/n8n';
import { useEmulator } from '../helpers/emulator';

const ctx = useEmulator();
const creds = (token = ctx.emu.token) => replicateCredentials(ctx.emu.baseUrl, token);

test('Account → Get returns the account, sending the token as Bearer through the credential', async () => {
	const { items, error } = await runNode({
		parameters: { resource: 'account', operation: 'get' },
		credentials: creds(),
	});
	expect(error).toBeUndefined();
	expect(items).toEqual([
		{
			json: expect.objectContaining({ username: 'emulator', type: 'user' }),
			pairedItem: { item: 0 },
		},
	]);
	expect(ctx.emu.requests('account.get').at(-1)).toMatchObject({ authorized: true, status: 200 });
});

test('Hardware → Get Many returns one item per SKU, paired with the input item', async () => {
	const { items } = await runNode({
		parameters: { resource: 'hardware', operation: 'getMany' },
		credentials: creds(),
		input: [{ json: { a: 1 } }, { json: { a: 2 } }],
	});
	const skus = ctx.emu.store.hardware.length;
	expect(items).toHaveLength(skus * 2);
	expect(items[0]).toEqual({ json: { sku: 'cpu', name: 'CPU' }, pairedItem: { item: 0 } });
	expect(items[skus].pairedItem).toEqual({ item: 1 });
});

test("a bad token gives Replicate's title and detail, and never the token", async () => {
	const token = 'r8_this_token_is_wrong_123456';
	const { error, run } = await runNode({
		parameters: { resource: 'account', operation: 'get' },
		credentials: creds(token),
	});
	expect(error?.message).toBe('Replicate: Unauthenticated');
	expect(error?.description).toBe('You did not pass a valid authentication token');
	expect(error?.context?.itemIndex).toBe(0);
	expect(JSON.stringify(run)).not.toContain(token);
	expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(token);
});

test('Continue On Fail returns the error on the item, with pairedItem', async () => {
	const { items, error } = await runNode({
		parameters: { resource: 'account', operation: 'get' },
		credentials: creds('r8_wrong'),
		continueOnFail: true,
		input: [{ json: {} }, { json: {} }],
	});
	expect(error).toBeUndefined();
	expect(items).toEqual([
		{
			json: {
				error: 'Replicate: Unauthenticated',
				description: 'You did not pass a valid authentication token',
				httpCode: '401',
			},
			pairedItem: { item: 0 },
		},
		{
			json: {
				error: 'Replicate: Unauthenticated',
				description: 'You did not pass a valid authentication token',
				httpCode: '401',
			},
			pairedItem: { item: 1 },
		},
	]);
});

test('GETs are retried on 5xx; a network reset on a GET is retried too', async () => {
	ctx.emu.addFault({ path: '/v1/account', status: 503, times: 2 });
	ctx.emu.addFault({ path: '/v1/hardware', reset: true, times: 1 });
	expect(
		(await runNode({ parameters: { resource: 'account', operation: 'get' }, credentials: creds() }))
			.error,
	).toBeUndefined();
	expect(
		ctx.emu
			.requests('account.get')
			.slice(-3)
			.map((r) => r.status),
	).toEqual([503, 503, 200]);
	expect(
		(
			await runNode({
				parameters: { resource: 'hardware', operation: 'getMany' },
				credentials: creds(),
			})
		).items.length,
	).toBeGreaterThan(0);
});
