// The emulator keeps to Replicate's documents where the node could otherwise lean on a convenient guess:
// opaque cursors that stay stable while the list grows, and a sync wait that may end early.
import { useEmulator } from '../helpers/emulator';

const ctx = useEmulator({ speed: 50, pageSizes: { predictions: 4 } });

async function api(path: string, init: RequestInit = {}) {
	const url = path.startsWith('http') ? path : `${ctx.emu.baseUrl}${path}`;
	const headers = {
		authorization: `Bearer ${ctx.emu.token}`,
		'content-type': 'application/json',
		...(init.headers ?? {}),
	};
	const res = await fetch(url, { ...init, headers });
	return { status: res.status, body: (await res.json()) as any };
}

const create = (seconds = 0) =>
	api('/models/emulator/flux-lite/predictions', {
		method: 'POST',
		body: JSON.stringify({ input: { prompt: `p${seconds}` } }),
	});

test('a list walked page by page neither repeats nor skips items while predictions are created between pages', async () => {
	for (let i = 0; i < 10; i++) await create();
	const before = new Set([...ctx.emu.store.predictions.keys()]);
	const seen: string[] = [];
	let next: string | null = '/predictions';
	let pages = 0;
	while (next) {
		const page = await api(next);
		expect(page.status).toBe(200);
		seen.push(...page.body.results.map((p: { id: string }) => p.id));
		next = page.body.next;
		if (next) expect(new URL(next).searchParams.get('cursor')).not.toMatch(/^\d+$/);
		// New predictions arrive at the head of the list (newest first) while we walk it.
		await create();
		await create();
		pages++;
	}
	expect(pages).toBeGreaterThan(2);
	expect(new Set(seen).size).toBe(seen.length);
	for (const id of before) expect(seen).toContain(id);
});

test('previous goes back to the same items, and a cursor the server did not issue is refused', async () => {
	const first = await api('/predictions');
	const second = await api(first.body.next);
	const back = await api(second.body.previous);
	expect(back.body.results.map((p: { id: string }) => p.id)).toEqual(
		first.body.results.map((p: { id: string }) => p.id),
	);
	const forged = await api('/predictions?cursor=bz00');
	expect(forged.status).toBe(404);
	expect(forged.body.detail).toBe('Invalid cursor');
});

test('with syncHoldCapMs the sync wait ends before the prediction does, and says so by its status', async () => {
	ctx.emu.options.syncHoldCapMs = 1000;
	try {
		const version = ctx.emu.store.models.get('emulator/sleep')!.versions[0].id;
		const res = await api('/predictions', {
			method: 'POST',
			headers: { prefer: 'wait=60' },
			body: JSON.stringify({ version, input: { seconds: 30 } }),
		});
		expect(res.status).toBe(201);
		expect(['starting', 'processing']).toContain(res.body.status);
		await api(`/predictions/${res.body.id}/cancel`, { method: 'POST' });
	} finally {
		ctx.emu.options.syncHoldCapMs = Number.POSITIVE_INFINITY;
	}
});
