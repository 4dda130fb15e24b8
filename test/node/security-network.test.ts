// A hostile world, in-process: an API that redirects and echoes the token, output that points at
// internal addresses, file hosts that send bombs, stall, drip or rate-limit forever.
import { gzipSync } from 'node:zlib';

import { readBinary, replicateCredentials, runNode, callWebhook } from '../harness/n8n';
import {
	hostileServer,
	json,
	mapTestHostsToLoopback,
	restoreDns,
	type HostileServer,
} from '../helpers/hostile';
import { runParams } from '../helpers/params';
import { signWebhook } from '../emulator';
import { outboundUrlProblem, isLocalHost, rebase, redactText } from '../../nodes/common/transport';
import { safeFileName } from '../../nodes/common/files/names';
import { timings } from '../../nodes/common/transport';

const TOKEN = 'r8_hostileTestToken0123456789abcdef';
const SCHEMA = {
	components: {
		schemas: {
			Input: { type: 'object', properties: { prompt: { type: 'string' } } },
			Output: {
				type: 'object',
				properties: {
					text: { type: 'string' },
					image: { type: 'string', format: 'uri' },
					more: { type: 'array', items: { type: 'string', format: 'uri' } },
				},
			},
		},
	},
};

let api: HostileServer;
let files: HostileServer;
let other: HostileServer;
let output: unknown;
let schema: unknown;

/** The hostile API: an official model o/n whose predictions succeed at once with `output`. */
function apiHandler(extra?: (url: string, res: import('node:http').ServerResponse) => boolean) {
	api.handler = (req, res) => {
		const url = req.url ?? '';
		if (extra?.(url, res)) return;
		const m = /^\/v1\/models\/o\/([\w-]+)(\/versions\/([\w-]+)|\/predictions)?$/.exec(url);
		if (m && !m[2])
			return json(res, 200, {
				owner: 'o',
				name: m[1],
				is_official: true,
				latest_version: { id: 'v1', openapi_schema: schema },
			});
		if (m?.[3]) return json(res, 200, { id: m[3], openapi_schema: schema });
		if (m)
			return json(res, 201, {
				id: 'p0000000000001',
				model: `o/${m[1]}`,
				version: 'v1',
				status: 'succeeded',
				output,
			});
		return json(res, 404, { title: 'Not found', detail: url });
	};
}

beforeAll(async () => {
	mapTestHostsToLoopback();
	api = await hostileServer();
	files = await hostileServer();
	other = await hostileServer('127.0.0.2');
});
afterAll(async () => {
	restoreDns();
	await Promise.all([api.close(), files.close(), other.close()]);
});
beforeEach(() => {
	schema = SCHEMA;
	api.reset();
	files.reset();
	other.reset();
});

/** Base URL on a public-looking name (resolved to loopback by the test DNS). */
const publicBase = () => `http://api.hostile.test:${api.port}/v1`;
const creds = (base = publicBase()) => replicateCredentials(base, TOKEN);
const fileUrl = (path: string) => `http://api.hostile.test:${files.port}${path}`;
/** Each run names a model of its own, so no cache from an earlier test answers for it. */
let models = 0;
const run = (options: Record<string, string | number | boolean> = {}, base?: string) =>
	runNode({
		parameters: runParams(`o/m${++models}`, {}, options),
		credentials: creds(base),
		continueOnFail: true,
	});

