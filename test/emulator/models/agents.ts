// Language models for AI-agent tests: two that follow the Replicate Chat Model's prompted tool
// protocol (one takes `messages`, one `prompt` + `system_prompt`), a vision model that requires an
// image, and a reasoning model that thinks in <think>…</think> first. (emulator/chat-messages, the
// echo model, is the one that ignores the protocol.)
//
// Replicate documents no tool-call format for any model, so nothing here imitates a real one: these
// models read the protocol the node writes (its "## Tools" list in the system text and the
// "Tool results:" turns) and answer deterministically, so tests can see every step:
// - a user line "<tool>: <text>" for a listed tool is a call of that tool, with <text> as its first
//   string argument (several such lines: several calls in one reply);
// - "call badly" in the user text: the first reply names a tool that does not exist; after the
//   node's correction it calls properly ("call badly twice": wrong again, so the node gives up);
// - a "Tool results:" turn is answered with "The result is <result>." (results joined with "; ");
// - anything else is answered "Echo: <text>", like the echo models.
import { ITERATOR, OWNER, tokens } from './chat';
import { cogSchema } from './schema';
import { ModelError, type JsonObject, type ModelDef, type RunContext } from './types';

const TOKEN_MS = 20;

interface Listed {
	name: string;
	schema: JsonObject;
}

/** The tools the node listed in the system text. */
export function listedTools(system: string): Listed[] {
	const out: Listed[] = [];
	const re = /^- ([^\s:]+): .*\n {2}Arguments \(JSON Schema\): (.*)$/gm;
	for (let m = re.exec(system); m; m = re.exec(system)) {
		let schema: JsonObject = {};
		try {
			schema = JSON.parse(m[2]) as JsonObject;
		} catch {
			schema = {};
		}
		out.push({ name: m[1], schema });
	}
	return out;
}

function argumentsFor(tool: Listed, text: string): JsonObject {
	const props = (tool.schema.properties ?? {}) as Record<string, JsonObject>;
	const first = Object.keys(props).find((k) => props[k]?.type === 'string');
	return first ? { [first]: text } : {};
}

/** The reply of a protocol-following model to a system text and the turns after it. */
export function agentReply(system: string, turns: Array<{ role: string; text: string }>): string {
	const tools = listedTools(system);
	const last = [...turns].reverse().find((t) => t.role === 'user');
	const text = last?.text ?? '';
	if (text.startsWith('Tool results:')) {
		const results = text
			.split('\n')
			.slice(1)
			.map((l) => l.replace(/^\[[^\]]*\] ?/, ''));
		return `The result is ${results.join('; ')}.`;
	}
	const firstUser = turns.find((t) => t.role === 'user')?.text ?? '';
	const corrected = text.startsWith('Your tool call could not be used');
	if (tools.length && /call badly/.test(firstUser)) {
		const again = /call badly twice/.test(firstUser);
		if (!corrected || again) {
			return JSON.stringify({ tool_calls: [{ name: 'no_such_tool', arguments: {} }] });
		}
	}
	const asked = corrected ? firstUser : text;
	const calls: JsonObject[] = [];
	for (const line of asked.split('\n')) {
		const m = /^\s*(?:use\s+)?([\w-]+):\s*(.+)$/i.exec(line);
		const tool = m && tools.find((t) => t.name.toLowerCase() === m[1].toLowerCase());
		if (tool) calls.push({ name: tool.name, arguments: argumentsFor(tool, m[2].trim()) });
	}
	if (calls.length) return JSON.stringify({ tool_calls: calls });
	return `Echo: ${text}`;
}

async function say(ctx: RunContext, text: string, max: number): Promise<string[]> {
	const out: string[] = [];
	for (const t of tokens(text).slice(0, max)) {
		await ctx.sleep(TOKEN_MS);
		out.push(t);
		ctx.appendOutput(t);
	}
	return out;
}

const common = {
	owner: OWNER,
	streaming: true,
	hardware: 'cpu',
	versions: 1,
	exampleInput: { prompt: 'Hello' },
};

const textInput = (title: string, order: number, extra: JsonObject = {}) => ({
	type: 'string',
	title,
	description: title,
	'x-order': order,
	...extra,
});
const maxTokens = (order: number) => ({
	type: 'integer',
	title: 'Max Tokens',
	default: 1024,
	minimum: 1,
	description: 'Maximum number of tokens to generate.',
	'x-order': order,
});

