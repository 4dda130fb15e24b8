// Careless or hostile input: IDs that would reach another endpoint, a malformed Base URL, two
// credentials in one process, expressions that fail, webhook settings and bodies that are not what
// they should be, and a gateway in front of the API.
import { request } from 'node:http';

import { Workflow, type INode, type IWorkflowExecuteAdditionalData } from 'n8n-workflow';

import { signWebhook } from '../emulator';
import { callWebhook, replicateCredentials, runNode } from '../harness/n8n';
import { useEmulator } from '../helpers/emulator';
import { hostileServer, json, type HostileServer } from '../helpers/hostile';
import { rl, runParams } from '../helpers/params';
import { Replicate } from '../../nodes/Replicate/Replicate.node';
import { ReplicateTrigger } from '../../nodes/ReplicateTrigger/ReplicateTrigger.node';
import { getInputFields } from '../../nodes/Replicate/methods/resourceMapping';
import { signingKey, verifyDelivery } from '../../nodes/common/webhooks/signature';

const TOKEN = 'r8_inputTestToken0123456789abcdef';
let api: HostileServer;

beforeAll(async () => {
	api = await hostileServer();
	api.handler = (req, res) => json(res, 200, { id: 'x', results: [], next: null, url: req.url });
});
afterAll(async () => await api.close());
beforeEach(() => api.reset());

const creds = (base = `${api.origin}/v1`) => replicateCredentials(base, TOKEN);

describe('"." and ".." never reach another endpoint', () => {
	const cases: Array<[string, object, RegExp]> = [
		[
			'Model Version → Delete, version ".."',
			{ resource: 'modelVersion', operation: 'delete', model: rl('o/n'), version: rl('..') },
			/"Version" parameter "\.\." is not valid/,
		],
		[
			'Model Version → Get, version "."',
			{ resource: 'modelVersion', operation: 'get', model: rl('o/n'), version: rl('.') },
			/"Version" parameter "\." is not valid/,
		],
		[
			'Model Version → Get Many, model "o/.."',
			{ resource: 'modelVersion', operation: 'getMany', model: rl('o/..'), returnAll: true },
			/"Model" parameter/,
		],
		[
			'File → Get, ".."',
			{ resource: 'file', operation: 'get', fileId: rl('..') },
			/"File" parameter "\.\." is not valid/,
		],
		[
			'File → Delete, "."',
			{ resource: 'file', operation: 'delete', fileId: rl('.') },
			/"File" parameter "\." is not valid/,
		],
		[
			'File → Get, "%2e%2e"',
			{ resource: 'file', operation: 'get', fileId: rl('%2e%2e') },
			/"File" parameter/,
		],
		[
			'File → Get by URL ending in /files/..',
			{
				resource: 'file',
				operation: 'get',
				fileId: { __rl: true, mode: 'url', value: 'https://api.replicate.com/v1/files/..' },
			},
			/"File" parameter/,
		],
		[
			'Collection → Get, ".."',
			{ resource: 'collection', operation: 'get', collection: rl('..') },
			/"Collection" parameter "\.\." is not valid/,
		],
		[
			'Deployment → Get, "../.."',
			{ resource: 'deployment', operation: 'get', deployment: rl('../..') },
			/"Deployment" parameter/,
		],
		[
			'Deployment → Delete, "o/.."',
			{ resource: 'deployment', operation: 'delete', deployment: rl('o/..') },
			/"Deployment" parameter/,
		],
		[
			'Deployment → Update, "./x"',
			{
				resource: 'deployment',
				operation: 'update',
				deployment: rl('./x'),
				updateFields: { minInstances: 1 },
			},
			/"Deployment" parameter/,
		],
		[
			'Model → Delete, "o/.."',
			{ resource: 'model', operation: 'delete', model: rl('o/..') },
			/"Model" parameter/,
		],
		[
			'Model → Get README, "../n"',
			{ resource: 'model', operation: 'getReadme', model: rl('../n') },
			/"Model" parameter/,
		],
		[
			'Prediction → Get, ".."',
			{ resource: 'prediction', operation: 'get', predictionId: '..' },
			/"Prediction ID" parameter/,
		],
		[
			'Prediction → Cancel, "."',
			{ resource: 'prediction', operation: 'cancel', predictionId: '.' },
			/"Prediction ID" parameter/,
		],
		[
			'Training → Get, ".."',
			{ resource: 'training', operation: 'get', trainingId: '..' },
			/"Prediction ID" parameter|Training/,
		],
		[
			'Prediction → Run, version ".."',
			runParams('o/n', {}, {}, { version: rl('..') }),
			/"Version" parameter/,
		],
	];
	test.each(cases)(
		'%s is refused naming the parameter, and nothing is sent',
		async (_n, parameters, message) => {
			const r = await runNode({ parameters: parameters as never, credentials: creds() });
			expect(r.error?.message).toMatch(message);
			expect(r.error?.message).toMatch(/\[item 0\]/);
			expect(api.received).toEqual([]);
		},
	);

	test('a dot segment chosen by the API (a next cursor) is refused too', async () => {
		api.handler = (req, res) =>
			json(res, 200, {
				results: [{ id: 'a' }],
				next: req.url === '/v1/files' ? `${api.origin}/v1/files/%2E%2E/%2e%2e/account` : null,
			});
		const r = await runNode({
			parameters: { resource: 'file', operation: 'getMany', returnAll: true },
			credentials: creds(),
		});
		expect(r.error?.message).toMatch(/Refusing a request path with a "\." or "\.\." segment/);
		expect(api.received.map((q) => q.url)).toEqual(['/v1/files']);
	});

	test('every segment is encoded: a version with a reserved character cannot add a path', async () => {
		const r = await runNode({
			parameters: {
				resource: 'modelVersion',
				operation: 'get',
				model: rl('o/n'),
				version: rl('abc?x=1'),
			},
			credentials: creds(),
		});
		expect(r.error?.message).toMatch(/"Version" parameter/);
		expect(api.received).toEqual([]);
	});
});