describe('the token goes only to the Base URL origin, also on redirects', () => {
	const getPrediction = () =>
		runNode({
			parameters: { resource: 'prediction', operation: 'get', predictionId: 'p0000000000001' },
			credentials: creds(`${api.origin}/v1`),
			continueOnFail: true,
		});
	const prediction = { id: 'p0000000000001', status: 'succeeded', output: 'moved' };

	test.each([
		[
			'same host, other port (302)',
			302,
			() => `http://127.0.0.1:${files.port}/elsewhere`,
			() => files,
		],
		['another host (307)', 307, () => `${other.origin}/elsewhere`, () => other],
		['another host (301)', 301, () => `http://127.0.0.2:${other.port}/elsewhere`, () => other],
	])(
		'Prediction → Get redirected to %s: the other side never sees the token',
		async (_n, status, target, server) => {
			api.handler = (_req, res) => res.writeHead(status, { location: target() }).end();
			server().handler = (_req, res) => json(res, 200, prediction);
			const r = await getPrediction();
			expect(r.items[0].json).toMatchObject(prediction);
			expect(server().received).toHaveLength(1);
			expect(server().withToken()).toEqual([]);
			expect(api.withToken()).toHaveLength(1);
		},
	);

	test('a chain that leaves the API origin and comes back: no hop after the first carries the token', async () => {
		api.handler = (req, res) => {
			if (req.url === '/v1/predictions/p0000000000001')
				return res.writeHead(302, { location: `${other.origin}/hop` }).end();
			return json(res, 200, prediction); // /v1/back
		};
		other.handler = (_req, res) => res.writeHead(307, { location: `${api.origin}/v1/back` }).end();
		const r = await getPrediction();
		expect(r.items[0].json).toMatchObject(prediction);
		expect(other.withToken()).toEqual([]);
		expect(api.received.map((q) => [q.url, q.headers.authorization !== undefined])).toEqual([
			['/v1/predictions/p0000000000001', true],
			['/v1/back', false],
		]);
	});

	test('an output file on the API origin that redirects to another host is fetched there without the token', async () => {
		output = { image: `${api.origin}/v1/files/abc/download` };
		apiHandler((url, res) => {
			if (url !== '/v1/files/abc/download') return false;
			res.writeHead(302, { location: `${other.origin}/cdn/out.png` }).end();
			return true;
		});
		other.handler = (_req, res) =>
			res.writeHead(200, { 'content-type': 'image/png', 'content-length': '4' }).end('\x89PNG');
		const r = await runNode({
			parameters: runParams('o/n', {}),
			credentials: creds(`${api.origin}/v1`),
		});
		expect(r.error).toBeUndefined();
		expect(r.items[0].binary?.data?.fileName).toBe('out.png');
		expect(other.withToken()).toEqual([]);
		expect(
			api.received.find((q) => q.url === '/v1/files/abc/download')?.headers.authorization,
		).toBe(`Bearer ${TOKEN}`);
	});
	test('an output file on another host that redirects to the API origin is fetched there without the token', async () => {
		// A hostile file host steering an authenticated GET to an API path of its choosing (issue 26).
		output = { image: `${other.origin}/out.png` };
		apiHandler((url, res) => {
			if (url !== '/v1/account') return false;
			json(res, 200, { username: 'victim' });
			return true;
		});
		other.handler = (_req, res) =>
			res.writeHead(302, { location: `${api.origin}/v1/account` }).end();
		const r = await runNode({
			parameters: runParams('o/n', {}),
			credentials: creds(`${api.origin}/v1`),
		});
		expect(r.error).toBeUndefined();
		expect(
			api.received.find((q) => q.url === '/v1/account')?.headers.authorization,
		).toBeUndefined();
	});
});

describe('the token and anything like it is redacted from errors', () => {
	test.each([
		[
			'an error body echoing the Authorization header',
			(auth: string) => ({ title: 'Unauthorized', detail: `Bad header: Authorization: ${auth}` }),
		],
		[
			'an error body echoing the bare token',
			() => ({
				detail: `token ${TOKEN} is not valid`,
				headers: { Authorization: `Bearer ${TOKEN}` },
			}),
		],
		[
			'a plain-text error body',
			(auth: string) => `upstream said: ${auth}; also r8_someOtherToken99`,
		],
	])('%s: message, description and error item are clean', async (_n, body) => {
		api.handler = (req, res) => {
			const b = body(String(req.headers.authorization));
			if (typeof b === 'string') return res.writeHead(401, { 'content-type': 'text/plain' }).end(b);
			return json(res, 401, b);
		};
		for (const continueOnFail of [true, false]) {
			const r = await runNode({
				parameters: { resource: 'account', operation: 'get' },
				credentials: creds(),
				continueOnFail,
			});
			const text = JSON.stringify({
				items: r.items,
				error: r.error && {
					...r.error,
					message: r.error.message,
					description: r.error.description,
				},
			});
			expect(text).not.toContain(TOKEN);
			expect(text).not.toMatch(/Bearer (?!\[redacted\])/);
			expect(text).not.toMatch(/r8_(?!\[redacted\])/);
			expect(continueOnFail ? r.items[0].json.error : r.error?.message).toMatch(/^Replicate: /);
		}
	});

	test('redactText removes the exact token, Bearer values and r8_ tokens', () => {
		expect(redactText(`a ${TOKEN} b Bearer xyz.abc c r8_Q1w2e3 d`, TOKEN)).toBe(
			'a [redacted] b Bearer [redacted] c r8_[redacted] d',
		);
		expect(redactText('The token is not valid for this model', TOKEN)).toBe(
			'The token is not valid for this model',
		);
	});
});

