// Prediction → Run in-process (n8n-core's WorkflowExecute) against the emulator.
import { createHash } from 'node:crypto';

import { readBinary, replicateCredentials, runNode } from '../harness/n8n';
import { until, useEmulator } from '../helpers/emulator';
import { rl, runParams } from '../helpers/params';

const ctx = useEmulator({ speed: 10 });
const creds = () => replicateCredentials(ctx.emu.baseUrl, ctx.emu.token);
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const versionOf = (model: string) => ctx.emu.store.models.get(model)!.versions[0].id;
const created = () =>
	ctx.emu
		.requests()
		.filter((r) => /predictions\.create$/.test(r.operationId ?? '') && r.status === 201).length;

describe('sync wait', () => {
	test('a sync wait that ends before the prediction does (documented) is followed by polling to the end', async () => {
		ctx.emu.options.syncHoldCapMs = 500;
		try {
			const before = ctx.emu.log.length;
			const { items, error } = await runNode({
				parameters: runParams(`emulator/sleep:${versionOf('emulator/sleep')}`, {
					seconds: 5,
					label: 'late',
				}),
				credentials: creds(),
			});
			expect(error).toBeUndefined();
			expect(items[0].json).toMatchObject({ status: 'succeeded', output: 'late after 5s' });
			const ops = ctx.emu.log
				.slice(before)
				.filter((l) => l.server === 'api')
				.map((l) => l.operationId);
			expect(ops.filter((o) => o === 'predictions.create')).toHaveLength(1);
			expect(ops).toContain('predictions.get');
		} finally {
			ctx.emu.options.syncHoldCapMs = Number.POSITIVE_INFINITY;
		}
	});
});

