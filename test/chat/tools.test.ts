import {
	callsText,
	MAX_CALLS_PER_REPLY,
	parseReply,
	ReplyGate,
	resultsText,
	toolInstructions,
	toolSpecs,
	type ToolSpec,
} from '../../nodes/LmChatReplicate/chat/tools';

const TOOLS: ToolSpec[] = [
	{
		name: 'calculator',
		description: 'Evaluates a math expression.',
		schema: {
			type: 'object',
			properties: { input: { type: 'string' } },
			required: ['input'],
			additionalProperties: false,
		},
	},
	{
		name: 'weather',
		description: 'The weather in a city.',
		schema: {
			type: 'object',
			properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1 } },
			required: ['city'],
		},
	},
];

const call = (name: string, args: unknown) => ({ name, arguments: args });

describe('parseReply', () => {
	test('one call', () => {
		const r = parseReply(
			JSON.stringify({ tool_calls: [call('calculator', { input: '6*7' })] }),
			TOOLS,
		);
		expect(r).toEqual({ kind: 'calls', calls: [{ name: 'calculator', input: '{"input":"6*7"}' }] });
	});

	test('several calls in one reply, in order', () => {
		const text = JSON.stringify({
			tool_calls: [
				call('weather', { city: 'Oslo', days: 2 }),
				call('calculator', { input: '1+1' }),
			],
		});
		const r = parseReply(text, TOOLS);
		expect(r.kind === 'calls' && r.calls.map((c) => c.name)).toEqual(['weather', 'calculator']);
	});

	test('a fenced reply, surrounding whitespace, a lone call object and string arguments', () => {
		const json = JSON.stringify({ tool_calls: [call('calculator', { input: '2' })] });
		expect(parseReply(`\n\`\`\`json\n${json}\n\`\`\`\n`, TOOLS).kind).toBe('calls');
		expect(parseReply(JSON.stringify(call('calculator', { input: '2' })), TOOLS).kind).toBe(
			'calls',
		);
		const stringArgs = JSON.stringify({ tool_calls: [call('calculator', '{"input":"3"}')] });
		expect(parseReply(stringArgs, TOOLS)).toEqual({
			kind: 'calls',
			calls: [{ name: 'calculator', input: '{"input":"3"}' }],
		});
	});

	test.each([
		[
			{ tool_calls: [call('search', {})] },
			'there is no tool "search" (tools: calculator, weather)',
		],
		[
			{ tool_calls: [call('calculator', { input: 42 })] },
			'"calculator": arguments.input must be string (got integer)',
		],
		[{ tool_calls: [call('weather', { days: 2 })] }, '"weather": arguments.city is required'],
		[
			{ tool_calls: [call('calculator', { input: '1', x: 1 })] },
			'"calculator": arguments.x is not an argument of this tool',
		],
		[{ tool_calls: [call('weather', [1])] }, 'the arguments of "weather" must be an object'],
		[
			{ tool_calls: [call('calculator', 'not json')] },
			'the arguments of "calculator" are not JSON',
		],
		[{ tool_calls: [{ arguments: {} }] }, 'call 1 has no "name"'],
		[{ tool_calls: ['calculator'] }, 'call 1 is not an object'],
		[{ tool_calls: [] }, '"tool_calls" is empty'],
		[{ tool_calls: 'calculator' }, '"tool_calls" must be a list'],
	])('malformed: %j', (reply, reason) => {
		expect(parseReply(JSON.stringify(reply), TOOLS)).toEqual({ kind: 'malformed', reason });
	});

	test('a call list that breaks off is malformed; too many calls are malformed', () => {
		expect(parseReply('{"tool_calls": [{"name": "calculator", "argu', TOOLS)).toEqual({
			kind: 'malformed',
			reason: 'the reply is not valid JSON',
		});
		const many = Array.from({ length: MAX_CALLS_PER_REPLY + 1 }, () =>
			call('calculator', { input: '1' }),
		);
		expect(parseReply(JSON.stringify({ tool_calls: many }), TOOLS)).toEqual({
			kind: 'malformed',
			reason: `more than ${MAX_CALLS_PER_REPLY} calls in one reply`,
		});
	});

	test('everything else is the answer text', () => {
		for (const text of [
			'The answer is 42.',
			'{"temperature": 21}',
			'{not json at all',
			'[1, 2]',
			'Here: {"tool_calls": []}',
			'{"name": "unknown_tool", "arguments": {}}',
			'',
		]) {
			expect(parseReply(text, TOOLS)).toEqual({ kind: 'text' });
		}
		expect(
			parseReply(JSON.stringify({ tool_calls: [call('calculator', { input: '1' })] }), []),
		).toEqual({
			kind: 'text',
		});
	});
});

