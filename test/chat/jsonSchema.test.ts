import { validate } from '../../nodes/LmChatReplicate/chat/jsonSchema';

const schema = {
	type: 'object',
	properties: {
		city: { type: 'string', minLength: 2, maxLength: 20, pattern: '^[A-Z]' },
		days: { type: 'integer', minimum: 1, maximum: 14 },
		unit: { enum: ['c', 'f'] },
		tags: { type: 'array', items: { type: 'string' }, maxItems: 2 },
		at: { anyOf: [{ type: 'string' }, { type: 'null' }] },
		nested: { $ref: '#/definitions/point' },
	},
	required: ['city'],
	additionalProperties: false,
	definitions: {
		point: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] },
	},
};

test('a conforming value passes', () => {
	expect(
		validate(
			{ city: 'Paris', days: 3, unit: 'c', tags: ['a'], at: null, nested: { x: 1.5 } },
			schema,
		),
	).toBeUndefined();
});

test.each([
	[{}, 'arguments.city is required'],
	[{ city: 7 }, 'arguments.city must be string (got integer)'],
	[{ city: 'P' }, 'arguments.city must have at least 2 characters'],
	[{ city: 'paris' }, 'arguments.city must match ^[A-Z]'],
	[{ city: 'Paris', days: 2.5 }, 'arguments.days must be integer (got number)'],
	[{ city: 'Paris', days: 15 }, 'arguments.days must be ≤ 14'],
	[{ city: 'Paris', unit: 'k' }, 'arguments.unit must be one of "c", "f"'],
	[{ city: 'Paris', tags: ['a', 1] }, 'arguments.tags[1] must be string (got integer)'],
	[{ city: 'Paris', tags: ['a', 'b', 'c'] }, 'arguments.tags must have at most 2 items'],
	[{ city: 'Paris', at: 3 }, 'arguments.at must be string (got integer)'],
	[{ city: 'Paris', nested: {} }, 'arguments.nested.x is required'],
	[{ city: 'Paris', extra: 1 }, 'arguments.extra is not an argument of this tool'],
])('%j breaks the schema: %s', (value, message) => {
	expect(validate(value, schema)).toBe(message);
});

test('numbers accept integers; oneOf wants exactly one match; unknown keywords are ignored', () => {
	expect(validate(3, { type: 'number' })).toBeUndefined();
	expect(validate('x', { oneOf: [{ type: 'string' }, { minLength: 1 }] })).toBe(
		'arguments matches more than one allowed shape',
	);
	expect(validate('x', { type: 'string', format: 'made-up', 'x-anything': 1 })).toBeUndefined();
	expect(validate({ a: 1 }, {})).toBeUndefined();
});

test('a bad pattern or an unresolvable $ref does not throw', () => {
	expect(validate('x', { type: 'string', pattern: '(' })).toBeUndefined();
	expect(validate('x', { $ref: 'http://elsewhere/schema' })).toBeUndefined();
});

test('a self-referencing schema stops at a depth limit', () => {
	const loop = { $ref: '#' };
	expect(validate({}, loop)).toBeUndefined();
});
