// Fault matrix: for each operation class, each emulator fault either recovers or fails the item with
// a clear message. Every case also counts the predictions the emulator created (no duplicates) and
// checks that no partial file is passed on.
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { Emulator, type Fault } from '../emulator';
import { callWebhook, readBinary, replicateCredentials, runNode } from '../harness/n8n';
import { useEmulator } from '../helpers/emulator';
import { runParams } from '../helpers/params';
import { signWebhook } from '../emulator';

const ctx = useEmulator({ speed: 20 });
const creds = () => replicateCredentials(ctx.emu.baseUrl, ctx.emu.token);
const throttled: Fault = { status: 429, headers: { 'retry-after': '1' }, body: { detail: 'Request was throttled. Your rate limit resets in ~1s.', status: 429, retry_after: 1 } };
const FAULTS: Array<[string, Fault]> = [
	['429 with Retry-After', throttled],
	['500', { status: 500 }],
	['502', { status: 502 }],
	['503', { status: 503 }],
	['connection reset', { reset: true }],
	['truncated body', { truncateAt: 20 }],
];

type Outcome = { error?: { message: string }; items: INodeExecutionData[] };
const predictionsCreated = () => ctx.emu.store.predictions.size;

interface OpClass {
	name: string;
	path: RegExp;
	method: string;
	/** Runs the operation; `setup` results are passed in. */
	run: (setup: IDataObject) => Promise<Outcome>;
	setup?: () => Promise<IDataObject>;
	/** Faults this class recovers from (the rest must fail clearly). */
	recovers: (fault: string) => boolean;
	/** For faults it does not recover from: what the message must say. */
	failure: RegExp;
	/** How many predictions one run creates. */
	creates: number;
	phase?: 'before' | 'after';
}

const imageRun = (options: IDataObject = {}) => runNode({ parameters: runParams('emulator/flux-lite', { prompt: 'x', num_outputs: 1 }, options), credentials: creds() });
const uploadRun = () => runNode({ parameters: { resource: 'file', operation: 'upload', binaryProperty: 'data' }, credentials: creds(), input: [{ json: {}, binary: { data: { data: Buffer.from('bytes to upload').toString('base64'), mimeType: 'text/plain', fileName: 'u.txt' } } }] });
/** GETs and cancels are idempotent: every one of these faults is retried away. */
const always = () => true;

