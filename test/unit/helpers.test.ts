// Pure helpers, no n8n and no emulator: model references, input coercion, output file discovery,
// file names and MIME types, the prediction's shape, the poll schedule. Milliseconds each.
import { NodeOperationError, type INode } from 'n8n-workflow';

import { parseModelRef } from '../../nodes/common/models/modelRef';
import { binaryName, formatPrediction, nestingDepth } from '../../nodes/common/files/output';
import { safeFileName } from '../../nodes/common/files/names';
import { inputSchema, outputFiles, prepareInput } from '../../nodes/common/models/schema';
import { retryAfterMs } from '../../nodes/common/transport';

const node = { name: 'Replicate' } as INode;
const V = 'a'.repeat(64);

describe('parseModelRef', () => {
	test.each([
		['owner/name', { owner: 'owner', name: 'name', version: undefined }],
		[
			'  black-forest-labs/flux.1-dev ',
			{ owner: 'black-forest-labs', name: 'flux.1-dev', version: undefined },
		],
		[`owner/name:${V}`, { owner: 'owner', name: 'name', version: V }],
		['https://replicate.com/owner/name', { owner: 'owner', name: 'name', version: undefined }],
		[
			`https://replicate.com/owner/name/versions/${V}`,
			{ owner: 'owner', name: 'name', version: V },
		],
		[
			'https://replicate.com/owner/name/?tab=api#x',
			{ owner: 'owner', name: 'name', version: undefined },
		],
	])('%s', (raw, ref) => {
		expect(parseModelRef(raw)).toEqual(ref);
	});

	test.each([
		'',
		'owner',
		'owner/',
		'/name',
		'a/b/c',
		'owner/name:',
		'-x/name',
		'own er/name',
		'owner/name:v/1',
	])('%j is not a model reference', (raw) => {
		expect(parseModelRef(raw)).toBeUndefined();
	});
});

describe('prepareInput: coercion to the schema', () => {
	const schema = inputSchema({
		components: {
			schemas: {
				Input: {
					type: 'object',
					required: ['prompt'],
					properties: {
						prompt: { type: 'string', 'x-order': 0 },
						steps: { type: 'integer', minimum: 1, maximum: 50, 'x-order': 1 },
						guidance: { type: 'number', 'x-order': 2 },
						safe: { type: 'boolean', 'x-order': 3 },
						size: { allOf: [{ $ref: '#/components/schemas/size' }], 'x-order': 4 },
						tags: { type: 'array', items: { type: 'string' }, 'x-order': 5 },
					},
				},
				size: { type: 'string', enum: ['small', 'large'] },
			},
		},
	});
	const run = (raw: Record<string, unknown>) => prepareInput(node, schema, raw as never, 3);

	test('the schema is read in x-order, with $ref enums resolved', () => {
		expect(schema?.order).toEqual(['prompt', 'steps', 'guidance', 'safe', 'size', 'tags']);
		expect(schema?.properties.size.enum).toEqual(['small', 'large']);
	});

	test('strings from expressions become numbers and booleans; empty values are dropped', () => {
		expect(
			run({ prompt: 'x', steps: '20', guidance: '7.5', safe: 'false', size: 'large', tags: '' }),
		).toEqual({ prompt: 'x', steps: 20, guidance: 7.5, safe: false, size: 'large' });
	});

	test('an optional array left at its starting "[]" is not sent', () => {
		expect(run({ prompt: 'x', tags: '[]' })).toEqual({ prompt: 'x' });
	});

	test.each([
		[
			{ prompt: 'x', steps: '2.5' },
			/Invalid model input "Steps" \(steps\): must be a whole number/,
		],
		[{ prompt: 'x', steps: 51 }, /Invalid model input "Steps" \(steps\): .*50/],
		[{ prompt: 'x', safe: 'maybe' }, /Invalid model input "Safe" \(safe\)/],
		[
			{ prompt: 'x', size: 'huge' },
			/"Size" \(size\): must be one of "small", "large" \(got "huge"\)/,
		],
		[{ prompt: 'x', colour: 'red' }, /"Colour" \(colour\): this model has no such input/],
		[{ steps: 3 }, /"Prompt" \(prompt\): is required by this model$/],
	])('%j is refused naming the field and the item', (raw, message) => {
		let error: unknown;
		try {
			run(raw);
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as NodeOperationError).message).toMatch(message);
		// the router adds "[item i]" to the message from this index
		expect((error as NodeOperationError).context.itemIndex).toBe(3);
	});

	test('without a schema the input passes as given (minus empty values)', () => {
		expect(prepareInput(node, undefined, { a: '1', b: '' }, 0)).toEqual({ a: '1' });
	});
});

