// The model's schema from outside: inputs coerced and checked before any paid request, and which
// output values are files. Cases helpers.test.ts leaves out: names that are also Object's own
// (constructor, __proto__), boundaries, malformed schemas, hostile output shapes. Milliseconds each.
import { NodeOperationError, type IDataObject, type INode } from 'n8n-workflow';

import { toResourceMapperFields } from '../../nodes/Replicate/methods/mapperFields';
import {
	inputSchema,
	outputFiles,
	prepareInput,
	type InputSchema,
} from '../../nodes/common/models/schema';

const node = { name: 'Replicate' } as INode;

const openapi = (Input: object, extra: IDataObject = {}) => ({
	components: { schemas: { Input, ...extra } },
});

const schema = inputSchema(
	openapi({
		type: 'object',
		required: ['prompt'],
		properties: {
			prompt: { type: 'string', 'x-order': 0 },
			steps: { type: 'integer', minimum: 1, maximum: 4, 'x-order': 1 },
			scale: { type: 'number', minimum: 0, maximum: 1, 'x-order': 2 },
			mode: { type: 'integer', enum: [1, 2], 'x-order': 3 },
			cfg: { type: 'object', 'x-order': 4 },
			weights: { type: 'array', items: { type: 'number' }, 'x-order': 5 },
			seed: { type: 'integer', default: 7, 'x-order': 6 },
		},
	}),
) as InputSchema;

function refusal(raw: IDataObject, s: InputSchema | undefined = schema): NodeOperationError {
	try {
		prepareInput(node, s, raw, 2);
	} catch (error) {
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as NodeOperationError).context.itemIndex).toBe(2);
		return error as NodeOperationError;
	}
	throw new Error(`${JSON.stringify(raw)} was accepted`);
}

describe('prepareInput: what is sent', () => {
	test.each([
		[{ steps: 1 }, { steps: 1 }],
		[{ steps: '4' }, { steps: 4 }],
		[{ steps: ' 3 ' }, { steps: 3 }],
		[{ scale: '0' }, { scale: 0 }],
		[{ scale: 1 }, { scale: 1 }],
		[{ mode: '2' }, { mode: 2 }],
		[{ prompt: 5 }, { prompt: '5' }],
		[{ prompt: false }, { prompt: 'false' }],
		[{ cfg: '{"a": [1]}' }, { cfg: { a: [1] } }],
		[{ cfg: { a: 1 } }, { cfg: { a: 1 } }],
		[{ weights: '[1, 2.5]' }, { weights: [1, 2.5] }],
		[{ weights: '3' }, { weights: [3] }],
		[{ weights: ['1', 2] }, { weights: [1, 2] }],
		// the starting "{}" / "[]" of an optional field is not sent, a value is
		[{ cfg: '{ }' }, {}],
		[{ weights: ' [ ] ' }, {}],
		// a field with a default keeps an explicit value
		[{ seed: 0 }, { seed: 0 }],
		[{ steps: null, scale: undefined, mode: '' }, {}],
	])('%j → %j', (raw, sent) => {
		expect(prepareInput(node, schema, { prompt: 'p', ...raw }, 0)).toEqual({
			prompt: 'p',
			...sent,
		});
	});
});