test('the instructions name each tool with its description and schema, and the reply format', () => {
	const text = toolInstructions(TOOLS);
	expect(text).toContain('- calculator: Evaluates a math expression.');
	expect(text).toContain(`Arguments (JSON Schema): ${JSON.stringify(TOOLS[0].schema)}`);
	expect(text).toContain('{"tool_calls": [{"name": "<tool name>", "arguments": {<arguments>}}]}');
	expect(text).toContain('Tool results:');
});

test('calls are written back in the protocol, results under the results header', () => {
	const written = callsText([{ name: 'calculator', input: '{"input":"6*7"}' }]);
	expect(parseReply(written, TOOLS)).toEqual({
		kind: 'calls',
		calls: [{ name: 'calculator', input: '{"input":"6*7"}' }],
	});
	expect(
		resultsText([
			{ name: 'calculator', result: '42' },
			{ name: 'weather', result: { temp: 3 }, isError: true },
			{
				name: 'code',
				result: [
					{ type: 'text', text: 'a' },
					{ type: 'text', text: 'b' },
				],
			},
			{ name: 'n8n', result: '[{"response":"len=5"}]' },
			{ name: 'node', result: '[{"response":"x","id":"p1"}]' },
		]),
	).toBe(
		'Tool results:\n[calculator] 42\n[weather failed] {"temp":3}\n[code] ab\n[n8n] len=5\n[node] [{"response":"x","id":"p1"}]',
	);
	expect(resultsText([{ name: 'big', result: 'x'.repeat(30_000) }])).toMatch(
		/^Tool results:\n\[big\] x{20000} … \(cut at 20000 characters\)$/,
	);
});

test('toolSpecs take the SDK converter, drop $schema, and do not show unconverted Zod objects', () => {
	const specs = toolSpecs(
		[
			{ type: 'function', name: 'a', description: 'A', inputSchema: 'zod-a' },
			{ type: 'function', name: 'b', inputSchema: { _def: {} } },
		],
		(t) => (t.name === 'a' ? { $schema: 'x', type: 'object' } : t.inputSchema),
	);
	expect(specs).toEqual([
		{ name: 'a', description: 'A', schema: { type: 'object' } },
		{ name: 'b', description: '', schema: {} },
	]);
	const failing = toolSpecs([{ type: 'function', name: 'c' }], () => {
		throw new Error('cannot convert');
	});
	expect(failing[0].schema).toEqual({});
});

describe('ReplyGate', () => {
	const run = (tools: ToolSpec[], pieces: string[]) => {
		const g = new ReplyGate(tools);
		return { shown: pieces.map((p) => g.push(p)), holding: g.holding, held: g.heldText };
	};

	test('plain text streams as soon as its first character is seen', () => {
		expect(run(TOOLS, ['  ', 'The', ' answer'])).toEqual({
			shown: ['', '  The', ' answer'],
			holding: false,
			held: '',
		});
	});

	test('a reply that may be a call is held to the end', () => {
		expect(run(TOOLS, [' {"tool', '_calls": []}'])).toEqual({
			shown: ['', ''],
			holding: true,
			held: ' {"tool_calls": []}',
		});
		expect(run(TOOLS, ['`', '`', '`json'])).toMatchObject({ shown: ['', '', ''], holding: true });
		expect(run(TOOLS, ['`', 'x'])).toMatchObject({ shown: ['', '`x'], holding: false });
	});

	test('without tools nothing is held', () => {
		expect(run([], ['{"a"'])).toEqual({ shown: ['{"a"'], holding: false, held: '' });
	});
});
