// Nothing lost, nothing silent (issue 12): the trigger runs once per delivery, n8n's Retry On Fail
// and Continue On Fail work with the node, waiting is bounded by the Timeout, lists and retries end.
// Waits are scaled to the emulator's speed (timings.scale), so tests count requests instead of
// waiting in real time.
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { signWebhook } from '../emulator';
import { callWebhook, replicateCredentials, runNode, type WebhookResult } from '../harness/n8n';
import { until, useEmulator } from '../helpers/emulator';
import { rl, runParams } from '../helpers/params';
import { pollDelay, pollSchedules, pollTimings } from '../../nodes/common/lifecycle/schedule';
import * as transport from '../../nodes/common/transport';
import { scaled, timings } from '../../nodes/common/transport';

const SPEED = 10;
const ctx = useEmulator({ speed: SPEED });
const creds = () => replicateCredentials(ctx.emu.baseUrl, ctx.emu.token);
const saved = { ...timings };
beforeAll(() => {
	timings.scale = 1 / SPEED;
});
afterAll(() => {
	Object.assign(timings, saved);
});

const creates = () =>
	ctx.emu.requests().filter((r) => /predictions\.create$/.test(r.operationId ?? ''));
const predictionGets = (id: string) =>
	ctx.emu.log.filter((l) => l.method === 'GET' && l.path === `/v1/predictions/${id}`);
/** Items that each run their own model and input (JSON input from the item). */
const perItem = (options: IDataObject = {}) => ({
	...runParams('', {}, options),
	model: rl('={{ $json.model }}'),
	inputMode: 'json',
	inputJson: '={{ JSON.stringify($json.input) }}',
});

