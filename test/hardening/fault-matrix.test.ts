// Fault matrix: for each operation class, each emulator fault either recovers or fails the item with
// a clear message. Every case also counts the predictions the emulator created (no duplicates) and
// checks that no partial file is passed on.
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { Emulator, type Fault } from '../emulator';
import { callWebhook, readBinary, replicateCredentials, runNode } from '../harness/n8n';
import { until, useEmulator } from '../helpers/emulator';
import { rl, runParams } from '../helpers/params';
import { signWebhook } from '../emulator';
import { timings } from '../../nodes/common/transport';

const ctx = useEmulator({ speed: 20 });
// The node's own waits (retry backoff, Retry-After, polls) run at the emulator's speed too.
const savedTimings = { ...timings };
beforeAll(() => {
	timings.scale = 1 / 20;
});
afterAll(() => {
	Object.assign(timings, savedTimings);
});
const creds = () => replicateCredentials(ctx.emu.baseUrl, ctx.emu.token);
const throttled: Fault = {
	status: 429,
	headers: { 'retry-after': '1' },
	body: {
		detail: 'Request was throttled. Your rate limit resets in ~1s.',
		status: 429,
		retry_after: 1,
	},
};
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
	/** …and what its description must say. */
	failureDescription?: RegExp;
	/** Undoes what setup left running. */
	cleanup?: (setup: IDataObject) => Promise<unknown>;
	/** How many predictions one run creates. */
	creates: number;
	phase?: 'before' | 'after';
}

const imageRun = (options: IDataObject = {}) =>
	runNode({
		parameters: runParams('emulator/flux-lite', { prompt: 'x', num_outputs: 1 }, options),
		credentials: creds(),
	});
const uploadRun = () =>
	runNode({
		parameters: { resource: 'file', operation: 'upload', binaryProperty: 'data' },
		credentials: creds(),
		input: [
			{
				json: {},
				binary: {
					data: {
						data: Buffer.from('bytes to upload').toString('base64'),
						mimeType: 'text/plain',
						fileName: 'u.txt',
					},
				},
			},
		],
	});
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
		// The request reached Replicate: the user is told a billed prediction may run, and when.
		failureDescription:
			/may have reached Replicate and started a billed prediction: look for predictions created between \S+Z and \S+Z/,
		creates: 1,
	},
	{
		name: 'get (polling)',
		path: /^\/v1\/predictions\/[a-z0-9]+$/,
		method: 'GET',
		run: () =>
			runNode({
				parameters: runParams('emulator/sleep', { seconds: 1 }, { syncWait: 1 }),
				credentials: creds(),
			}),
		recovers: always,
		failure: /never/,
		creates: 1,
	},
	{
		name: 'list',
		path: /^\/v1\/predictions$/,
		method: 'GET',
		run: () =>
			runNode({
				parameters: { resource: 'prediction', operation: 'getMany', returnAll: false, limit: 5 },
				credentials: creds(),
			}),
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
		setup: async () => ({
			id: (
				await runNode({
					parameters: { ...runParams('emulator/sleep', { seconds: 3600 }), operation: 'create' },
					credentials: creds(),
				})
			).items[0].json.id,
		}),
		run: (s) =>
			runNode({
				parameters: { resource: 'prediction', operation: 'cancel', predictionId: s.id },
				credentials: creds(),
			}),
		recovers: always,
		failure: /never/,
		creates: 0,
		cleanup: (s) =>
			runNode({
				parameters: { resource: 'prediction', operation: 'cancel', predictionId: s.id },
				credentials: creds(),
			}),
	},
	{
		name: 'training cancel',
		path: /^\/v1\/trainings\/[a-z0-9]+\/cancel$/,
		method: 'POST',
		setup: async () => {
			if (!ctx.emu.store.models.has('emulator/tuned'))
				await runNode({
					parameters: {
						resource: 'model',
						operation: 'create',
						owner: 'emulator',
						name: 'tuned',
						visibility: 'private',
						hardware: 'cpu',
					},
					credentials: creds(),
				});
			const t = await runNode({
				parameters: {
					resource: 'training',
					operation: 'create',
					model: rl('emulator/trainable'),
					version: rl('', 'list'),
					destination: 'emulator/tuned',
					input: '{"steps": 5000}',
				},
				credentials: creds(),
			});
			return { trainingId: t.items[0].json.id };
		},
		// Declared idempotent like Prediction → Cancel (it was not retried on 5xx, being a POST).
		run: (s) =>
			runNode({
				parameters: { resource: 'training', operation: 'cancel', trainingId: s.trainingId },
				credentials: creds(),
			}),
		recovers: always,
		failure: /never/,
		creates: 0,
		cleanup: (s) =>
			runNode({
				parameters: { resource: 'training', operation: 'cancel', trainingId: s.trainingId },
				credentials: creds(),
			}),
	},
	{
		name: 'delete (answer lost)',
		path: /^\/v1\/files\/[a-z0-9]+$/,
		method: 'DELETE',
		phase: 'after', // the file is deleted, then the answer is lost: the retry's 404 means done
		setup: async () => ({ fileId: (await uploadRun()).items[0].json.id }),
		run: (s) =>
			runNode({
				parameters: { resource: 'file', operation: 'delete', fileId: rl(s.fileId as string) },
				credentials: creds(),
			}),
		recovers: always,
		failure: /never/,
		creates: 0,
	},
];

