// Tool calling by prompting. No model on Replicate documents a tool-call format, so when an agent
// binds tools the node describes them and a strict reply format in the system text, and reads the
// model's answer:
//
//   {"tool_calls": [{"name": "<tool>", "arguments": {…}}, …]}
//
// alone (optionally inside one ``` fence) is a request to call those tools; a lone
// {"name": "<tool>", "arguments": {…}} counts as one call. Every call must name a bound tool and carry
// arguments valid against the tool's JSON Schema. Anything that is not an attempt at a call is the
// final text answer. An attempt that fails the checks is "malformed": the model is asked once to
// correct it (see model.ts), and a second malformed reply is returned as text.
import { validate } from './jsonSchema';
import { isZod, zodToJson } from './zodSchema';

export interface ToolSpec {
	name: string;
	description: string;
	/** JSON Schema of the arguments object (`{}` when the tool published none). */
	schema: Record<string, unknown>;
}

export interface ToolCallRequest {
	name: string;
	/** The arguments as JSON text (the SDK's tool-call `input`). */
	input: string;
}

export type Reply =
	| { kind: 'calls'; calls: ToolCallRequest[] }
	| { kind: 'text' }
	| { kind: 'malformed'; reason: string };

/** More calls than this in one reply is treated as a malformed reply. */
export const MAX_CALLS_PER_REPLY = 16;
/** The header of the user turn that carries tool results back to the model. */
export const RESULTS_HEADER = 'Tool results:';
/** A tool result longer than this is cut (the model's context is finite; the agent keeps the whole). */
export const MAX_RESULT_CHARS = 20_000;

/** A tool as the SDK binds it (`inputSchema` may be a Zod schema; the SDK converts it). */
export interface BoundTool {
	type: string;
	name: string;
	description?: string;
	inputSchema?: unknown;
}

/** The SDK's converter of a tool's input schema to JSON Schema (`getParametersJsonSchema`). */
export type SchemaOf = (tool: BoundTool) => unknown;

function plainSchema(tool: BoundTool, schemaOf?: SchemaOf): Record<string, unknown> {
	let schema: unknown;
	try {
		schema = schemaOf ? schemaOf(tool) : tool.inputSchema;
	} catch {
		schema = undefined;
	}
	// The SDK hands back Zod schemas made with another copy of Zod unconverted: read them here.
	if (isZod(schema)) schema = zodToJson(schema);
	if (!isObject(schema) || '_def' in schema) return {};
	const rest = { ...schema };
	delete rest.$schema;
	return rest;
}

/** The bound function tools as the protocol describes them; provider tools have no place here. */
export function toolSpecs(tools: BoundTool[], schemaOf?: SchemaOf): ToolSpec[] {
	return tools.map((t) => ({
		name: t.name,
		description: t.description ?? '',
		schema: plainSchema(t, schemaOf),
	}));
}

/** The system text that teaches the model the protocol for these tools. */
export function toolInstructions(tools: ToolSpec[]): string {
	const list = tools
		.map((t) => {
			const description = t.description.replace(/\s+/g, ' ').trim() || '(no description)';
			return `- ${t.name}: ${description}\n  Arguments (JSON Schema): ${JSON.stringify(t.schema)}`;
		})
		.join('\n');
	return [
		'## Tools',
		'You can call these tools:',
		list,
		'',
		'To call tools, reply with this JSON object and nothing else (no text before or after it):',
		'{"tool_calls": [{"name": "<tool name>", "arguments": {<arguments>}}]}',
		'List several calls to use several tools at once. The arguments must follow the schema.',
		`The results come back in a message that starts with "${RESULTS_HEADER}"; then continue.`,
		'When no tool is needed, answer in plain text, and do not start the answer with "{".',
	].join('\n');
}

/** The reply without one surrounding ``` fence (```json … ```), trimmed. */
function unfenced(text: string): string {
	const t = text.trim();
	const m = /^```[A-Za-z]*[ \t]*\r?\n([\s\S]*?)\r?\n?```$/.exec(t);
	return (m ? m[1] : t).trim();
}

function isObject(v: unknown): v is Record<string, unknown> {
	return !!v && typeof v === 'object' && !Array.isArray(v);
}

function readCall(raw: unknown, tools: ToolSpec[], n: number): ToolCallRequest | string {
	if (!isObject(raw)) return `call ${n} is not an object`;
	const name = raw.name;
	if (typeof name !== 'string' || !name) return `call ${n} has no "name"`;
	const tool = tools.find((t) => t.name === name);
	if (!tool) {
		return `there is no tool "${name}" (tools: ${tools.map((t) => t.name).join(', ')})`;
	}
	let args: unknown = raw.arguments ?? {};
	if (typeof args === 'string') {
		try {
			args = JSON.parse(args) as unknown;
		} catch {
			return `the arguments of "${name}" are not JSON`;
		}
	}
	if (!isObject(args)) return `the arguments of "${name}" must be an object`;
	const problem = validate(args, tool.schema);
	if (problem) return `"${name}": ${problem}`;
	return { name, input: JSON.stringify(args) };
}

