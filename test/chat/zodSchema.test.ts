// Zod 3 schemas as n8n 2.41's tools build them (Zod comes with the SDK devDependency), read into JSON
// Schema without the SDK's instanceof check.
import { z } from 'zod';

import { isZod, zodToJson } from '../../nodes/LmChatReplicate/chat/zodSchema';
import { toolSpecs } from '../../nodes/LmChatReplicate/chat/tools';
import { validate } from '../../nodes/LmChatReplicate/chat/jsonSchema';

test("a LangChain DynamicTool's schema (Calculator, Code tool): one optional string input", () => {
	const schema = z.object({ input: z.string().optional() }).transform((o) => o.input);
	expect(isZod(schema)).toBe(true);
	expect(zodToJson(schema)).toEqual({ type: 'object', properties: { input: { type: 'string' } } });
});

test('a node used as a tool ($fromAI): required, described fields', () => {
	const schema = z
		.object({
			prompt: z.string().describe('What the image shows'),
			steps: z.number().int().min(1).max(50),
			style: z.enum(['photo', 'sketch']).optional(),
			tags: z.array(z.string()).nullable(),
			seed: z.number().default(1),
		})
		.required();
	const json = zodToJson(schema);
	expect(json).toEqual({
		type: 'object',
		properties: {
			prompt: { type: 'string', description: 'What the image shows' },
			steps: { type: 'integer', minimum: 1, maximum: 50 },
			style: { type: 'string', enum: ['photo', 'sketch'] },
			tags: { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'null' }] },
			seed: { type: 'number' },
		},
		// .required() (as n8n's node tools call it) makes the optional `style` required; a default is not
		required: ['prompt', 'steps', 'style', 'tags'],
	});
	expect(validate({ prompt: 'a cat', steps: 4, style: 'photo', tags: null }, json)).toBeUndefined();
	expect(validate({ steps: 4, style: 'photo', tags: null }, json)).toBe(
		'arguments.prompt is required',
	);
});

test('strict objects, literals, unions and records', () => {
	expect(zodToJson(z.object({ a: z.literal('x') }).strict())).toEqual({
		type: 'object',
		properties: { a: { const: 'x' } },
		required: ['a'],
		additionalProperties: false,
	});
	expect(zodToJson(z.union([z.string(), z.boolean()]))).toEqual({
		anyOf: [{ type: 'string' }, { type: 'boolean' }],
	});
	expect(zodToJson(z.record(z.number()))).toEqual({
		type: 'object',
		additionalProperties: { type: 'number' },
	});
	expect(zodToJson(z.any())).toEqual({});
});

test('toolSpecs read a Zod schema the SDK converter handed back unconverted', () => {
	const tool = {
		type: 'function',
		name: 'Calculator',
		inputSchema: z.object({ input: z.string().optional() }),
	};
	const [spec] = toolSpecs([tool], (t) => t.inputSchema);
	expect(spec.schema).toEqual({ type: 'object', properties: { input: { type: 'string' } } });
});