describe('output files: only schema-typed URIs and data: URIs, only safe hosts', () => {
	test('a text field holding an internal URL is never fetched; refused URLs stay as text with a note', async () => {
		output = {
			text: fileUrl('/latest/meta-data/iam'),
			image: 'https://169.254.169.254/latest/meta-data/',
			more: [
				`http://127.0.0.1:${files.port}/loopback.png`,
				'http://files.elsewhere.test/plain-http.png',
				fileUrl('/ok.png'),
				'data:text/plain;base64,aGk=',
			],
		};
		apiHandler();
		files.handler = (_req, res) =>
			res.writeHead(200, { 'content-type': 'image/png', 'content-length': '3' }).end('png');
		const r = await run();
		expect(r.items[0].json.error).toBeUndefined();
		expect(files.received.map((q) => q.url)).toEqual(['/ok.png']);
		expect(files.withToken()).toEqual([]);
		const json = r.items[0].json as {
			output: typeof output;
			skippedFiles: Array<{ url: string; reason: string }>;
		};
		expect(json.output).toEqual(output);
		expect(json.skippedFiles.map((s) => [s.url, s.reason])).toEqual([
			[
				'https://169.254.169.254/latest/meta-data/',
				expect.stringMatching(/loopback, link-local or private/),
			],
			[
				`http://127.0.0.1:${files.port}/loopback.png`,
				expect.stringMatching(/loopback, link-local or private/),
			],
			['http://files.elsewhere.test/plain-http.png', expect.stringMatching(/not https/)],
		]);
		expect(Object.keys(r.items[0].binary ?? {})).toEqual(['data', 'data_1']);
		expect((await readBinary(r.items[0].binary!.data_1)).toString()).toBe('hi');
	});

	test('the trigger looks up the version schema of the delivered prediction: text positions stay text', async () => {
		schema = SCHEMA;
		apiHandler();
		files.handler = (_req, res) =>
			res.writeHead(200, { 'content-type': 'image/png', 'content-length': '3' }).end('png');
		const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
		const body = JSON.stringify({
			id: 'p0000000000002',
			model: 'o/trig',
			version: 'v7',
			status: 'succeeded',
			output: { text: fileUrl('/text.png'), image: fileUrl('/img.png') },
		});
		const ts = Math.floor(Date.now() / 1000);
		const r = await callWebhook({
			parameters: { events: ['completed'], statuses: [], options: { download: true } },
			credentials: replicateCredentials(publicBase(), TOKEN, { webhookSecret: secret }),
			headers: {
				'webhook-id': 'msg_1',
				'webhook-timestamp': String(ts),
				'webhook-signature': signWebhook(secret, 'msg_1', ts, body),
			},
			rawBody: Buffer.from(body),
		});
		expect(api.received.map((q) => q.url)).toContain('/v1/models/o/trig/versions/v7');
		expect(files.received.map((q) => q.url)).toEqual(['/img.png']);
		expect(Object.keys(r.response.workflowData?.[0][0].binary ?? {})).toEqual(['data']);
	});

	test("a training delivery's file is its weights URL, whatever a schema says (the trainer's version is read for its secret inputs only)", async () => {
		// Replicate knows the id as a training (the trigger asks when the body does not say).
		apiHandler((url, res) => {
			if (!url.startsWith('/v1/trainings/')) return false;
			json(res, 200, { id: 't0000000000001', status: 'succeeded' });
			return true;
		});
		files.handler = (_req, res) =>
			res.writeHead(200, { 'content-type': 'application/x-tar', 'content-length': '3' }).end('tar');
		const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
		const training = {
			id: 't0000000000001',
			model: 'o/base',
			version: 'v8',
			destination: 'o/trained',
			status: 'succeeded',
			output: { version: 'o/trained:abc', weights: fileUrl('/weights.tar') },
		};
		const body = JSON.stringify(training);
		const ts = Math.floor(Date.now() / 1000);
		const r = await callWebhook({
			parameters: { events: ['completed'], statuses: [], options: { download: true } },
			credentials: replicateCredentials(publicBase(), TOKEN, { webhookSecret: secret }),
			headers: {
				'webhook-id': 'msg_t',
				'webhook-timestamp': String(ts),
				'webhook-signature': signWebhook(secret, 'msg_t', ts, body),
			},
			rawBody: Buffer.from(body),
		});
		// Not the trained model's schema: only the trainer's version (secret inputs) and the training.
		expect(api.received.map((q) => q.url).filter((u) => u.includes('/o/trained'))).toEqual([]);
		expect(files.received.map((q) => q.url)).toEqual(['/weights.tar']);
		expect(Object.keys(r.response.workflowData?.[0][0].binary ?? {})).toEqual(['data']);
	});

	test('with no schema to be had, URL strings anywhere are candidates, and only https (or the Base URL host) passes the policy', async () => {
		schema = null;
		output = [
			fileUrl('/on-base-host.png'),
			`http://127.0.0.1:${files.port}/meta`,
			'ftp://x.test/a',
			'data:,hello',
		];
		apiHandler();
		files.handler = (_req, res) =>
			res.writeHead(200, { 'content-type': 'image/png', 'content-length': '3' }).end('png');
		const r = await run();
		expect(files.received.map((q) => q.url)).toEqual(['/on-base-host.png']);
		expect((r.items[0].json.skippedFiles as unknown[]).length).toBe(1);
		expect(Object.keys(r.items[0].binary ?? {})).toEqual(['data', 'data_1']);
	});

	test.each([
		['127.0.0.1', true],
		['127.8.9.10', true],
		['10.1.2.3', true],
		['172.16.0.1', true],
		['172.32.0.1', false],
		['192.168.1.1', true],
		['169.254.169.254', true],
		['100.64.0.1', true],
		['0.0.0.0', true],
		['8.8.8.8', false],
		['localhost', true],
		['a.localhost', true],
		['[::1]', true],
		['[fe80::1]', true],
		['[fd00::1]', true],
		['[::ffff:7f00:1]', true],
		['[::ffff:8.8.8.8]', false],
		['[2001:db8::1]', false],
		['replicate.delivery', false],
	])('isLocalHost(%s) is %s', (host, local) => {
		expect(isLocalHost(new URL(`https://${host}/`).hostname)).toBe(local);
	});

	test('the URL policy: https on public hosts; the Base URL host and a local Base URL are trusted', () => {
		const base = 'https://api.replicate.com/v1';
		expect(outboundUrlProblem('https://replicate.delivery/x.png', base)).toBeUndefined();
		expect(outboundUrlProblem('http://replicate.delivery/x.png', base)).toMatch(/not https/);
		expect(outboundUrlProblem('https://2130706433/x', base)).toMatch(/loopback/); // 127.0.0.1 spelled as a number
		expect(outboundUrlProblem('http://api.replicate.com/v1/files/x', base)).toBeUndefined();
		expect(outboundUrlProblem('https://user:pw@replicate.delivery/x', base)).toMatch(/user name/);
		expect(outboundUrlProblem('http://127.0.0.1:9/x', 'http://127.0.0.1:8080/v1')).toBeUndefined();
	});
});