const toolMessages: ModelDef = {
	...common,
	name: 'agent-messages',
	description: 'A chat model (messages) that follows the node’s prompted tool protocol.',
	tags: ['text-generation', 'language', 'chat', 'testing'],
	openapi: cogSchema({
		properties: {
			prompt: textInput('Prompt', 0),
			messages: {
				type: 'array',
				items: { type: 'object' },
				default: [],
				title: 'Messages',
				description: 'A list of {role, content} messages.',
				'x-order': 1,
			},
			max_tokens: maxTokens(2),
		},
		output: ITERATOR,
	}),
	readme: '# agent-messages\n\nFollows the Replicate Chat Model tool protocol.\n',
	run: async (ctx) => {
		const list = (Array.isArray(ctx.input.messages) ? ctx.input.messages : []) as JsonObject[];
		const system = list
			.filter((m) => m.role === 'system')
			.map((m) => String(m.content))
			.join('\n\n');
		const turns = list
			.filter((m) => m.role !== 'system')
			.map((m) => ({ role: String(m.role), text: String(m.content) }));
		if (!list.length) turns.push({ role: 'user', text: String(ctx.input.prompt ?? '') });
		return say(ctx, agentReply(system, turns), Number(ctx.input.max_tokens ?? 1024));
	},
};

/** The turns of the node's plain transcript ("User: …\n\nAssistant: …"). */
function transcriptTurns(prompt: string): Array<{ role: string; text: string }> {
	const parts = prompt.split(/\n\n(?=(?:User|Assistant): )/);
	if (parts.length === 1 && !/^(User|Assistant): /.test(prompt)) {
		return [{ role: 'user', text: prompt }];
	}
	return parts.map((p) => {
		const m = /^(User|Assistant): ([\s\S]*)$/.exec(p);
		return { role: m?.[1] === 'Assistant' ? 'assistant' : 'user', text: m ? m[2] : p };
	});
}

const toolPrompt: ModelDef = {
	...common,
	name: 'agent-prompt',
	description:
		'A prompt + system prompt model (like Claude on Replicate) that follows the tool protocol.',
	tags: ['text-generation', 'language', 'chat', 'testing'],
	openapi: cogSchema({
		properties: {
			prompt: textInput('Prompt', 0),
			system_prompt: textInput('System Prompt', 1, { default: '' }),
			max_tokens: maxTokens(2),
		},
		required: ['prompt'],
		output: ITERATOR,
	}),
	readme: '# agent-prompt\n\nFollows the Replicate Chat Model tool protocol.\n',
	run: async (ctx) => {
		const system = String(ctx.input.system_prompt ?? '');
		const turns = transcriptTurns(String(ctx.input.prompt ?? ''));
		return say(ctx, agentReply(system, turns), Number(ctx.input.max_tokens ?? 1024));
	},
};

/** Width and height from a PNG's IHDR chunk. */
function pngSize(data: Buffer): string | undefined {
	const signature = '89504e470d0a1a0a';
	if (data.length < 24 || data.subarray(0, 8).toString('hex') !== signature) return undefined;
	return `${data.readUInt32BE(16)}x${data.readUInt32BE(20)}`;
}

const visionModel: ModelDef = {
	...common,
	name: 'vision-chat',
	description: 'A vision language model (like LLaVA): requires an image and a prompt.',
	tags: ['image-to-text', 'vision', 'language', 'testing'],
	openapi: cogSchema({
		properties: {
			image: textInput('Image', 0, { format: 'uri', description: 'Input image' }),
			prompt: textInput('Prompt', 1, { default: 'Describe this image.' }),
			max_tokens: maxTokens(2),
		},
		required: ['image'],
		output: ITERATOR,
	}),
	exampleInput: { image: 'https://example.com/cat.png', prompt: 'What is this?' },
	readme: '# vision-chat\n\nDescribes the PNG it is given.\n',
	run: async (ctx) => {
		const url = String(ctx.input.image ?? '');
		const file = await ctx.fetchInput(url);
		const size = pngSize(file.data);
		if (!size) throw new ModelError('cannot identify image file');
		const via = url.startsWith('data:') ? 'data-uri' : 'url';
		const text =
			`I see a ${size} ${file.contentType} image of ${file.data.length} bytes (${via}). ` +
			`You asked: ${String(ctx.input.prompt ?? '')}`;
		return say(ctx, text, Number(ctx.input.max_tokens ?? 1024));
	},
};

const reasoningModel: ModelDef = {
	...common,
	name: 'reasoning-chat',
	description:
		'A reasoning model (like DeepSeek-R1): thinks inside <think>…</think>, then answers.',
	tags: ['text-generation', 'language', 'reasoning', 'testing'],
	openapi: cogSchema({
		properties: {
			prompt: textInput('Prompt', 0),
			max_tokens: maxTokens(1),
		},
		required: ['prompt'],
		output: ITERATOR,
	}),
	readme: '# reasoning-chat\n\nThinks aloud inside <think> tags first.\n',
	run: async (ctx) => {
		const prompt = String(ctx.input.prompt ?? '');
		const text = `<think>\nThe user wrote ${tokens(prompt).length} words. I will echo them.\n</think>\n\nEcho: ${prompt}`;
		return say(ctx, text, Number(ctx.input.max_tokens ?? 1024));
	},
};

export const AGENT_MODELS: ModelDef[] = [toolMessages, toolPrompt, visionModel, reasoningModel];