/**
 * What a complete reply means under the protocol. `tools` are the bound tools; with none, every
 * reply is text.
 */
export function parseReply(text: string, tools: ToolSpec[]): Reply {
	if (!tools.length) return { kind: 'text' };
	const body = unfenced(text);
	if (!body.startsWith('{')) return { kind: 'text' };
	let value: unknown;
	try {
		value = JSON.parse(body);
	} catch {
		// Broken JSON is an attempt only when it says so; other brace-led text is an answer.
		return /^\{\s*"tool_calls"/.test(body)
			? { kind: 'malformed', reason: 'the reply is not valid JSON' }
			: { kind: 'text' };
	}
	if (!isObject(value)) return { kind: 'text' };
	let raws: unknown[];
	if ('tool_calls' in value) {
		if (!Array.isArray(value.tool_calls)) {
			return { kind: 'malformed', reason: '"tool_calls" must be a list' };
		}
		raws = value.tool_calls;
	} else if (typeof value.name === 'string' && tools.some((t) => t.name === value.name)) {
		raws = [value];
	} else {
		return { kind: 'text' };
	}
	if (!raws.length) return { kind: 'malformed', reason: '"tool_calls" is empty' };
	if (raws.length > MAX_CALLS_PER_REPLY) {
		return { kind: 'malformed', reason: `more than ${MAX_CALLS_PER_REPLY} calls in one reply` };
	}
	const calls: ToolCallRequest[] = [];
	for (let i = 0; i < raws.length; i++) {
		const call = readCall(raws[i], tools, i + 1);
		if (typeof call === 'string') return { kind: 'malformed', reason: call };
		calls.push(call);
	}
	return { kind: 'calls', calls };
}

/** The user turn asking the model once to fix a malformed call. */
export function correction(reason: string): string {
	return (
		`Your tool call could not be used: ${reason}. Reply again with only the JSON object ` +
		'{"tool_calls": [...]} following the tool schemas, or answer in plain text.'
	);
}

/** An assistant turn's tool calls, written the way the model was told to write them. */
export function callsText(calls: Array<{ name: string; input: string }>): string {
	const list = calls.map((c) => {
		let args: unknown;
		try {
			args = JSON.parse(c.input);
		} catch {
			args = {};
		}
		return { name: c.name, arguments: isObject(args) ? args : {} };
	});
	return JSON.stringify({ tool_calls: list });
}

/** n8n's tools answer `[{"response": "42"}]`; the model gets `42`. Anything else stays as it is. */
function unwrapResponses(text: string): string {
	if (!text.startsWith('[{"response"')) return text;
	try {
		const list = JSON.parse(text) as unknown;
		const ok =
			Array.isArray(list) &&
			list.every(
				(r) => isObject(r) && Object.keys(r).length === 1 && typeof r.response === 'string',
			);
		return ok ? (list as Array<{ response: string }>).map((r) => r.response).join('\n') : text;
	} catch {
		return text;
	}
}

function resultText(result: unknown): string {
	if (typeof result === 'string') return unwrapResponses(result);
	if (Array.isArray(result) && result.every((r) => isObject(r) && typeof r.text === 'string')) {
		return result.map((r) => (r as { text: string }).text).join('');
	}
	return JSON.stringify(result) ?? '';
}

/** The user turn that carries the results of one step's calls back to the model. */
export function resultsText(
	results: Array<{ name: string; result: unknown; isError?: boolean }>,
): string {
	const lines = results.map((r) => {
		let text = resultText(r.result);
		if (text.length > MAX_RESULT_CHARS) {
			text = `${text.slice(0, MAX_RESULT_CHARS)} … (cut at ${MAX_RESULT_CHARS} characters)`;
		}
		return `[${r.name}${r.isError ? ' failed' : ''}] ${text}`;
	});
	return `${RESULTS_HEADER}\n${lines.join('\n')}`;
}

/**
 * Decides, while a reply streams in, whether it can be shown as it comes: text that starts with
 * anything but `{` or a ``` fence is an answer and streams; a possible call is held to the end.
 */
export class ReplyGate {
	private held = '';
	private mode: 'undecided' | 'text' | 'hold';

	constructor(tools: ToolSpec[]) {
		this.mode = tools.length ? 'undecided' : 'text';
	}

	/** Text to show now. */
	push(delta: string): string {
		if (this.mode === 'text') return delta;
		this.held += delta;
		if (this.mode === 'hold') return '';
		const lead = this.held.trimStart();
		if (!lead) return '';
		if (lead.startsWith('{') || lead.startsWith('```')) {
			this.mode = 'hold';
			return '';
		}
		if ('```'.startsWith(lead)) return '';
		this.mode = 'text';
		const out = this.held;
		this.held = '';
		return out;
	}

	/** Whether the reply may still be a call (its text has not been shown). */
	get holding(): boolean {
		return this.mode !== 'text';
	}

	/** The text held back so far. */
	get heldText(): string {
		return this.held;
	}
}