describe('downloads are bounded: size, stall, deadline, retries', () => {
	const one = (path: string) => {
		output = { image: fileUrl(path) };
		apiHandler();
	};

	test('a gzip bomb is stopped at Max File Size (counted after decoding); nothing is kept', async () => {
		one('/bomb.png');
		const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024));
		files.handler = (_req, res) =>
			res
				.writeHead(200, {
					'content-type': 'image/png',
					'content-encoding': 'gzip',
					'content-length': String(bomb.length),
				})
				.end(bomb);
		const r = await run({ maxFileSize: 1 });
		expect(r.items[0].json.error).toMatch(/larger than Max File Size/);
		expect(r.items[0].binary).toBeUndefined();
	});

	test('an endless body is stopped at Max File Size', async () => {
		one('/endless.bin');
		files.handler = (_req, res) => {
			res.writeHead(200, { 'content-type': 'application/octet-stream' });
			const chunk = Buffer.alloc(64 * 1024, 1);
			const pump = () => {
				while (!res.destroyed && res.write(chunk));
				if (!res.destroyed) res.once('drain', pump);
			};
			pump();
		};
		const r = await run({ maxFileSize: 2 });
		expect(r.items[0].json.error).toMatch(/larger than Max File Size/);
		expect(r.items[0].binary).toBeUndefined();
	});

	test('a declared Content-Length above Max File Size is refused before reading', async () => {
		one('/big.bin');
		files.handler = (_req, res) => {
			res.writeHead(200, {
				'content-type': 'application/octet-stream',
				'content-length': String(5 * 1024 * 1024),
			});
			res.write(Buffer.alloc(1024));
		};
		const r = await run({ maxFileSize: 1 });
		expect(r.items[0].json.error).toMatch(/larger than Max File Size \(5 MB > 1 MB\)/);
	});

	test.each([
		[
			'a stalled body (Content-Length larger than what is sent)',
			(res: import('node:http').ServerResponse) => {
				res.writeHead(200, { 'content-type': 'image/png', 'content-length': '1000' });
				res.write('0123456789');
			},
		],
		[
			'a one-byte-at-a-time sender',
			(res: import('node:http').ServerResponse) => {
				res.writeHead(200, { 'content-type': 'image/png' });
				const drip = () => !res.destroyed && res.write('x') && setTimeout(drip, 300).unref();
				drip();
			},
		],
	])('%s is given up at the Timeout, with a clear per-item error', async (_n, send) => {
		one('/slow.png');
		files.handler = (_req, res) => send(res);
		const r = await run({ timeout: 2 });
		expect(r.items[0].json.error).toMatch(
			/was given up: (it did not finish within the Timeout \(2 s\)|no data arrived)/,
		);
		expect(r.items[0].binary).toBeUndefined();
	});

	test('a file host answering 429 forever uses up the retry budget and fails', async () => {
		one('/busy.png');
		files.handler = (_req, res) => res.writeHead(429, { 'retry-after': '0' }).end();
		const r = await run();
		expect(r.items[0].json.error).toMatch(/HTTP 429/);
		expect(files.received.length).toBe(5); // the first try and 4 retries
	});

	test('Retry-After beyond the deadline is not slept: the item fails at once', async () => {
		one('/later.png');
		files.handler = (_req, res) => res.writeHead(429, { 'retry-after': '3600' }).end();
		// This compares a wait with the Timeout, so the wait is the production one (capped at 60 s).
		const scale = timings.scale;
		timings.scale = 1;
		const r = await run({ timeout: 30 }).finally(() => (timings.scale = scale));
		expect(r.items[0].json.error).toMatch(
			/not retried: the file host answered 429, and waiting would pass the deadline/,
		);
		expect(files.received.length).toBe(1);
	});

	test('downloads ask for identity; a gzip answer with an honest Content-Length is decoded and accepted', async () => {
		one('/text.png');
		const plain = Buffer.alloc(6000, 'a');
		const packed = gzipSync(plain);
		files.handler = (_req, res) =>
			res
				.writeHead(200, {
					'content-type': 'image/png',
					'content-encoding': 'gzip',
					'content-length': String(packed.length),
				})
				.end(packed);
		const r = await run();
		expect(r.items[0].json.error).toBeUndefined();
		expect(files.received[0].headers['accept-encoding']).toBe('identity');
		expect(await readBinary(r.items[0].binary!.data)).toEqual(plain);
	});

	test('a truncated gzip body still fails the item', async () => {
		one('/cut.png');
		const packed = gzipSync(Buffer.alloc(60_000, 'b'));
		files.handler = (_req, res) => {
			res.writeHead(200, {
				'content-type': 'image/png',
				'content-encoding': 'gzip',
				'content-length': String(packed.length),
			});
			res.write(packed.subarray(0, 20));
			setTimeout(() => res.destroy(), 20);
		};
		const r = await run();
		expect(r.items[0].json.error).toMatch(/broke off|ended short/);
		expect(r.items[0].binary).toBeUndefined();
	});
});