describe("the credential's Base URL is checked", () => {
	test.each([
		['a query', 'https://api.example.test/v1?key=abc', /it has a query/],
		['a fragment', 'https://api.example.test/v1#x', /fragment/],
		['no scheme', 'api.replicate.com/v1', /it is not a URL/],
		['another scheme', 'ftp://api.example.test/v1', /scheme is ftp:/],
		['credentials in it', 'https://user:pw@api.example.test/v1', /user name or password/],
	])('a Base URL with %s fails naming the field, before any request', async (_n, base, reason) => {
		const r = await runNode({
			parameters: { resource: 'account', operation: 'get' },
			credentials: creds(base),
		});
		expect(r.error?.message).toMatch(
			/^The "Base URL" of the Replicate API credential is not valid/,
		);
		expect(r.error?.message).toMatch(reason);
		expect(r.error?.message).not.toContain('abc');
	});
});

describe("one credential's data never serves another", () => {
	const ctx = useEmulator({ speed: 50 });
	const count = (op: string) => ctx.emu.requests(op).length;

	test('a model looked up with credential A is looked up again for credential B (another token, or another Base URL)', async () => {
		const model = 'emulator/sdxl-lite';
		const a = await runNode({
			parameters: runParams(model, { prompt: 'x' }, { download: false }),
			credentials: replicateCredentials(ctx.emu.baseUrl, ctx.emu.token),
		});
		expect(a.error).toBeUndefined();
		const before = count('models.get');
		const b = await runNode({
			parameters: runParams(model, { prompt: 'x' }, { download: false }),
			credentials: replicateCredentials(ctx.emu.baseUrl, 'r8_someoneElse000000000000000000'),
		});
		expect(b.error?.message).toMatch(/^Replicate: /);
		expect(count('models.get')).toBe(before + 1);
		const c = await runNode({
			parameters: runParams(model, { prompt: 'x' }, { download: false }),
			credentials: replicateCredentials(
				ctx.emu.baseUrl.replace('127.0.0.1', 'localhost'),
				ctx.emu.token,
			),
		});
		expect(c.error).toBeUndefined();
		expect(count('models.get')).toBe(before + 2);
	});

	test('a version schema is cached per credential too', async () => {
		const version = (
			await (
				await fetch(`${ctx.emu.baseUrl}/models/emulator/sdxl-lite`, {
					headers: { authorization: `Bearer ${ctx.emu.token}` },
				})
			).json()
		).latest_version.id as string;
		const params = runParams(`emulator/sdxl-lite:${version}`, { prompt: 'x' }, { download: false });
		await runNode({
			parameters: params,
			credentials: replicateCredentials(ctx.emu.baseUrl, ctx.emu.token),
		});
		const before = count('models.versions.get');
		await runNode({
			parameters: params,
			credentials: replicateCredentials(ctx.emu.baseUrl, 'r8_someoneElse000000000000000000'),
		});
		expect(count('models.versions.get')).toBe(before + 1);
	});

	test('concurrent misses share one lookup (single flight)', async () => {
		const base = ctx.emu.baseUrl.replace('127.0.0.1', '[::ffff:127.0.0.1]');
		const credentials = replicateCredentials(base, ctx.emu.token);
		const before = count('models.get');
		const runs = await Promise.all(
			Array.from({ length: 8 }, () =>
				runNode({
					parameters: runParams('emulator/llm-stream', { prompt: 'x' }, { download: false }),
					credentials,
				}),
			),
		);
		expect(runs.map((r) => r.error)).toEqual(runs.map(() => undefined));
		expect(count('models.get')).toBe(before + 1);
	});
});