describe('prepareInput: what is refused before any request', () => {
	test.each([
		[{ steps: 0 }, /"Steps" \(steps\): must be at least 1 \(got 0\)/],
		[{ steps: 5 }, /"Steps" \(steps\): must be at most 4 \(got 5\)/],
		[{ steps: -1 }, /"Steps" \(steps\): must be at least 1/],
		[{ steps: '1.0001' }, /"Steps" \(steps\): must be a whole number/],
		[{ steps: 'Infinity' }, /"Steps" \(steps\): must be a number \(got "Infinity"\)/],
		[{ steps: 'NaN' }, /"Steps" \(steps\): must be a number/],
		[{ steps: '   ' }, /"Steps" \(steps\): must be a number/],
		[{ steps: true }, /"Steps" \(steps\): must be a number \(got true\)/],
		[{ steps: [1] }, /"Steps" \(steps\): must be a number/],
		[{ scale: 1.01 }, /"Scale" \(scale\): must be at most 1/],
		[{ scale: '1e400' }, /"Scale" \(scale\): must be a number/],
		[{ mode: 3 }, /"Mode" \(mode\): must be one of 1, 2 \(got 3\)/],
		[{ mode: '1.0x' }, /"Mode" \(mode\): must be a number/],
		[{ cfg: '[]' }, /"CFG" \(cfg\): must be an object/],
		[{ cfg: 'null' }, /"CFG" \(cfg\): must be an object/],
		[{ cfg: '{"a":' }, /"CFG" \(cfg\): must be a JSON object/],
		[{ weights: '[1, "x"]' }, /"Weights" \(weights\): item 1 must be a number \(got "x"\)/],
		[{ weights: '[1,' }, /"Weights" \(weights\): must be a JSON array/],
		[{ weights: { 0: 1 } }, /"Weights" \(weights\): must be an array/],
		[{ prompt: { text: 'x' } }, /"Prompt" \(prompt\): must be text/],
		[{ prompt: '' }, /"Prompt" \(prompt\): is required by this model$/],
	])('%j', (raw, message) => {
		expect(refusal({ prompt: 'p', ...raw }).message).toMatch(message);
	});

	test.each([
		'constructor',
		'toString',
		'hasOwnProperty',
		'valueOf',
		'__proto__',
		'__defineGetter__',
	])('an input named %j that the model does not have is refused, not inherited', (name) => {
		const raw = JSON.parse(`{"prompt": "p", ${JSON.stringify(name)}: {"x": 1}}`) as IDataObject;
		const error = refusal(raw);
		// Named by a label and the API name: "Proto" (__proto__).
		const [, label, api] =
			/^Invalid model input "([^"]+)" \((.+)\): this model has no such input$/.exec(
				error.message,
			) ?? [];
		expect([typeof label, api]).toEqual(['string', name]);
		expect(error.description).toBe('Valid inputs: prompt, steps, scale, mode, cfg, weights, seed');
	});

	test('a model that declares "constructor" gets it checked like any input', () => {
		const own = inputSchema(
			openapi({ type: 'object', properties: { constructor: { type: 'integer' } } }),
		);
		expect(prepareInput(node, own, { constructor: '3' }, 0)).toEqual({ constructor: 3 });
		expect(refusal({ constructor: 'x' }, own).message).toMatch(
			/"Constructor" \(constructor\): must be a number/,
		);
	});
});

describe('inputSchema: a schema from outside', () => {
	test('no Input, no properties, or no components: no schema (inputs pass unchecked)', () => {
		expect(inputSchema(null)).toBeUndefined();
		expect(inputSchema({})).toBeUndefined();
		expect(inputSchema({ components: { schemas: {} } })).toBeUndefined();
		expect(inputSchema(openapi({ type: 'object' }))).toBeUndefined();
	});

	test('a malformed "required" or "enum" stops the item, naming the problem', () => {
		const broken = inputSchema(
			openapi({
				type: 'object',
				required: 'prompt',
				properties: { prompt: { type: 'string' }, size: { type: 'string', enum: 'big' } },
			}),
		);
		const error = refusal({ prompt: 'p' }, broken);
		expect(error.message).toBe(
			`The model's input schema is malformed: "required" is not a list of input names (got "prompt")`,
		);
		expect(error.description).toMatch(/Also: "enum" of input "size" is not a list \(got "big"\)\./);
	});

	test('non-text names in "required" are ignored; order falls back to the name', () => {
		const s = inputSchema(
			openapi({
				type: 'object',
				required: ['b', 3, null],
				properties: { c: { type: 'string' }, b: { type: 'string' }, a: { 'x-order': 0 } },
			}),
		);
		expect(s?.required).toEqual(['b']);
		expect(s?.order).toEqual(['a', 'b', 'c']);
	});

	test('a $ref to nothing, or outside the document, is not followed', () => {
		const s = inputSchema(
			openapi({
				type: 'object',
				properties: {
					a: { allOf: [{ $ref: '#/components/schemas/Missing' }], 'x-order': 0 },
					b: { $ref: 'https://evil.example/schema.json', type: 'string', 'x-order': 1 },
				},
			}),
		);
		expect(s?.properties.a).toEqual({ 'x-order': 0 });
		expect(s?.properties.b.type).toBe('string');
	});

	test('the editor lists a model input named "constructor" like any other', () => {
		const s = inputSchema(
			openapi({ type: 'object', properties: { constructor: { type: 'integer', 'x-order': 0 } } }),
		) as InputSchema;
		expect(toResourceMapperFields(s).map((f) => [f.id, f.type])).toEqual([
			['constructor', 'number'],
		]);
	});
});