const CLASSES: OpClass[] = [
	{
		name: 'create',
		path: /^\/v1\/models\/emulator\/flux-lite\/predictions$/,
		method: 'POST',
		phase: 'after', // the request reached Replicate (the dangerous case for duplicates)
		run: () => imageRun(),
		recovers: (f) => f === '429 with Retry-After',
		failure: /Could not reach Replicate \(POST|Replicate: |Replicate answered/,
		creates: 1,
	},
	{
		name: 'get (polling)',
		path: /^\/v1\/predictions\/[a-z0-9]+$/,
		method: 'GET',
		run: () => runNode({ parameters: runParams('emulator/sleep', { seconds: 1 }, { syncWait: 1 }), credentials: creds() }),
		recovers: always,
		failure: /never/,
		creates: 1,
	},
	{
		name: 'list',
		path: /^\/v1\/predictions$/,
		method: 'GET',
		run: () => runNode({ parameters: { resource: 'prediction', operation: 'getMany', returnAll: false, limit: 5 }, credentials: creds() }),
		recovers: always,
		failure: /never/,
		creates: 0,
	},
	{
		name: 'download',
		path: /^\/d\//,
		method: 'GET',
		run: () => imageRun(),
		// A cut-off download is retried whole; when the cuts persist it fails (prediction-run.test.ts).
		recovers: always,
		failure: /download of .* (broke off|ended short)/,
		creates: 1,
	},
	{
		name: 'upload',
		path: /^\/v1\/files$/,
		method: 'POST',
		phase: 'after',
		run: () => uploadRun(),
		recovers: (f) => f === '429 with Retry-After',
		failure: /Could not reach Replicate \(POST \/files\)|Replicate: |Replicate answered/,
		creates: 0,
	},
	{
		name: 'cancel',
		path: /\/cancel$/,
		method: 'POST',
		setup: async () => ({ id: (await runNode({ parameters: { ...runParams('emulator/sleep', { seconds: 3600 }), operation: 'create' }, credentials: creds() })).items[0].json.id }),
		run: (s) => runNode({ parameters: { resource: 'prediction', operation: 'cancel', predictionId: s.id }, credentials: creds() }),
		recovers: always,
		failure: /never/,
		creates: 0,
	},
];

describe.each(CLASSES)('$name', (cls) => {
	test.each(FAULTS)('%s', async (faultName, fault) => {
		const setup = cls.setup ? await cls.setup() : {};
		const before = predictionsCreated();
		ctx.emu.addFault({ ...fault, method: cls.method, path: cls.path, times: 2, phase: fault.status === 429 ? 'before' : (cls.phase ?? 'before') });
		const out = await cls.run(setup);
		ctx.emu.clearFaults();
		if (cls.recovers(faultName)) {
			expect(out.error?.message).toBeUndefined();
			expect(out.items.length).toBeGreaterThan(0);
		} else {
			expect(out.error?.message).toMatch(cls.failure);
			expect(out.items).toEqual([]); // nothing half-done is passed on
		}
		// Retries never create a second prediction.
		expect(predictionsCreated() - before).toBe(cls.creates);
		for (const item of out.items) {
			for (const b of Object.values(item.binary ?? {})) expect((await readBinary(b)).length).toBe(b.bytes);
		}
		// A cancel class leaves its prediction running when the cancel itself failed: clean up.
		if (setup.id) await runNode({ parameters: { resource: 'prediction', operation: 'cancel', predictionId: setup.id }, credentials: creds() });
	});
});

describe('slow responses, model outcomes, expired data', () => {
	test('a poll answered slower than the timeout: the item fails clearly and the prediction is canceled', async () => {
		ctx.emu.addFault({ method: 'GET', path: /^\/v1\/predictions\/[a-z0-9]+$/, latencyMs: 2500, times: 1 });
		const { error } = await runNode({ parameters: runParams('emulator/sleep', { seconds: 3600 }, { syncWait: 1, timeout: 2 }), credentials: creds() });
		expect(error?.message).toMatch(/timed out: not finished after 2 s/);
		expect(error?.description).toMatch(/stopped on Replicate/);
	});

	test.each([
		['failed', runParams('emulator/always-fails', { after_ms: 10, message: 'out of VRAM' }), /failed: out of VRAM/],
		['canceled on Replicate', runParams('emulator/sleep', { seconds: 3600 }, { syncWait: 1 }), /was stopped on Replicate before it finished/],
	])('a %s prediction fails the item with its reason', async (kind, parameters, message) => {
		if (kind.startsWith('canceled')) {
			setTimeout(() => {
				const run = [...ctx.emu.store.predictions.values()].at(-1)!;
				ctx.emu.store.stop(run, 'canceled');
			}, 1500);
		}
		const { error } = await runNode({ parameters, credentials: creds() });
		expect(error?.message).toMatch(message);
	});

	test('an aborted prediction (deadline passed before it started) fails the item saying so', async () => {
		const slowStart = await new Emulator({ speed: 20, startupMs: 60_000, rateLimits: false }).start();
		try {
			const { error } = await runNode({ parameters: runParams('emulator/sleep', { seconds: 1 }, { syncWait: 1, cancelAfter: '5s' }), credentials: replicateCredentials(slowStart.baseUrl, slowStart.token) });
			expect(error?.message).toMatch(/was aborted/);
			expect(error?.description).toMatch(/deadline \(Cancel-After\) passed before it started/);
		} finally {
			await slowStart.stop();
		}
	});

	test('data_removed: waiting on an old prediction returns it with data_removed and no files', async () => {
		const old = await new Emulator({ speed: 20, retentionMs: 100, rateLimits: false }).start();
		try {
			const c = replicateCredentials(old.baseUrl, old.token);
			const first = await runNode({ parameters: runParams('emulator/flux-lite', { prompt: 'x' }, { download: false }), credentials: c });
			await new Promise((r) => setTimeout(r, 100));
			const { items, error } = await runNode({ parameters: { resource: 'prediction', operation: 'wait', predictionId: first.items[0].json.id }, credentials: c });
			expect(error).toBeUndefined();
			expect(items[0].json).toMatchObject({ data_removed: true, output: null });
			expect(items[0].binary).toBeUndefined();
		} finally {
			await old.stop();
		}
	});

	test('an expired output URL fails the download clearly', async () => {
		const short = await new Emulator({ speed: 20, outputTtlMs: 10, rateLimits: false }).start();
		try {
			const c = replicateCredentials(short.baseUrl, short.token);
			const first = await runNode({ parameters: runParams('emulator/flux-lite', { prompt: 'x' }, { download: false }), credentials: c });
			await new Promise((r) => setTimeout(r, 50));
			const { error } = await runNode({ parameters: { resource: 'prediction', operation: 'wait', predictionId: first.items[0].json.id }, credentials: c });
			expect(error?.message).toMatch(/Could not download output file .*: HTTP 404/);
			expect(error?.description).toMatch(/one hour/);
		} finally {
			await short.stop();
		}
	});

	test('webhook: a delivery Replicate retries after a failed answer is deduplicated by the trigger', async () => {
		const body = JSON.stringify({ id: 'retried0000000000000000000', status: 'succeeded' });
		const ts = Math.floor(Date.now() / 1000);
		const headers = { 'webhook-id': 'msg_retried', 'webhook-timestamp': String(ts), 'webhook-signature': signWebhook(ctx.emu.options.webhookSecret, 'msg_retried', ts, body) };
		const staticData = {};
		const parameters = { events: ['completed'], statuses: [], options: {} };
		const c = replicateCredentials(ctx.emu.baseUrl, ctx.emu.token, { webhookSecret: ctx.emu.options.webhookSecret });
		const first = await callWebhook({ parameters, credentials: c, staticData, headers, rawBody: Buffer.from(body) });
		const retry = await callWebhook({ parameters, credentials: c, staticData, headers, rawBody: Buffer.from(body) });
		expect(first.response.workflowData).toHaveLength(1);
		expect(retry.response.workflowData).toBeUndefined();
		expect(retry.status).toBe(200);
	});
});

test('matrix shape: every class meets every fault', () => {
	expect(CLASSES.map((c) => c.name)).toEqual(['create', 'get (polling)', 'list', 'download', 'upload', 'cancel']);
	expect(FAULTS).toHaveLength(6);
});