describe.each(CLASSES)('$name', (cls) => {
	test.each(FAULTS)('%s', async (faultName, fault) => {
		const setup = cls.setup ? await cls.setup() : {};
		const before = predictionsCreated();
		ctx.emu.addFault({
			...fault,
			method: cls.method,
			path: cls.path,
			times: 2,
			phase: fault.status === 429 ? 'before' : (cls.phase ?? 'before'),
		});
		const out = await cls.run(setup);
		ctx.emu.clearFaults();
		if (cls.recovers(faultName)) {
			expect(out.error?.message).toBeUndefined();
			expect(out.items.length).toBeGreaterThan(0);
		} else {
			expect(out.error?.message).toMatch(cls.failure);
			if (cls.failureDescription)
				expect((out.error as { description?: string }).description).toMatch(cls.failureDescription);
			expect(out.items).toEqual([]); // nothing half-done is passed on
		}
		// Retries never create a second prediction.
		expect(predictionsCreated() - before).toBe(cls.creates);
		for (const item of out.items) {
			for (const b of Object.values(item.binary ?? {}))
				expect((await readBinary(b)).length).toBe(b.bytes);
		}
		// A cancel class leaves its prediction running when the cancel itself failed: clean up.
		await cls.cleanup?.(setup);
	});
});

describe('slow responses, model outcomes, expired data', () => {
	test('a poll answered slower than the timeout: the item fails clearly and the prediction is canceled', async () => {
		ctx.emu.addFault({
			method: 'GET',
			path: /^\/v1\/predictions\/[a-z0-9]+$/,
			latencyMs: 2500,
			times: 1,
		});
		const { error } = await runNode({
			parameters: runParams('emulator/sleep', { seconds: 3600 }, { syncWait: 1, timeout: 2 }),
			credentials: creds(),
		});
		expect(error?.message).toMatch(/timed out: not finished after 2 s/);
		expect(error?.description).toMatch(/stopped on Replicate/);
	});

	test.each([
		[
			'failed',
			runParams('emulator/always-fails', { after_ms: 10, message: 'out of VRAM' }),
			/failed: out of VRAM/,
		],
		[
			'canceled on Replicate',
			runParams('emulator/sleep', { seconds: 3600 }, { syncWait: 1 }),
			/was stopped on Replicate before it finished/,
		],
	])('a %s prediction fails the item with its reason', async (kind, parameters, message) => {
		const before = new Set(ctx.emu.store.predictions.keys());
		const running = runNode({ parameters, credentials: creds() });
		if (kind.startsWith('canceled')) {
			// Canceled on Replicate's side once the node is polling this run's prediction.
			const run = await until(() =>
				[...ctx.emu.store.predictions.values()].find((p) => !before.has(p.obj.id as string)),
			);
			await until(() => ctx.emu.log.some((l) => l.path === `/v1/predictions/${run.obj.id}`));
			ctx.emu.store.stop(run, 'canceled');
		}
		const { error } = await running;
		expect(error?.message).toMatch(message);
	});

	test('an aborted prediction (deadline passed before it started) fails the item saying so', async () => {
		const slowStart = await new Emulator({
			speed: 20,
			startupMs: 60_000,
			rateLimits: false,
		}).start();
		try {
			const { error } = await runNode({
				parameters: runParams('emulator/sleep', { seconds: 1 }, { syncWait: 1, cancelAfter: '5s' }),
				credentials: replicateCredentials(slowStart.baseUrl, slowStart.token),
			});
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
			const first = await runNode({
				parameters: runParams('emulator/flux-lite', { prompt: 'x' }, { download: false }),
				credentials: c,
			});
			// Until the emulator's retention has removed its data.
			await until(
				() => old.store.predictions.get(first.items[0].json.id as string)?.obj.data_removed,
			);
			const { items, error } = await runNode({
				parameters: {
					resource: 'prediction',
					operation: 'wait',
					predictionId: first.items[0].json.id,
				},
				credentials: c,
			});
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
			const first = await runNode({
				parameters: runParams('emulator/flux-lite', { prompt: 'x' }, { download: false }),
				credentials: c,
			});
			// Until the emulator's delivery host has let its files expire.
			await until(() =>
				[...short.store.deliveries.values()].every((d) => d.expiresAt < Date.now()),
			);
			const { error } = await runNode({
				parameters: {
					resource: 'prediction',
					operation: 'wait',
					predictionId: first.items[0].json.id,
				},
				credentials: c,
			});
			expect(error?.message).toMatch(/Could not download output file .*: HTTP 404/);
			expect(error?.description).toMatch(/one hour/);
		} finally {
			await short.stop();
		}
	});

	test('webhook: a delivery Replicate retries after a failed answer is deduplicated by the trigger', async () => {
		const body = JSON.stringify({ id: 'retried0000000000000000000', status: 'succeeded' });
		const ts = Math.floor(Date.now() / 1000);
		const headers = {
			'webhook-id': 'msg_retried',
			'webhook-timestamp': String(ts),
			'webhook-signature': signWebhook(ctx.emu.options.webhookSecret, 'msg_retried', ts, body),
		};
		const staticData = {};
		const parameters = { events: ['completed'], statuses: [], options: {} };
		const c = replicateCredentials(ctx.emu.baseUrl, ctx.emu.token, {
			webhookSecret: ctx.emu.options.webhookSecret,
		});
		const first = await callWebhook({
			parameters,
			credentials: c,
			staticData,
			headers,
			rawBody: Buffer.from(body),
		});
		const retry = await callWebhook({
			parameters,
			credentials: c,
			staticData,
			headers,
			rawBody: Buffer.from(body),
		});
		expect(first.response.workflowData).toHaveLength(1);
		expect(retry.response.workflowData).toBeUndefined();
		expect(retry.status).toBe(200);
	});
});

