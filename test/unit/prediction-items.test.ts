// What a finished prediction becomes in n8n: the prediction's JSON (or, with Simplify, its output),
// the options that shape it, and the files it carries. Pure: the context is a fake with no HTTP at
// all (data: URIs are decoded locally; a URL that is refused is never fetched). Milliseconds each.
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
} from 'n8n-workflow';

import {
	DEFAULT_MAX_FILE_MB,
	formatPrediction,
	MAX_OUTPUT_DEPTH,
	outputOptions,
	predictionItems,
	type OutputOptions,
} from '../../nodes/common/files/output';

const node = { name: 'Replicate' } as INode;
const MB = 1024 * 1024;

/** Only what predictionItems may use: the node, the credential's Base URL, the binary store. */
function context() {
	const stored: Array<{ name: string; mime: string; bytes: Buffer }> = [];
	const ctx = {
		getNode: () => node,
		getCredentials: async () => ({
			apiToken: 'r8_unit',
			baseUrl: 'https://api.replicate.com/v1',
		}),
		helpers: {
			prepareBinaryData: async (bytes: Buffer, fileName: string, mimeType: string) => {
				stored.push({ name: fileName, mime: mimeType, bytes });
				return { data: bytes.toString('base64'), fileName, mimeType };
			},
			// no request helpers: a fetch would fail the test
		},
	} as unknown as IExecuteFunctions;
	return { ctx, stored };
}

const options = (o: IDataObject = {}, overrides: Partial<OutputOptions> = {}) =>
	outputOptions(o, overrides);

const prediction = (output: unknown, extra: IDataObject = {}): IDataObject => ({
	id: 'p1',
	status: 'succeeded',
	output: output as IDataObject[string],
	error: null,
	logs: 'step 1\nstep 2',
	...extra,
});

const concatenate = {
	components: {
		schemas: {
			Output: { type: 'array', items: { type: 'string' }, 'x-cog-array-display': 'concatenate' },
		},
	},
};

async function failure(run: () => Promise<unknown>): Promise<NodeOperationError> {
	try {
		await run();
	} catch (error) {
		expect(error).toBeInstanceOf(NodeOperationError);
		return error as NodeOperationError;
	}
	throw new Error('no error');
}

describe('formatPrediction', () => {
	test('Replicate fields in a fixed order, unknown fields after them in theirs', () => {
		const p = {
			urls: { get: 'g' },
			zeta: 1,
			status: 'succeeded',
			alpha: 2,
			metrics: { predict_time: 1 },
			id: 'p1',
			output: 'o',
		};
		expect(Object.keys(formatPrediction(p, false))).toEqual([
			'id',
			'status',
			'output',
			'metrics',
			'urls',
			'zeta',
			'alpha',
		]);
	});

	test('the prediction given is not changed', () => {
		const p = prediction('o');
		const copy = structuredClone(p);
		formatPrediction(p, false);
		formatPrediction(p, true);
		expect(p).toEqual(copy);
	});

	test('a "__proto__" key in the JSON changes no prototype', () => {
		const p = JSON.parse('{"id":"p1","__proto__":{"polluted":true},"output":"o"}') as IDataObject;
		const shown = formatPrediction(p, false);
		expect(Object.getPrototypeOf(shown)).toBe(Object.prototype);
		expect((shown as { polluted?: unknown }).polluted).toBeUndefined();
		expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
		expect(shown).toEqual({ id: 'p1', output: 'o' });
	});

	test('an error text stays; only null (no error) goes', () => {
		expect(formatPrediction(prediction(null, { error: 'CUDA out of memory' }), false).error).toBe(
			'CUDA out of memory',
		);
		expect('error' in formatPrediction(prediction('o'), false)).toBe(false);
	});
});

