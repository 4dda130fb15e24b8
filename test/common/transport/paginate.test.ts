// Return All through a gateway: Replicate's `next` cursors carry its /v1 path and host; each page is
// asked of the Base URL, whatever its path.
import { resetPacing } from '../../../nodes/common/transport/pacing';
import { apiRequestAllItems } from '../../../nodes/common/transport/paginate';
import { fakeContext, type Sent } from '../../helpers/fakeTransport';

beforeEach(() => resetPacing());

/** Three pages whose cursors point at Replicate's own host, as a gateway passes them through. */
const pages = (sent: Sent) => {
	const cursor = Number(new URL(sent.url).searchParams.get('cursor') ?? 0);
	const next = cursor < 2 ? `https://api.replicate.com/v1/predictions?cursor=${cursor + 1}` : null;
	return { status: 200, body: { results: [{ id: `p${cursor}` }], next } };
};

test.each([
	['a gateway path (Cloudflare AI Gateway)', 'https://gateway.ai.cloudflare.com/v1/a/g/replicate'],
	['a proxy mounted at its root', 'https://proxy.example'],
	["Replicate's API itself", 'https://api.replicate.com/v1'],
])('Return All walks every page on %s', async (_name, base) => {
	const fake = fakeContext(pages, { baseUrl: base });
	const items = await apiRequestAllItems(fake.execute, { path: '/predictions' });
	expect(items).toEqual([{ id: 'p0' }, { id: 'p1' }, { id: 'p2' }]);
	expect(fake.sent.map((s) => [s.url, s.withCredential])).toEqual([
		[`${base}/predictions`, true],
		[`${base}/predictions?cursor=1`, true],
		[`${base}/predictions?cursor=2`, true],
	]);
});

test('a limit stops before the next page', async () => {
	const fake = fakeContext(pages);
	expect(await apiRequestAllItems(fake.execute, { path: '/predictions' }, 2)).toHaveLength(2);
	expect(fake.sent).toHaveLength(2);
});

test('a cursor that points back to a page already read ends the list with an error', async () => {
	const fake = fakeContext(() => ({
		status: 200,
		body: { results: [{ id: 'x' }], next: 'https://api.replicate.com/v1/predictions?cursor=1' },
	}));
	await expect(apiRequestAllItems(fake.execute, { path: '/predictions' })).rejects.toThrow(
		'page 2 points back to a page already read',
	);
});