describe('broken answers', () => {
	test('a create answered 201 without a body says so instead of polling /predictions/undefined', async () => {
		const before = ctx.emu.log.length;
		ctx.emu.addFault({
			method: 'POST',
			path: /\/predictions$/,
			status: 201,
			rawBody: '',
			phase: 'after',
			times: 1,
		});
		const { error } = await imageRun();
		expect(error?.message).toMatch(
			/Replicate answered the create request with status 201 but an empty body/,
		);
		expect(ctx.emu.log.slice(before).some((l) => l.path.includes('undefined'))).toBe(false);
	});

	test('a poll that repeats a 502 ends with one clean sentence, not "Bad Gateway — Bad Gateway"', async () => {
		ctx.emu.addFault({
			method: 'GET',
			path: /^\/v1\/predictions\/[a-z0-9]+$/,
			status: 502,
			body: { title: 'Bad Gateway', detail: 'Bad Gateway', status: 502 },
		});
		const { error } = await runNode({
			parameters: runParams('emulator/sleep', { seconds: 1 }, { syncWait: 1 }),
			credentials: creds(),
		});
		expect(error?.message).toBe('Replicate: Bad Gateway');
		expect(error?.description ?? '').not.toMatch(/Bad Gateway/);
	});

	test('an output file given as a malformed data: URI fails clearly', async () => {
		ctx.emu.addFault({
			method: 'POST',
			path: /\/predictions$/,
			phase: 'after',
			times: 1,
			transform: (b) => ({ ...(b as IDataObject), output: ['data:text/plain,%E0%A4%A'] }),
		});
		const { error } = await imageRun();
		ctx.emu.violations.length = 0;
		expect(error?.message).toMatch(
			/Output file 0 is a data: URI whose text cannot be decoded \(broken %-escapes\) \[item 0\]/,
		);
		expect(error?.message).not.toMatch(/URI malformed/);
	});

	test('an output nested 100,000 levels deep fails clearly (the traversal is iterative)', async () => {
		ctx.emu.addFault({
			method: 'POST',
			path: /\/predictions$/,
			times: 1,
			status: 201,
			rawBody: `{"id":"deep0000000000000000000000","status":"succeeded","output":${'['.repeat(100_000)}"https://x.invalid/a.png"${']'.repeat(100_000)}}`,
		});
		const { error } = await imageRun();
		expect(error?.message).toMatch(
			/The output of prediction deep0000000000000000000000 is nested more than 1000 levels deep \[item 0\]/,
		);
		expect(error?.message).not.toMatch(/call stack/);
	});

	test('an upload whose size is wrong and whose checksum Replicate does not report says what was compared, without "undefined"', async () => {
		ctx.emu.addFault({
			method: 'POST',
			path: /^\/v1\/files$/,
			phase: 'after',
			times: 1,
			transform: (b) => ({ ...(b as IDataObject), size: 3, checksums: {} }),
		});
		const { error } = await uploadRun();
		ctx.emu.violations.length = 0;
		expect(error?.message).toMatch(/upload of "data" did not arrive intact \[item 0\]$/);
		expect(error?.description).toMatch(/15 bytes were sent and Replicate stored 3/);
		expect(error?.description).not.toMatch(/undefined/);
	});
});