describe('predictionItems: the item (Simplify off and on)', () => {
	const { ctx } = context();

	test('Simplify off: the formatted prediction, logs only with Include Logs', async () => {
		const [item] = await predictionItems(ctx, prediction('hi'), null, options(), 0);
		expect(item.json).toEqual({ id: 'p1', status: 'succeeded', output: 'hi' });
		expect(item.binary).toBeUndefined();
		const [logged] = await predictionItems(
			ctx,
			prediction('hi'),
			null,
			options({ includeLogs: true }),
			0,
		);
		expect(logged.json.logs).toBe('step 1\nstep 2');
	});

	test.each([
		['an object output is the item', { text: 'a', score: 0.5 }, { text: 'a', score: 0.5 }],
		['a string', 'hello', { output: 'hello' }],
		['a number', 0, { output: 0 }],
		['false', false, { output: false }],
		['null', null, { output: null }],
		['an array (not joined without the schema)', ['a', 'b'], { output: ['a', 'b'] }],
		['an array of objects', [{ a: 1 }], { output: [{ a: 1 }] }],
	])('Simplify: %s', async (_name, output, json) => {
		const items = await predictionItems(
			ctx,
			prediction(output),
			null,
			options({ simplify: true }),
			0,
		);
		expect(items).toEqual([{ json }]);
	});

	test('Simplify joins a token stream the schema marks "concatenate"', async () => {
		const tokens = ['Hel', 'lo', ', ', 'wor', 'ld'];
		const [joined] = await predictionItems(
			ctx,
			prediction(tokens),
			concatenate,
			options({ simplify: true }),
			0,
		);
		expect(joined.json).toEqual({ output: 'Hello, world' });
		// without Simplify the output stays as Replicate sent it
		const [raw] = await predictionItems(ctx, prediction(tokens), concatenate, options(), 0);
		expect(raw.json.output).toEqual(tokens);
		// an output that is already text is not touched
		const [text] = await predictionItems(
			ctx,
			prediction('done'),
			concatenate,
			options({ simplify: true }),
			0,
		);
		expect(text.json).toEqual({ output: 'done' });
	});

	test('an output nested beyond the limit is refused for its item; the limit itself passes', async () => {
		let edge: unknown = 'leaf';
		for (let i = 0; i < MAX_OUTPUT_DEPTH; i++) edge = [edge];
		await expect(predictionItems(ctx, prediction(edge), null, options(), 0)).resolves.toHaveLength(
			1,
		);
		const error = await failure(() =>
			predictionItems(ctx, prediction([edge]), null, options({ simplify: true }), 6),
		);
		expect(error.message).toBe(
			`The output of prediction p1 is nested more than ${MAX_OUTPUT_DEPTH} levels deep`,
		);
		expect(error.context.itemIndex).toBe(6);
	});
});