describe('the trigger starts exactly one execution per delivery', () => {
	const triggerCreds = () =>
		replicateCredentials(ctx.emu.baseUrl, ctx.emu.token, {
			webhookSecret: ctx.emu.options.webhookSecret,
		});
	let seq = 0;
	const uniqueId = (tag: string) => `msg_${tag}_${Date.now().toString(36)}_${seq++}`;
	function headersFor(id: string, body: string) {
		const ts = Math.floor(Date.now() / 1000);
		return {
			'webhook-id': id,
			'webhook-timestamp': String(ts),
			'webhook-signature': signWebhook(ctx.emu.options.webhookSecret, id, ts, body),
		};
	}
	/**
	 * n8n loads a workflow's static data for each request and saves it after the response: every
	 * delivery works on its own copy of what was saved last, and the last save wins.
	 */
	function n8nStaticData() {
		let persisted: IDataObject = {};
		return {
			async deliver(
				id: string,
				body: string,
				options: IDataObject = {},
				nodeId?: string,
			): Promise<WebhookResult> {
				const copy = JSON.parse(JSON.stringify(persisted)) as IDataObject;
				const r = await callWebhook({
					parameters: { events: ['completed'], statuses: [], options },
					credentials: triggerCreds(),
					staticData: copy,
					headers: headersFor(id, body),
					rawBody: Buffer.from(body),
					nodeId,
				});
				persisted = r.staticData;
				return r;
			},
			get persisted() {
				return persisted;
			},
		};
	}
	const started = (results: WebhookResult[]) =>
		results.filter((r) => r.response.workflowData).length;
	const predictionBody = (n: number) =>
		JSON.stringify({ id: `pred${String(n).padStart(22, '0')}`, status: 'succeeded', output: 'x' });

	test('10 concurrent deliveries of one webhook-id start one execution; the others are answered 200 as duplicates', async () => {
		const store = n8nStaticData();
		const id = uniqueId('same');
		const results = await Promise.all(
			Array.from({ length: 10 }, () => store.deliver(id, predictionBody(1))),
		);
		expect(started(results)).toBe(1);
		expect(
			results
				.filter((r) => !r.response.workflowData)
				.every((r) => r.status === 200 && (r.body as IDataObject).duplicate === true),
		).toBe(true);
	});

	test('10 predictions delivered at once, then all 10 delivered again: 10 executions, none for the replays', async () => {
		const store = n8nStaticData();
		const ids = Array.from({ length: 10 }, () => uniqueId('ten'));
		const first = await Promise.all(ids.map((id, n) => store.deliver(id, predictionBody(n))));
		// Concurrent saves overwrite each other: the persisted list lost most ids (as n8n's does).
		expect(Object.keys((store.persisted.seenWebhookIds ?? {}) as IDataObject).length).toBeLessThan(
			10,
		);
		const replay = await Promise.all(ids.map((id, n) => store.deliver(id, predictionBody(n))));
		expect(started(first)).toBe(10);
		expect(started(replay)).toBe(0);
	});

	test('a retry that arrives while the first delivery still downloads is answered 200 at once and starts nothing', async () => {
		const made = await runNode({
			parameters: runParams(
				'emulator/flux-lite',
				{ prompt: 'x', num_outputs: 1 },
				{ download: false },
			),
			credentials: creds(),
		});
		const body = JSON.stringify(made.items[0].json);
		ctx.emu.addFault({ method: 'GET', path: /^\/d\//, latencyMs: 1500, times: 1 });
		const store = n8nStaticData();
		const id = uniqueId('slow');
		const slow = store.deliver(id, body, { download: true });
		await until(() => ctx.emu.log.some((l) => l.server === 'cdn' && l.fault && l.status === 0));
		const retry = await store.deliver(id, body, { download: true });
		// Answered while the first one is still downloading.
		expect(
			ctx.emu.log.filter((l) => l.server === 'cdn' && l.fault).every((l) => l.status === 0),
		).toBe(true);
		expect(retry.status).toBe(200);
		expect(retry.response.workflowData).toBeUndefined();
		const first = await slow;
		expect(first.response.workflowData?.[0][0].binary?.data).toBeDefined();
	});

	test("a delivery whose download fails is not remembered: Replicate's retry of it is taken", async () => {
		const body = JSON.stringify({
			id: 'pred0000000000000000000404',
			status: 'succeeded',
			output: [`${ctx.emu.cdnOrigin}/d/missing/out.png`],
		});
		const store = n8nStaticData();
		const id = uniqueId('fails');
		await expect(store.deliver(id, body, { download: true })).rejects.toThrow(
			/Could not download output file .*HTTP 404/,
		);
		const retry = await store.deliver(
			id,
			JSON.stringify({ ...JSON.parse(body), output: 'no file now' }),
			{ download: true },
		);
		expect(retry.response.workflowData).toHaveLength(1);
	});

	test('the guard is per trigger node: the same webhook-id reaching two different triggers starts both', async () => {
		const id = uniqueId('two');
		const a = await n8nStaticData().deliver(
			id,
			predictionBody(2),
			{},
			'a1b2c3d4-0000-4000-8000-00000000000a',
		);
		const b = await n8nStaticData().deliver(
			id,
			predictionBody(2),
			{},
			'a1b2c3d4-0000-4000-8000-00000000000b',
		);
		expect(started([a, b])).toBe(2);
	});

	test('a negative Timestamp Tolerance is refused, naming the option (and starts nothing)', async () => {
		const r = await n8nStaticData().deliver(uniqueId('tol'), predictionBody(3), { tolerance: -5 });
		expect(r.response.workflowData).toBeUndefined();
		expect(r.status).toBe(500);
		expect((r.body as IDataObject).error).toMatch(
			/"Timestamp Tolerance \(Seconds\)" option must be a positive number \(got -5\)/,
		);
	});
});

describe("n8n's Retry On Fail and Continue On Fail", () => {
	const retry = { retryOnFail: true, maxTries: 3, waitBetweenTries: 10 };
	const fiveItems = Array.from({ length: 5 }, (_, n) => ({ json: { n } }));

	test('no successful item looks failed to n8n: 5 items with Retry On Fail and no fault make 5 predictions', async () => {
		const before = creates().length;
		const { items, error } = await runNode({
			parameters: runParams(
				'emulator/flux-lite',
				{ prompt: 'x', num_outputs: 1 },
				{ download: false },
			),
			credentials: creds(),
			input: fiveItems,
			nodeSettings: retry,
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(5);
		expect(items.every((i) => i.json.status === 'succeeded' && !('error' in i.json))).toBe(true);
		expect(creates().length - before).toBe(5);
	});

	test('Retry On Fail repeats only the item that failed: one failed create, 5 predictions in all', async () => {
		const before = creates().length;
		const predictionsBefore = ctx.emu.store.predictions.size;
		ctx.emu.addFault({ method: 'POST', path: /\/predictions$/, nth: 3, status: 500 });
		const { items, error } = await runNode({
			parameters: runParams(
				'emulator/flux-lite',
				{ prompt: 'x', num_outputs: 1 },
				{ download: false },
			),
			credentials: creds(),
			input: fiveItems,
			nodeSettings: retry,
		});
		expect(error).toBeUndefined();
		expect(items.map((i) => i.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
		expect(ctx.emu.store.predictions.size - predictionsBefore).toBe(5);
		expect(creates().length - before).toBe(6); // 5 + the one repeated
	});

	test('Continue On Fail returns the failed prediction (id, status, input, logs) with the error', async () => {
		const { items, error } = await runNode({
			parameters: runParams('emulator/always-fails', { after_ms: 10, message: 'boom' }),
			credentials: creds(),
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		const json = items[0].json;
		expect(json).toMatchObject({
			status: 'failed',
			input: { after_ms: 10, message: 'boom' },
			error: expect.stringMatching(/failed: boom \[item 0\]/),
		});
		expect(ctx.emu.store.predictions.get(json.id as string)?.status).toBe('failed');
		expect(json.logs).toMatch(/RuntimeError: boom/);
	});
});

describe('when another item fails', () => {
	test('a prediction being polled is canceled at once, even with its poll request in flight', async () => {
		const before = ctx.emu.log.length;
		ctx.emu.addFault({
			method: 'GET',
			path: /^\/v1\/predictions\/[a-z0-9]+$/,
			latencyMs: 70_000,
			nth: 1,
		});
		// Item 0 polls (its first poll hangs); item 1 fails inside its sync hold, so it never polls.
		const { error } = await runNode({
			parameters: perItem({ syncWait: '={{ $json.syncWait }}' }),
			credentials: creds(),
			input: [
				{ json: { model: 'emulator/sleep', input: { seconds: 3600 }, syncWait: 1 } },
				{
					json: {
						model: 'emulator/always-fails',
						input: { after_ms: 10000, message: 'boom' },
						syncWait: 30,
					},
				},
			],
		});
		expect(error?.message).toMatch(/failed: boom \[item 1\]/);
		const slow = ctx.emu.log.slice(before).find((l) => l.fault?.startsWith('latency'))!;
		expect(slow.status).toBe(0); // the node was done before that poll was answered
		const sleeper = [...ctx.emu.store.predictions.values()].find(
			(p) => p.obj.model === 'emulator/sleep' && slow.path.endsWith(p.obj.id as string),
		)!;
		expect(sleeper.status).toBe('canceled');
	});

	test('a create still in its sync hold is canceled when its answer arrives', async () => {
		const { error } = await runNode({
			parameters: perItem({ syncWait: 5 }),
			credentials: creds(),
			input: [
				{ json: { model: 'emulator/sleep', input: { seconds: 3600 } } },
				{ json: { model: 'emulator/always-fails', input: { after_ms: 10, message: 'early' } } },
			],
		});
		expect(error?.message).toMatch(/failed: early \[item 1\]/);
		const sleeper = [...ctx.emu.store.predictions.values()]
			.filter((p) => p.obj.model === 'emulator/sleep')
			.at(-1)!;
		expect(sleeper.status).toBe('canceled');
		expect(predictionGets(sleeper.obj.id as string)).toHaveLength(0); // canceled from the create's answer, never polled
	});
});

describe('waiting is bounded by the Timeout', () => {
	test('an API that never answers the poll: the item times out at its Timeout, and the prediction is stopped', async () => {
		const before = ctx.emu.log.length;
		ctx.emu.addFault({ method: 'GET', path: /^\/v1\/predictions\/[a-z0-9]+$/, latencyMs: 70_000 });
		const { error, run } = await runNode({
			parameters: runParams('emulator/sleep', { seconds: 3600 }, { syncWait: 1, timeout: 2 }),
			credentials: creds(),
		});
		expect(error?.message).toMatch(/timed out: not finished after 2 s \[item 0\]/);
		const polls = ctx.emu.log.slice(before).filter((l) => l.fault?.startsWith('latency'));
		expect(polls.length).toBeGreaterThan(0);
		expect(polls.every((l) => l.status === 0)).toBe(true); // no request outlived the Timeout
		const id = /Prediction ([a-z0-9]+)/.exec(error!.message)![1];
		expect(ctx.emu.store.predictions.get(id)?.status).toBe('canceled');
		// A timeout is a failure, not a user's stop: n8n lists it as an error.
		expect(error?.message).not.toMatch(/canceled/);
		expect(run.status).toBe('error');
	});

	test("a user's stop still shows as canceled", async () => {
		let stop = () => {};
		const running = runNode({
			parameters: runParams('emulator/sleep', { seconds: 3600 }, { syncWait: 1 }),
			credentials: creds(),
			onStart: (r) => (stop = () => r.cancel()),
		});
		await until(() =>
			ctx.emu.log.some((l) => l.method === 'GET' && /^\/v1\/predictions\/[a-z0-9]+$/.test(l.path)),
		);
		stop();
		const { run } = await running;
		expect(run.status).toBe('canceled');
	});

	test.each([
		['by default (Timeout 30 s + 60 s margin)', {}, 90],
		['not with Cancel on Timeout off', { cancelOnTimeout: false }, undefined],
		['not with Server-Side Deadline "off"', { cancelAfter: 'off' }, undefined],
		['as given in Server-Side Deadline', { cancelAfter: '2m' }, 120],
	])('Cancel-After is sent %s', async (_name, options, seconds) => {
		const { items, error } = await runNode({
			parameters: runParams('emulator/sleep', { seconds: 1 }, { timeout: 30, ...options }),
			credentials: creds(),
		});
		expect(error).toBeUndefined();
		const p = ctx.emu.store.predictions.get(items[0].json.id as string)!.obj;
		const deadline = p.deadline
			? ((Date.parse(p.deadline as string) - Date.parse(p.created_at as string)) * SPEED) / 1000
			: undefined;
		expect(deadline).toBe(seconds);
	});

	test('after the sync hold, polls follow the ramp (pollTimings.afterHoldRampMs, scaled) until the prediction ends', async () => {
		// Which waits the node asks for, read from its pause() calls: no wall-clock timing involved.
		const waits = jest.spyOn(transport, 'pause');
		const before = ctx.emu.log.length;
		let stop = () => {};
		try {
			const running = runNode({
				parameters: runParams('emulator/sleep', { seconds: 3600 }, { syncWait: 1 }),
				credentials: creds(),
				onStart: (r) => (stop = () => r.cancel()),
			});
			const polls = () =>
				ctx.emu.log
					.slice(before)
					.filter((l) => l.method === 'GET' && /^\/v1\/predictions\/[a-z0-9]+$/.test(l.path));
			await until(() => polls().length >= 4);
			stop();
			await running;
			// The create (its 1 s hold ran out), then only polls of that prediction until the stop (a model
			// lookup before the create is not part of the wait).
			const log = ctx.emu.log.slice(before).filter((l) => l.server === 'api');
			const create = log.findIndex((l) => /predictions\.create$/.test(l.operationId ?? ''));
			const id = polls()[0].path.split('/').at(-1);
			expect(log.slice(create + 1, create + 5).map((l) => l.path)).toEqual(
				Array(4).fill(`/v1/predictions/${id}`),
			);
			expect(waits.mock.calls.slice(0, 4).map(([ms]) => ms)).toEqual(
				pollTimings.afterHoldRampMs.slice(0, 4).map((ms) => scaled(ms)),
			);
		} finally {
			waits.mockRestore();
		}
	});

	/** The node's poll schedule after a hold: when it notices a run that ends `afterHoldMs` later. */
	function pollsToNotice(afterHoldMs: number) {
		let t = 0;
		let n = 0;
		while (t < afterHoldMs) t += pollDelay(pollSchedules.afterHold(5000), n++);
		return { polls: n, lateMs: t - afterHoldMs };
	}

	test('the schedule after the hold: a 65 s model (5.15 s past the hold) is noticed within 1.5 s with 4 polls; at most one request per 5 s over any run', () => {
		const { polls, lateMs } = pollsToNotice(65_150 - 60_000);
		expect(1 + polls).toBeLessThanOrEqual(5);
		expect(lateMs).toBeLessThanOrEqual(1500);
		// Runs ending anywhere from the hold to an hour later: requests so far (create + polls) never
		// exceed one per 5 s of the run's life (the hold itself is 60 s with one request).
		const over: number[] = [];
		for (let end = 0; end <= 3_600_000; end += 1000) {
			const r = pollsToNotice(end);
			if (1 + r.polls > (60_000 + end + r.lateMs) / 5000) over.push(end);
		}
		expect(over).toEqual([]);
	});
});

describe('answers that say nothing useful', () => {
	test('a 5xx answer to a create warns that a billed prediction may be running, with the time window', async () => {
		ctx.emu.addFault({
			method: 'POST',
			path: /\/predictions$/,
			status: 502,
			phase: 'after',
			times: 1,
		});
		const { error } = await runNode({
			parameters: runParams('emulator/sleep', { seconds: 1 }),
			credentials: creds(),
		});
		expect(error?.message).toBe('Replicate: Bad Gateway');
		expect(error?.description).toMatch(
			/may have reached Replicate and started a billed prediction: look for predictions created between \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ and \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/,
		);
		expect(error?.description).not.toMatch(/Bad Gateway/);
	});

	test.each([
		['an empty body', '', /status 201 but an empty body/],
		['JSON without an id', '{"status":"starting"}', /status 201 but JSON without a prediction id/],
		['text', 'Created', /status 201 but a body that is not JSON/],
	])(
		'a create answered 201 with %s says so (and polls nothing)',
		async (_name, rawBody, message) => {
			const before = ctx.emu.log.length;
			ctx.emu.addFault({
				method: 'POST',
				path: /\/predictions$/,
				status: 201,
				rawBody,
				phase: 'after',
				times: 1,
			});
			const { error } = await runNode({
				parameters: runParams('emulator/sleep', { seconds: 1 }),
				credentials: creds(),
			});
			expect(error?.message).toMatch(message);
			expect(error?.description).toMatch(/may have reached Replicate/);
			expect(
				ctx.emu.log
					.slice(before)
					.filter((l) => l.method === 'GET' && l.path.startsWith('/v1/predictions/')),
			).toEqual([]);
		},
	);
});

describe('lists and retries end', () => {
	const getMany = (extra: IDataObject) =>
		runNode({
			parameters: { resource: 'prediction', operation: 'getMany', ...extra },
			credentials: creds(),
		});
	const listRequests = (from: number) =>
		ctx.emu.log.slice(from).filter((l) => l.path === '/v1/predictions' && l.method === 'GET')
			.length;

	test.each([
		['Return All', { returnAll: true }],
		['Limit 5', { returnAll: false, limit: 5 }],
	])('a next cursor that repeats stops Get Many with a clear error (%s)', async (_name, extra) => {
		if (!ctx.emu.store.predictions.size)
			await runNode({
				parameters: runParams('emulator/sleep', { seconds: 0 }),
				credentials: creds(),
			});
		const before = ctx.emu.log.length;
		// Every page holds one prediction and points back to the first page.
		const again = `${ctx.emu.baseUrl}/predictions`;
		ctx.emu.addFault({
			method: 'GET',
			path: /^\/v1\/predictions$/,
			phase: 'after',
			transform: (b) => ({
				results: ((b as { results?: IDataObject[] }).results ?? []).slice(0, 1),
				next: again,
			}),
		});
		const { error } = await getMany(extra);
		expect(error?.message).toMatch(
			/Replicate's list \/predictions did not end: page 2 points back to a page already read \[item 0\]/,
		);
		expect(listRequests(before)).toBe(2);
	});

	test('empty pages that still carry a next cursor stop Get Many with a clear error', async () => {
		const before = ctx.emu.log.length;
		let n = 0;
		ctx.emu.addFault({
			method: 'GET',
			path: /^\/v1\/predictions$/,
			phase: 'after',
			transform: () => ({ results: [], next: `${ctx.emu.baseUrl}/predictions?cursor=c${n++}` }),
		});
		const { error } = await getMany({ returnAll: true });
		expect(error?.message).toMatch(
			/Replicate's list \/predictions did not end: page 1 is empty but points to a next page \[item 0\]/,
		);
		expect(listRequests(before)).toBe(1);
	});

	test('a DELETE whose 2xx answer was lost is retried, and the 404 it then gets means done', async () => {
		const file: INodeExecutionData[] = [
			{
				json: {},
				binary: {
					data: {
						data: Buffer.from('delete me').toString('base64'),
						mimeType: 'text/plain',
						fileName: 'd.txt',
					},
				},
			},
		];
		const up = await runNode({
			parameters: { resource: 'file', operation: 'upload', binaryProperty: 'data' },
			credentials: creds(),
			input: file,
		});
		const id = up.items[0].json.id as string;
		ctx.emu.addFault({
			method: 'DELETE',
			path: `/v1/files/${id}`,
			phase: 'after',
			reset: true,
			times: 1,
		});
		const { items, error } = await runNode({
			parameters: { resource: 'file', operation: 'delete', fileId: rl(id) },
			credentials: creds(),
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toEqual({ deleted: true });
		expect(
			ctx.emu.log
				.filter((l) => l.method === 'DELETE' && l.path === `/v1/files/${id}`)
				.map((l) => l.status),
		).toEqual([0, 404]);
	});

	test('a DELETE that gets 404 on its first attempt still fails: the file was not there', async () => {
		const { error } = await runNode({
			parameters: { resource: 'file', operation: 'delete', fileId: rl('nosuchfile00000000000000') },
			credentials: creds(),
		});
		expect(error?.message).toMatch(/not found/i);
	});
});