describe('a Model Version expression that fails surfaces', () => {
	test('Prediction → Run: a reference to a node that does not exist fails the item naming "Version"; nothing runs', async () => {
		const r = await runNode({
			parameters: runParams('o/n', {}, {}, { version: rl('={{ $("Nope").item.json.version }}') }),
			credentials: creds(),
		});
		expect(r.error?.message).toMatch(
			/^The "Version" parameter could not be resolved: .*\[item 0\]$/,
		);
		expect(api.received).toEqual([]);
	});

	test('an empty Version still means the latest version', async () => {
		api.handler = (req, res) => {
			if (req.url === '/v1/models/o/latest')
				return json(res, 200, {
					is_official: false,
					latest_version: { id: 'v9', openapi_schema: null },
				});
			return json(res, 201, { id: 'p1', status: 'succeeded', output: 'ok' });
		};
		const r = await runNode({
			parameters: runParams('o/latest', {}, { download: false }),
			credentials: creds(),
		});
		expect(r.error).toBeUndefined();
		expect(JSON.parse(api.received[1].body).version).toBe('v9');
	});

	test('the resource mapper reports a failing Model expression instead of showing another model', async () => {
		const node: INode = {
			id: 'n1',
			name: 'Replicate',
			type: 'replicate',
			typeVersion: 1,
			position: [0, 0],
			parameters: runParams(
				'o/n',
				{},
				{},
				{ model: rl('={{ $("Nope").item.json.model }}') },
			) as never,
			credentials: { replicateApi: { id: 'c', name: 'c' } },
		};
		const type = new Replicate();
		const workflow = new Workflow({
			id: 'w',
			nodes: [node],
			connections: {},
			active: false,
			nodeTypes: {
				getByName: () => type,
				getByNameAndVersion: () => type,
				getKnownTypes: () => ({}),
			},
		});
		const { LoadOptionsContext } = await import('n8n-core');
		const ctx = new LoadOptionsContext(
			workflow,
			node,
			{ variables: {} } as unknown as IWorkflowExecuteAdditionalData,
			'parameters.inputFields',
		);
		const result = await getInputFields.call(ctx as never);
		expect(result.fields).toEqual([]);
		expect(result.emptyFieldsNotice).toMatch(/The "Model" parameter could not be resolved/);
	});
});