describe('outputFiles: which output values are files', () => {
	const openapi = (Output: object) => ({ components: { schemas: { Output } } });

	test('URIs where the Output schema says format uri; text positions never', () => {
		const schema = openapi({
			type: 'object',
			properties: {
				images: { type: 'array', items: { type: 'string', format: 'uri' } },
				caption: { type: 'string' },
			},
		});
		const output = {
			images: ['https://cdn.example/a.png', 'https://cdn.example/b.png'],
			caption: 'https://looks-like-a.url/but-is-text.png',
		};
		expect(outputFiles(output, schema)).toEqual([
			'https://cdn.example/a.png',
			'https://cdn.example/b.png',
		]);
	});

	test('without an Output schema: URL-looking strings and data URIs anywhere in the output', () => {
		expect(
			outputFiles(
				{ a: ['https://cdn.example/x.wav', 'plain text'], b: { c: 'data:text/plain,hi' } },
				null,
			),
		).toEqual(['https://cdn.example/x.wav', 'data:text/plain,hi']);
	});
});

describe('file names and the prediction item', () => {
	test.each([
		['out.png', 'out.png'],
		['../../etc/passwd', '_.._etc_passwd'],
		['a\u0000b\u202Ec.txt', 'abc.txt'],
		['...hidden', 'hidden'],
		['café 🎨.png', 'café 🎨.png'],
	])('safeFileName(%j) is %j', (raw, safe) => {
		expect(safeFileName(raw)).toBe(safe);
	});

	test('a long name keeps its extension within the limit', () => {
		const name = safeFileName(`${'x'.repeat(300)}.jpeg`, 20);
		expect(name).toBe(`${'x'.repeat(15)}.jpeg`);
	});

	test('binary property names: data, data_1, data_2', () => {
		expect([0, 1, 2].map((i) => binaryName('data', i))).toEqual(['data', 'data_1', 'data_2']);
	});

	test('formatPrediction: known fields first, logs only on request, a null error removed', () => {
		const p = { zeta: 1, logs: 'l', output: 'o', error: null, status: 'succeeded', id: 'p1' };
		const shown = formatPrediction(p, false);
		expect(Object.keys(shown)).toEqual(['id', 'status', 'output', 'zeta']);
		expect(formatPrediction(p, true).logs).toBe('l');
		expect(formatPrediction({ ...p, error: 'boom' }, false).error).toBe('boom');
	});

	test('nestingDepth measures without recursion and stops early', () => {
		let deep: unknown = 'leaf';
		for (let i = 0; i < 100_000; i++) deep = [deep];
		expect(nestingDepth(deep)).toBe(100_000);
		expect(nestingDepth(deep, 10)).toBe(11);
		expect(nestingDepth({ a: { b: 1 } })).toBe(2);
	});
});

describe('waits', () => {
	test('Retry-After: the header, else the body, else 1 s', () => {
		expect(retryAfterMs({ 'retry-after': '3' }, { retry_after: 9 })).toBe(3000);
		expect(retryAfterMs({}, { retry_after: 2 })).toBe(2000);
		expect(retryAfterMs({ 'retry-after': 'soon' }, 'text')).toBe(1000);
	});
});