describe('outputFiles: hostile outputs and schemas', () => {
	const withOutput = (Output: object, extra: IDataObject = {}) => ({
		components: { schemas: { Output, ...extra } },
	});

	test('only http(s) URLs and data: URIs are candidates', () => {
		expect(
			outputFiles(
				[
					'file:///etc/passwd',
					'ftp://host/x.png',
					'javascript:alert(1)',
					'//host/x.png',
					'https://host/a b.png',
					'data:no-comma',
					'HTTPS://host/X.PNG',
					'data:text/plain,hi',
				],
				null,
			),
		).toEqual(['HTTPS://host/X.PNG', 'data:text/plain,hi']);
	});

	test('anyOf/oneOf branches and additionalProperties typed as uri', () => {
		const schema = withOutput({
			type: 'object',
			properties: {
				maybe: { anyOf: [{ type: 'string' }, { type: 'string', format: 'uri' }] },
				caption: { type: 'string' },
			},
			additionalProperties: { type: 'string', format: 'uri' },
		});
		expect(
			outputFiles(
				{
					maybe: 'https://h/a.png',
					caption: 'https://h/text.png',
					extra: 'https://h/b.png',
					constructor: 'https://h/c.png',
					toString: 'https://h/d.png',
				},
				schema,
			),
		).toEqual(['https://h/a.png', 'https://h/b.png', 'https://h/c.png', 'https://h/d.png']);
	});

	test('a $ref cycle ends', () => {
		const loop = withOutput(
			{ $ref: '#/components/schemas/A' },
			{ A: { $ref: '#/components/schemas/B' }, B: { $ref: '#/components/schemas/A' } },
		);
		expect(outputFiles('https://h/a.png', loop)).toEqual([]);
		const tree = withOutput(
			{ $ref: '#/components/schemas/Node' },
			{
				Node: {
					type: 'object',
					properties: {
						file: { type: 'string', format: 'uri' },
						child: { $ref: '#/components/schemas/Node' },
					},
				},
			},
		);
		expect(
			outputFiles({ file: 'https://h/1.png', child: { file: 'https://h/2.png' } }, tree),
		).toEqual(['https://h/1.png', 'https://h/2.png']);
	});

	test('a very deep output is walked to a bounded depth, without recursion errors', () => {
		let deep: unknown = 'https://h/deep.png';
		for (let i = 0; i < 100_000; i++) deep = [deep];
		expect(outputFiles(deep, null)).toEqual([]);
		let shallow: unknown = 'https://h/ok.png';
		for (let i = 0; i < 32; i++) shallow = [shallow];
		expect(outputFiles(shallow, null)).toEqual(['https://h/ok.png']);
	});

	test('a data: URI is a file even where the schema says text; a URL is not', () => {
		const text = withOutput({ type: 'string' });
		expect(outputFiles('data:image/png;base64,AA==', text)).toEqual(['data:image/png;base64,AA==']);
		expect(outputFiles('https://h/a.png', text)).toEqual([]);
	});
});