describe('predictionItems: output files', () => {
	const png = Buffer.from('89504e470d0a1a0a', 'hex');
	const pngUri = `data:image/png;base64,${png.toString('base64')}`;

	test('Download Output Files off: URLs stay text and nothing is read', async () => {
		const bare = { getNode: () => node } as unknown as IExecuteFunctions;
		const output = ['https://replicate.delivery/a/out.png', pngUri];
		const items = await predictionItems(
			bare,
			prediction(output),
			null,
			options({ download: false }),
			0,
		);
		expect(items).toEqual([{ json: { id: 'p1', status: 'succeeded', output } }]);
	});

	test('every file in one item: data, data_1 …, named from the MIME type', async () => {
		const { ctx, stored } = context();
		const [item] = await predictionItems(
			ctx,
			prediction({ images: [pngUri, 'data:,hello%20world'] }),
			null,
			options(),
			0,
		);
		expect(Object.keys(item.binary ?? {})).toEqual(['data', 'data_1']);
		expect(stored.map((s) => [s.name, s.mime, s.bytes.toString('hex')])).toEqual([
			['output_0.png', 'image/png', png.toString('hex')],
			['output_1.txt', 'text/plain', Buffer.from('hello world').toString('hex')],
		]);
		// the JSON keeps the output as Replicate sent it
		expect((item.json.output as IDataObject).images).toEqual([pngUri, 'data:,hello%20world']);
	});

	test('Split Files: one item per file, in the chosen property', async () => {
		const { ctx } = context();
		const items = await predictionItems(
			ctx,
			prediction([pngUri, pngUri]),
			null,
			options({ splitFiles: true, binaryProperty: 'image', simplify: true }),
			0,
		);
		expect(items.map((i) => [i.json.file, Object.keys(i.binary ?? {})])).toEqual([
			[{ index: 0, url: 'data: URI' }, ['image']],
			[{ index: 1, url: 'data: URI' }, ['image']],
		]);
	});

	test.each([
		['http://169.254.169.254/latest/meta-data', /loopback, link-local or private/],
		['http://127.0.0.1:5678/rest/x.png', /loopback, link-local or private/],
		['https://user:secret@replicate.delivery/x.png', /user name or password/],
		['http://cdn.example/x.png', /not https/],
	])('%s is not fetched; it stays in the output with a note', async (url, reason) => {
		const { ctx, stored } = context();
		const [item] = await predictionItems(ctx, prediction([url, pngUri]), null, options(), 2);
		expect(item.json.skippedFiles).toEqual([
			{ url, reason: expect.stringMatching(reason) as unknown },
		]);
		expect(stored.map((s) => s.name)).toEqual(['output_0.png']);
		expect(Object.keys(item.binary ?? {})).toEqual(['data']);
	});

	test("a data: URI's type is read like a Content-Type: case-insensitive, junk ignored", async () => {
		const { ctx, stored } = context();
		await predictionItems(
			ctx,
			prediction([
				'data:IMAGE/PNG;base64,eA==',
				'data:constructor,x',
				'data:__proto__;base64,eA==',
				'data:text/html<script>,x',
				'data:;base64,eA==',
			]),
			null,
			options(),
			0,
		);
		expect(stored.map((s) => [s.name, s.mime])).toEqual([
			['output_0.png', 'image/png'],
			['output_1', 'application/octet-stream'],
			['output_2', 'application/octet-stream'],
			['output_3', 'application/octet-stream'],
			['output_4.txt', 'text/plain'],
		]);
	});

	test('a data: URI with broken %-escapes fails its item, naming the file', async () => {
		const { ctx } = context();
		const error = await failure(() =>
			predictionItems(ctx, prediction(['data:text/plain,%E0%A4%A']), null, options(), 5),
		);
		expect(error.message).toMatch(/Output file 0 is a data: URI whose text cannot be decoded/);
		expect(error.context.itemIndex).toBe(5);
	});

	test('a data: URI larger than Max File Size is refused before it is stored', async () => {
		const { ctx, stored } = context();
		const big = `data:application/octet-stream;base64,${Buffer.alloc(2048).toString('base64')}`;
		const error = await failure(() =>
			predictionItems(ctx, prediction([big]), null, options({}, { maxFileBytes: 1024 }), 1),
		);
		expect(error.message).toMatch(
			/\(data: URI\) is larger than Max File Size \(2048 bytes > 1024 bytes\)/,
		);
		expect(error.context.itemIndex).toBe(1);
		expect(stored).toEqual([]);
	});
});

describe('outputOptions: the Options collection as output settings', () => {
	test('defaults', () => {
		expect(outputOptions({})).toEqual({
			download: true,
			binaryProperty: 'data',
			splitFiles: false,
			simplify: false,
			includeLogs: false,
			maxFileBytes: DEFAULT_MAX_FILE_MB * MB,
			timeoutMs: 600_000,
		});
	});

	test.each([0, -5, '', 'abc', '1e400', null, Number.NaN])(
		'Max File Size %j falls back to the default',
		(value) => {
			expect(outputOptions({ maxFileSize: value }).maxFileBytes).toBe(DEFAULT_MAX_FILE_MB * MB);
			expect(outputOptions({ timeout: value }).timeoutMs).toBe(600_000);
		},
	);

	test('numbers from expressions count; an empty property name is "data"', () => {
		const o = outputOptions({ maxFileSize: '0.5', timeout: '30', binaryProperty: '  ' });
		expect(o).toMatchObject({ maxFileBytes: MB / 2, timeoutMs: 30_000, binaryProperty: 'data' });
		expect(outputOptions({ binaryProperty: ' image ' }).binaryProperty).toBe('image');
	});
});