describe('webhook settings and bodies', () => {
	const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
	const bare = secret.slice('whsec_'.length);
	const A = {
		id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
		timestamp: '1614265330',
		body: '{"test": 2432232314}',
		signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
	};

	test('a signing secret pasted without whsec_ (the bare base64 key) verifies genuine deliveries', () => {
		expect(verifyDelivery(A, bare, 300, Number(A.timestamp) * 1000)).toEqual({ ok: true });
		expect(signingKey('not a key!')).toBeUndefined();
		expect(signingKey('whsec_c2hvcnQ=')).toBeUndefined(); // 5 bytes
	});

	const delivery = (raw: string, key = secret) => {
		const ts = Math.floor(Date.now() / 1000);
		return {
			rawBody: Buffer.from(raw),
			headers: {
				'webhook-id': 'msg_x',
				'webhook-timestamp': String(ts),
				'webhook-signature': signWebhook(key, 'msg_x', ts, raw),
				'content-type': 'application/json',
			},
		};
	};
	const params = (options = {}) => ({ events: ['completed'], statuses: [], options });

	test.each(['null', '[1,2]', '"text"', '42'])(
		'a signed %s body gets 400 and starts nothing',
		async (raw) => {
			const r = await callWebhook({
				parameters: params(),
				credentials: replicateCredentials(`${api.origin}/v1`, TOKEN, { webhookSecret: secret }),
				...delivery(raw),
			});
			expect(r.status).toBe(400);
			expect(r.response.workflowData).toBeUndefined();
		},
	);

	test('a delivery signed with the bare key configured in the credential starts the workflow', async () => {
		const r = await callWebhook({
			parameters: params(),
			credentials: replicateCredentials(`${api.origin}/v1`, TOKEN, { webhookSecret: bare }),
			...delivery('{"id":"p","status":"succeeded"}'),
		});
		expect(r.status).toBe(200);
		expect(r.response.workflowData?.[0][0].json).toEqual({ id: 'p', status: 'succeeded' });
	});

	test('a negative tolerance answers 500 with the reason and starts nothing', async () => {
		const r = await callWebhook({
			parameters: params({ tolerance: -5 }),
			credentials: replicateCredentials(`${api.origin}/v1`, TOKEN, { webhookSecret: secret }),
			...delivery('{"id":"p","status":"succeeded"}'),
		});
		expect([r.status, r.response.workflowData]).toEqual([500, undefined]);
		expect(JSON.stringify(r.body)).toMatch(/Timestamp Tolerance/);
	});

	const hook = (webhookSecret: string, options: object = {}) => {
		const parameters = params(options);
		return {
			getCredentials: async () => ({ apiToken: TOKEN, baseUrl: `${api.origin}/v1`, webhookSecret }),
			getNodeParameter: (name: string, fallback: unknown) =>
				name
					.split('.')
					.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], parameters) ??
				fallback,
			getNode: () => ({
				name: 'Replicate Trigger',
				type: 'replicateTrigger',
				typeVersion: 1,
				parameters,
			}),
			getWorkflowStaticData: () => ({}),
		};
	};
	const methods = new ReplicateTrigger().webhookMethods.default;

	test.each([
		[
			'a secret that is neither whsec_ nor base64',
			'not a secret!',
			{},
			/"Webhook Signing Secret" of the Replicate API credential is not a signing secret/,
		],
		[
			'a negative tolerance',
			secret,
			{ tolerance: -5 },
			/"Timestamp Tolerance \(Seconds\)" option must be a positive number/,
		],
	])('activation refuses %s clearly', async (_n, webhookSecret, options, message) => {
		await expect(methods.checkExists.call(hook(webhookSecret, options) as never)).rejects.toThrow(
			message,
		);
		await expect(methods.create.call(hook(webhookSecret, options) as never)).rejects.toThrow(
			message,
		);
	});

	test('activation accepts a bare base64 secret', async () => {
		await expect(methods.checkExists.call(hook(bare) as never)).resolves.toBe(true);
	});
});

describe('a gateway in front of the API: cursors follow the Base URL', () => {
	const ctx = useEmulator({ speed: 50, pageSizes: { predictions: 2, files: 2 } });
	let proxy: HostileServer;
	beforeAll(async () => {
		proxy = await hostileServer();
		proxy.handler = (req, res, body) => {
			const target = new URL(ctx.emu.baseUrl);
			const upstream = request(
				{
					host: target.hostname,
					port: target.port,
					method: req.method,
					path: (req.url ?? '').replace(/^\/gw/, ''),
					headers: { ...req.headers, host: target.host },
				},
				(up) => {
					res.writeHead(up.statusCode ?? 502, up.headers);
					up.pipe(res);
				},
			);
			upstream.end(body);
		};
	});
	afterAll(async () => await proxy.close());

	test('Prediction → Get Many with Return All walks every page through the gateway', async () => {
		const credentials = replicateCredentials(`${proxy.origin}/gw/v1`, ctx.emu.token);
		for (let k = 0; k < 5; k++) {
			const r = await runNode({
				parameters: {
					resource: 'prediction',
					operation: 'create',
					runTarget: 'model',
					model: rl('emulator/llm-stream'),
					inputMode: 'json',
					inputJson: '{"prompt":"p"}',
					options: {},
				},
				credentials,
			});
			expect(r.error).toBeUndefined();
		}
		proxy.reset();
		const r = await runNode({
			parameters: { resource: 'prediction', operation: 'getMany', returnAll: true },
			credentials,
		});
		expect(r.error).toBeUndefined();
		const ids = r.items.map((i) => i.json.id);
		expect(ids.length).toBeGreaterThanOrEqual(5);
		expect(new Set(ids).size).toBe(ids.length);
		const pages = proxy.received.map((q) => q.url);
		expect(pages.length).toBeGreaterThanOrEqual(3);
		expect(pages.every((u) => u.startsWith('/gw/v1/predictions'))).toBe(true);
	});
});