describe('file names from URLs', () => {
	test('control characters go, unicode letters stay, the length is capped', async () => {
		output = {
			more: [
				fileUrl('/a%00b%0Ac%E2%80%AEd.png'),
				fileUrl('/Bild-%C3%BC%E6%97%A5%E6%9C%AC.png'),
				fileUrl(`/${'x'.repeat(300)}.png`),
			],
		};
		apiHandler();
		files.handler = (_req, res) =>
			res.writeHead(200, { 'content-type': 'image/png', 'content-length': '1' }).end('p');
		const r = await run();
		const names = Object.values(r.items[0].binary ?? {}).map((b) => b.fileName);
		expect(names[0]).toBe('abcd.png');
		expect(names[1]).toBe('Bild-ü日本.png');
		expect([...(names[2] ?? '')].length).toBe(120);
		expect(names[2]).toMatch(/^x+\.png$/);
	});

	test('safeFileName keeps an extension when it cuts', () => {
		expect(safeFileName(`${'é'.repeat(200)}.webm`, 20)).toBe(`${'é'.repeat(15)}.webm`);
		expect(safeFileName('../../etc/passwd')).toBe('_.._etc_passwd');
	});
});

describe('URLs from responses follow the Base URL', () => {
	test('rebase keeps path and query and moves them onto the Base URL (gateway path, scheme spelling)', () => {
		expect(
			rebase(
				'https://api.replicate.com/v1/predictions?cursor=abc',
				'https://gw.example/replicate/v1',
			),
		).toBe('https://gw.example/replicate/v1/predictions?cursor=abc');
		expect(
			rebase('http://api.replicate.com/v1/deployments?cursor=x', 'https://api.replicate.com/v1'),
		).toBe('https://api.replicate.com/v1/deployments?cursor=x');
		expect(rebase('https://evil.example/steal?x=1', 'https://api.replicate.com/v1')).toBe(
			'https://api.replicate.com/steal?x=1',
		);
	});

	test('a next cursor spelled https on an http Base URL: Return All walks every page on the Base URL', async () => {
		const https = `https://127.0.0.1:${api.port}`;
		api.handler = (req, res) => {
			const u = new URL(req.url ?? '', 'http://x');
			const page = Number(u.searchParams.get('cursor') ?? 0);
			const next = page < 2 ? `${https}/v1/predictions?cursor=${page + 1}` : null;
			return json(res, 200, {
				results: [{ id: `p${page}a` }, { id: `p${page}b` }],
				next,
				previous: null,
			});
		};
		const r = await runNode({
			parameters: { resource: 'prediction', operation: 'getMany', returnAll: true },
			credentials: creds(`${api.origin}/v1`),
		});
		expect(r.error).toBeUndefined();
		expect(r.items.map((i) => i.json.id)).toEqual(['p0a', 'p0b', 'p1a', 'p1b', 'p2a', 'p2b']);
		expect(api.received.map((q) => q.url)).toEqual([
			'/v1/predictions',
			'/v1/predictions?cursor=1',
			'/v1/predictions?cursor=2',
		]);
		expect(api.withToken()).toHaveLength(3);
	});
});