describe('what runs', () => {
	test('an official model: one create request (sync), every file as binary with correct bytes, MIME and name', async () => {
		const before = ctx.emu.log.length;
		const { items, error } = await runNode({
			parameters: runParams('emulator/flux-lite', { prompt: 'a lighthouse', num_outputs: 3 }),
			credentials: creds(),
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(1);
		const [item] = items;
		expect(item.json).toMatchObject({
			status: 'succeeded',
			model: 'emulator/flux-lite',
			version: 'hidden',
			input: { prompt: 'a lighthouse', num_outputs: 3 },
		});
		const urls = item.json.output as string[];
		expect(Object.keys(item.binary ?? {})).toEqual(['data', 'data_1', 'data_2']);
		for (const [i, key] of ['data', 'data_1', 'data_2'].entries()) {
			const bin = item.binary![key];
			expect(bin).toMatchObject({
				mimeType: 'image/png',
				fileName: `out-${i}.png`,
				fileExtension: 'png',
			});
			const stored = await readBinary(bin);
			const original = Buffer.from(await (await fetch(urls[i])).arrayBuffer());
			expect(md5(stored)).toBe(md5(original));
			expect(stored.subarray(1, 4).toString()).toBe('PNG');
		}
		const log = ctx.emu.log.slice(before);
		expect(log.filter((l) => l.server === 'api').map((l) => l.operationId)).toEqual([
			'models.get',
			'models.predictions.create',
		]);
		// Output files live on another origin: the token is never sent there.
		expect(log.filter((l) => l.server === 'cdn').every((l) => !l.sentAuthorization)).toBe(true);
	});

	test('a model version (owner/name:version) with JSON input goes to POST /predictions', async () => {
		const v = versionOf('emulator/sdxl-lite');
		const { items, error } = await runNode({
			parameters: {
				...runParams(`emulator/sdxl-lite:${v}`, {}),
				inputMode: 'json',
				inputJson: JSON.stringify({ prompt: 'fox', num_outputs: 1, width: 128 }),
			},
			credentials: creds(),
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ status: 'succeeded', version: v });
		expect(Object.keys(items[0].binary!)).toEqual(['data']);
		expect(ctx.emu.requests('predictions.create').at(-1)?.status).toBe(201);
	});

	test('a version picked in the Version parameter, and a model URL', async () => {
		const versions = ctx.emu.store.models.get('emulator/sdxl-lite')!.versions;
		const older = versions[versions.length - 1].id;
		const { items } = await runNode({
			parameters: {
				...runParams('', { prompt: 'x', num_outputs: 1 }),
				model: rl('https://replicate.com/emulator/sdxl-lite', 'url'),
				version: rl(older),
			},
			credentials: creds(),
		});
		expect(items[0].json.version).toBe(older);
	});

	test('a deployment', async () => {
		const { items, error } = await runNode({
			parameters: {
				...runParams('', { prompt: 'x', num_outputs: 1 }),
				runTarget: 'deployment',
				deployment: rl('emulator/image-prod'),
			},
			credentials: creds(),
		});
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({
			status: 'succeeded',
			deployment: 'emulator/image-prod',
			model: 'emulator/sdxl-lite',
		});
		expect(ctx.emu.requests('deployments.predictions.create').length).toBe(1);
	});
});

describe('inputs', () => {
	test('schema fields are coerced to their types (strings from expressions become numbers and booleans)', async () => {
		const { items, error } = await runNode({
			parameters: runParams('emulator/sdxl-lite', {
				prompt: 'x',
				num_outputs: '1',
				width: '64',
				guidance_scale: '3.5',
				apply_watermark: 'false',
				lora_scales: '[0.5, 1]',
			}),
			credentials: creds(),
		});
		expect(error).toBeUndefined();
		expect(items[0].json.input).toEqual({
			prompt: 'x',
			num_outputs: 1,
			width: 64,
			guidance_scale: 3.5,
			apply_watermark: false,
			lora_scales: [0.5, 1],
		});
	});

	test.each([
		[
			'a value outside an enum',
			{ prompt: 'x', width: 999 },
			/Invalid model input "Width" \(width\): must be one of 64, 128, 256 \(got 999\) \[item 0\]/,
		],
		[
			'a value above the maximum',
			{ prompt: 'x', num_outputs: 9 },
			/"Num Outputs" \(num_outputs\): must be at most 4 \(got 9\) \[item 0\]/,
		],
		[
			'a wrong type',
			{ prompt: 'x', guidance_scale: 'loud' },
			/"Guidance Scale" \(guidance_scale\): must be a number \(got "loud"\) \[item 0\]/,
		],
		[
			'an unknown input',
			{ prompt: 'x', colour: 'red' },
			/"Colour" \(colour\): this model has no such input \[item 0\]/,
		],
	])('%s fails the item naming the field, before any prediction', async (_name, input, message) => {
		const before = created();
		const { error } = await runNode({
			parameters: runParams('emulator/sdxl-lite', input),
			credentials: creds(),
		});
		expect(error?.message).toMatch(message);
		expect(created()).toBe(before);
	});

	test('a missing required input, invalid JSON and a malformed model reference are caught locally', async () => {
		const before = created();
		expect(
			(await runNode({ parameters: runParams('emulator/llm-stream', {}), credentials: creds() }))
				.error?.message,
		).toMatch(/"Prompt" \(prompt\): is required by this model \[item 0\]/);
		expect(
			(
				await runNode({
					parameters: {
						...runParams('emulator/llm-stream', {}),
						inputMode: 'json',
						inputJson: '{"prompt": ',
					},
					credentials: creds(),
				})
			).error?.message,
		).toMatch(/"Input \(JSON\)" parameter is not valid JSON/);
		expect(
			(
				await runNode({
					parameters: { ...runParams('', { prompt: 'x' }), model: rl('={{ "not a model" }}') },
					credentials: creds(),
				})
			).error?.message,
		).toMatch(/"Model" parameter "not a model" is not a model reference/);
		expect(created()).toBe(before);
	});

	test("an unknown model gives Replicate's 404 naming the model, and nothing secret", async () => {
		const { error } = await runNode({
			parameters: runParams('emulator/does-not-exist', { prompt: 'x' }),
			credentials: creds(),
		});
		expect(error?.message).toBe(
			'Model emulator/does-not-exist was not found on Replicate [item 0]',
		);
		expect(error?.httpCode).toBe('404');
	});

	test('binary inputs: a small file as a data URI and a larger one through the Files API; the model gets the exact bytes', async () => {
		const small = Buffer.from('hello replicate');
		const large = Buffer.alloc(300 * 1024, 7);
		const input = [
			{
				json: {},
				binary: {
					data: { data: small.toString('base64'), mimeType: 'text/plain', fileName: 'a.txt' },
					big: {
						data: large.toString('base64'),
						mimeType: 'application/octet-stream',
						fileName: 'b.bin',
					},
				},
			},
		];
		const { items, error } = await runNode({
			parameters: runParams(
				'emulator/file-echo',
				{},
				{},
				{
					binaryInputs: {
						files: [
							{ input: 'file', binaryProperty: 'data' },
							{ input: 'extra_files', binaryProperty: 'big' },
						],
					},
				},
			),
			credentials: creds(),
			input,
		});
		expect(error).toBeUndefined();
		const out = items[0].json.output as any;
		expect(out.file).toMatchObject({
			md5: md5(small),
			size: small.length,
			via: 'data-uri',
			content_type: 'text/plain',
		});
		expect(out.extra_files).toEqual([
			expect.objectContaining({ md5: md5(large), size: large.length, via: 'url' }),
		]);
		expect(ctx.emu.requests('files.create').at(-1)?.status).toBe(201);
	});

	test('Binary Input Encoding "Upload" sends even a small file through the Files API', async () => {
		const bytes = Buffer.from('tiny');
		const { items } = await runNode({
			parameters: runParams(
				'emulator/file-echo',
				{},
				{ binaryEncoding: 'upload' },
				{ binaryInputs: { files: [{ input: 'file', binaryProperty: 'data' }] } },
			),
			credentials: creds(),
			input: [
				{ json: {}, binary: { data: { data: bytes.toString('base64'), mimeType: 'text/plain' } } },
			],
		});
		expect((items[0].json.output as any).file).toMatchObject({ md5: md5(bytes), via: 'url' });
	});

	test('a missing binary property fails naming the property and the item, before any request', async () => {
		const before = ctx.emu.log.length;
		const { error } = await runNode({
			parameters: runParams(
				'emulator/file-echo',
				{},
				{},
				{ binaryInputs: { files: [{ input: 'file', binaryProperty: 'photo' }] } },
			),
			credentials: creds(),
		});
		expect(error?.message).toMatch(
			/^This item has no binary property "photo" \(Input Binary Field\) \[item 0\]$/,
		);
		expect(
			ctx.emu.log
				.slice(before)
				.filter(
					(l) =>
						l.operationId === 'files.create' || /predictions\.create/.test(l.operationId ?? ''),
				),
		).toEqual([]);
	});

	test("a URL string passes through unchanged, so one model's output can feed the next", async () => {
		const first = await runNode({
			parameters: runParams(
				'emulator/flux-lite',
				{ prompt: 'a', num_outputs: 1 },
				{ download: false },
			),
			credentials: creds(),
		});
		const url = (first.items[0].json.output as string[])[0];
		const { items } = await runNode({
			parameters: runParams('emulator/sdxl-lite', { prompt: 'b', num_outputs: 1, image: url }),
			credentials: creds(),
		});
		expect((items[0].json.input as any).image).toBe(url);
		expect(items[0].json.status).toBe('succeeded');
	});
});

describe('outputs', () => {
	test('iterator text output: Simplify joins the tokens into text', async () => {
		const { items } = await runNode({
			parameters: runParams(
				'emulator/llm-stream',
				{ prompt: 'hi', max_tokens: 4 },
				{ simplify: true },
			),
			credentials: creds(),
		});
		expect(items[0].json).toEqual({ output: 'Once upon a time' });
		expect(items[0].binary).toBeUndefined();
	});

	test('Split Files Into Items gives one item per file; Download off gives URLs only', async () => {
		const split = await runNode({
			parameters: runParams(
				'emulator/flux-lite',
				{ prompt: 'a', num_outputs: 2 },
				{ splitFiles: true, binaryProperty: 'image' },
			),
			credentials: creds(),
		});
		expect(split.items).toHaveLength(2);
		expect(split.items.map((i) => Object.keys(i.binary!))).toEqual([['image'], ['image']]);
		expect(split.items.map((i) => (i.json.file as any).index)).toEqual([0, 1]);
		expect(split.items.every((i) => (i.pairedItem as any).item === 0)).toBe(true);
		const urls = await runNode({
			parameters: runParams(
				'emulator/flux-lite',
				{ prompt: 'a', num_outputs: 2 },
				{ download: false },
			),
			credentials: creds(),
		});
		expect(urls.items[0].binary).toBeUndefined();
		expect(urls.items[0].json.output).toHaveLength(2);
	});

	test('logs only on request', async () => {
		const without = await runNode({
			parameters: runParams('emulator/sleep', { seconds: 0.2 }),
			credentials: creds(),
		});
		expect(without.items[0].json.logs).toBeUndefined();
		const withLogs = await runNode({
			parameters: runParams('emulator/sleep', { seconds: 0.2 }, { includeLogs: true }),
			credentials: creds(),
		});
		expect(withLogs.items[0].json.logs).toMatch(/100%\|/);
	});

	test('a big output file is streamed into the binary store with the right size and MIME', async () => {
		const size = 5 * 1024 * 1024 + 123;
		const { items, error } = await runNode({
			parameters: runParams('emulator/big-file', { size_bytes: size, extension: 'mp4' }),
			credentials: creds(),
		});
		expect(error).toBeUndefined();
		expect(items[0].binary!.data).toMatchObject({
			mimeType: 'video/mp4',
			fileName: 'output.mp4',
			bytes: size,
		});
		expect(items[0].binary!.data.id).toMatch(/^filesystem-v2:/); // streamed to disk, not inline
	});

	test('a truncated download fails the item; no partial file is passed on', async () => {
		ctx.emu.addFault({ path: /^\/d\//, truncateAt: 1000, times: 10 });
		const { error, items } = await runNode({
			parameters: runParams('emulator/big-file', { size_bytes: 200_000 }),
			credentials: creds(),
		});
		expect(error?.message).toMatch(/download of .* (ended short|broke off)/);
		expect(items).toEqual([]);
		// Cut late, after the response stream was handed over: still an error, never a short file.
		ctx.emu.clearFaults();
		ctx.emu.addFault({ path: /^\/d\//, truncateAt: 150_000, times: 10 });
		const late = await runNode({
			parameters: runParams('emulator/big-file', { size_bytes: 200_000 }),
			credentials: creds(),
		});
		expect(late.error?.message).toMatch(/download of .* (ended short|broke off)/);
		expect(late.items).toEqual([]);
	});

	test("a failed prediction fails the item with Replicate's error and the end of the logs", async () => {
		const { error } = await runNode({
			parameters: runParams('emulator/always-fails', { after_ms: 10 }),
			credentials: creds(),
		});
		expect(error?.message).toMatch(
			/^Prediction [a-z0-9]+ failed: CUDA out of memory. Tried to allocate 2.00 GiB \[item 0\]$/,
		);
		expect(error?.description).toMatch(/RuntimeError: CUDA out of memory/);
	});

	test('Continue On Fail returns the failed prediction with the error, paired with its item', async () => {
		const { items, error } = await runNode({
			parameters: runParams('emulator/always-fails', { after_ms: 10, message: 'boom' }),
			credentials: creds(),
			continueOnFail: true,
			input: [{ json: {} }, { json: {} }],
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(2);
		expect(items[1]).toMatchObject({
			json: { error: expect.stringMatching(/failed: boom/) },
			pairedItem: { item: 1 },
		});
	});
});

describe('waiting and robustness', () => {
	test('timeout cancels the remote prediction and fails the item', async () => {
		const { error } = await runNode({
			parameters: runParams('emulator/sleep', { seconds: 3600 }, { timeout: 1, syncWait: 1 }),
			credentials: creds(),
		});
		expect(error?.message).toMatch(/timed out: not finished after 1 s \[item 0\]$/);
		expect(error?.description).toMatch(/It was stopped on Replicate \(Cancel on Timeout\)/);
		const id = /Prediction ([a-z0-9]+)/.exec(error!.message)![1];
		expect(ctx.emu.store.predictions.get(id)?.status).toBe('canceled');
	});

	test('timeout with "Return the Prediction As It Is" and no cancel leaves it running and returns it', async () => {
		const { items } = await runNode({
			parameters: runParams(
				'emulator/sleep',
				{ seconds: 3600 },
				{ timeout: 1, syncWait: 1, onTimeout: 'return', cancelOnTimeout: false },
			),
			credentials: creds(),
		});
		expect(items[0].json).toMatchObject({ status: 'processing', timedOut: true });
		const run = ctx.emu.store.predictions.get(items[0].json.id as string)!;
		expect(run.status).toBe('processing');
		ctx.emu.store.stop(run, 'canceled');
	});

	test('stopping the execution cancels the remote prediction (while polling and during the sync hold)', async () => {
		for (const syncWait of [1, 5]) {
			const before = new Set(ctx.emu.store.predictions.keys());
			const seq = ctx.emu.log.length;
			let stop = () => {};
			const result = runNode({
				parameters: runParams('emulator/sleep', { seconds: 3600 }, { syncWait }),
				credentials: creds(),
				onStart: (run) => (stop = () => run.cancel()),
			});
			// This run's prediction, once the emulator has it.
			const mine = await until(() =>
				[...ctx.emu.store.predictions.values()].find((p) => !before.has(p.obj.id as string)),
			);
			const id = mine.obj.id as string;
			const mineLog = () => ctx.emu.log.slice(seq);
			if (syncWait === 1) {
				// While polling: the hold ended and the node has asked for the prediction at least once.
				await until(() => mineLog().some((l) => l.path === `/v1/predictions/${id}` && l.status));
			} else {
				// During the sync hold: the create has not been answered yet.
				const create = mineLog().find((l) => /predictions\.create$/.test(l.operationId ?? ''));
				expect(create?.status).toBe(0);
			}
			stop();
			await result;
			expect(
				[...ctx.emu.store.predictions.values()].filter((p) => !before.has(p.obj.id as string)),
			).toEqual([mine]);
			await until(() => mine.status === 'canceled', 10_000);
		}
	});

	test('429 with Retry-After on create is waited out and retried: one prediction', async () => {
		const before = created();
		ctx.emu.addFault({
			method: 'POST',
			path: '/predictions',
			status: 429,
			times: 1,
			headers: { 'retry-after': '1' },
			body: {
				detail: 'Request was throttled. Your rate limit resets in ~1s.',
				status: 429,
				retry_after: 1,
			},
		});
		const seq = ctx.emu.log.length;
		const { error } = await runNode({
			parameters: runParams('emulator/flux-lite', { prompt: 'a' }),
			credentials: creds(),
		});
		expect(error).toBeUndefined();
		// The same create, refused once and then sent again.
		expect(
			ctx.emu.log
				.slice(seq)
				.filter((l) => /predictions\.create$/.test(l.operationId ?? ''))
				.map((l) => [l.operationId, l.status]),
		).toEqual([
			['models.predictions.create', 429],
			['models.predictions.create', 201],
		]);
		expect(created()).toBe(before + 1);
	});

	test('5xx and resets on GET while polling are retried', async () => {
		ctx.emu.addFault({
			method: 'GET',
			path: /^\/v1\/predictions\/[a-z0-9]+$/,
			status: 502,
			times: 2,
		});
		const { items, error } = await runNode({
			parameters: runParams('emulator/sleep', { seconds: 2 }, { syncWait: 1 }),
			credentials: creds(),
		});
		expect(error).toBeUndefined();
		expect(items[0].json.status).toBe('succeeded');
		expect(ctx.emu.requests('predictions.get').filter((r) => r.status === 502).length).toBe(2);
	});

	test('a create that may have reached Replicate is never retried: no duplicate prediction', async () => {
		for (const fault of [{ status: 502 }, { reset: true }, { status: 500 }]) {
			const before = ctx.emu.store.predictions.size;
			ctx.emu.addFault({
				method: 'POST',
				path: '/v1/models/emulator/flux-lite/predictions',
				phase: 'after',
				times: 1,
				...fault,
			});
			const { error } = await runNode({
				parameters: runParams('emulator/flux-lite', { prompt: 'a' }),
				credentials: creds(),
			});
			expect(error).toBeDefined();
			expect(ctx.emu.store.predictions.size).toBe(before + 1);
		}
	});

	test('items run concurrently, keep their order and pairedItem', async () => {
		const input = [3, 1, 2, 0.5].map((s) => ({ json: { s } }));
		const seq = ctx.emu.log.length;
		const { items } = await runNode({
			parameters: runParams('emulator/sleep', {
				seconds: '={{ $json.s }}',
				label: '={{ "item-" + $json.s }}',
			}),
			credentials: creds(),
			input,
		});
		expect(items.map((i) => (i.json.output as string).split(' ')[0])).toEqual([
			'item-3',
			'item-1',
			'item-2',
			'item-0.5',
		]);
		expect(items.map((i) => (i.pairedItem as any).item)).toEqual([0, 1, 2, 3]);
		// Concurrent, not one after another: every create arrived before item 0's 3 s prediction ended
		// (in sequence, item 1's create would wait for it).
		const creates = ctx.emu.log
			.slice(seq)
			.filter((l) => /predictions\.create$/.test(l.operationId ?? ''));
		expect(creates).toHaveLength(4);
		const firstEnds = Date.parse(items[0].json.completed_at as string);
		expect(Math.max(...creates.map((l) => l.at))).toBeLessThan(firstEnds);
	});

	test('an item that fails without Continue On Fail stops the others and cancels their predictions', async () => {
		const before = new Set(ctx.emu.store.predictions.keys());
		const { error } = await runNode({
			parameters: runParams('emulator/sleep', { seconds: '={{ $json.s }}' }, { syncWait: 1 }),
			credentials: creds(),
			input: [{ json: { s: 3600 } }, { json: { s: -1 } }],
		});
		expect(error?.message).toMatch(
			/"Seconds" \(seconds\): must be at least 0 \(got -1\) \[item 1\]/,
		);
		const mine = [...ctx.emu.store.predictions.values()].filter(
			(p) => !before.has(p.obj.id as string),
		);
		await until(() => mine.every((p) => p.terminal), 10_000);
		// Item 0 may be stopped before it creates anything; whatever it created is canceled (and the
		// file's orphan check fails if anything is left running).
		expect(mine.map((p) => p.status)).toEqual(mine.map(() => 'canceled'));
	});

	test('absurd options are rejected naming the option', async () => {
		expect(
			(
				await runNode({
					parameters: runParams('emulator/sleep', {}, { timeout: -5 }),
					credentials: creds(),
				})
			).error?.message,
		).toMatch(/"Timeout \(Seconds\)" option must be between 1 and 604800 \(got -5\)/);
		expect(
			(
				await runNode({
					parameters: runParams('emulator/sleep', {}, { syncWait: 90 }),
					credentials: creds(),
				})
			).error?.message,
		).toMatch(/"Sync Wait \(Seconds\)" option must be a whole number from 1 to 60/);
		expect(
			(
				await runNode({
					parameters: runParams('emulator/sleep', {}, { cancelAfter: '2s' }),
					credentials: creds(),
				})
			).error?.message,
		).toMatch(/"Server-Side Deadline" option "2s"/);
	});

	test('Cancel-After is sent to Replicate as a server-side deadline', async () => {
		const { items } = await runNode({
			parameters: runParams('emulator/sleep', { seconds: 0.5 }, { cancelAfter: '10m' }),
			credentials: creds(),
		});
		expect(items[0].json.deadline).toBeTruthy();
	});
});
