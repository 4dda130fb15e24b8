// One model turn for the SDK, with or without bound tools: one prediction, read whole (generate)
// or as it streams (stream), its text read by reply.ts. A malformed tool call is corrected at most
// once, by a second prediction that sees the reply and what was wrong with it; a second malformed
// reply is the answer text. The prediction itself is the caller's (model.ts).
import { correctionMessages, readReply, ReplyStream } from './reply';
import type { ToolSpec } from './tools';
import type {
	GenerateResult,
	Message as ChatMessage,
	StreamChunk,
	TokenUsage,
} from '@n8n/ai-node-sdk';

/** A finished prediction as the turn needs it. */
export interface Finished {
	id: string;
	/** The whole output text. */
	text: string;
	usage?: TokenUsage;
	providerMetadata?: Record<string, unknown>;
}

export async function generateTurn(
	messages: ChatMessage[],
	tools: ToolSpec[],
	once: (messages: ChatMessage[]) => Promise<Finished>,
): Promise<GenerateResult> {
	let run = await once(messages);
	let reply = readReply(run.text, tools, run.id);
	let usage = run.usage;
	if (reply.malformed !== undefined) {
		run = await once(correctionMessages(messages, reply.answer, reply.malformed));
		reply = readReply(run.text, tools, run.id, true);
		usage = addUsage(usage, run.usage);
	}
	return {
		id: run.id,
		finishReason: reply.finishReason,
		...(usage ? { usage } : {}),
		message: { role: 'assistant', content: reply.content },
		...(run.providerMetadata ? { providerMetadata: run.providerMetadata } : {}),
	};
}

/** `once` yields the output text as it arrives and returns the finished prediction. */
export async function* streamTurn(
	messages: ChatMessage[],
	tools: ToolSpec[],
	once: (messages: ChatMessage[]) => AsyncGenerator<string, Finished>,
): AsyncGenerator<StreamChunk> {
	let conversation = messages;
	let usage: TokenUsage | undefined;
	for (let attempt = 0; ; attempt++) {
		const reply = new ReplyStream(tools, attempt > 0);
		const run = once(conversation);
		let finished: Finished;
		try {
			let next = await run.next();
			while (!next.done) {
				yield* reply.push(next.value);
				next = await run.next();
			}
			finished = next.value;
		} finally {
			// The consumer stopped reading: the prediction's generator cancels what still runs. (Cast:
			// return() wants a Finished, which does not exist yet; the generator never reads it.)
			await run.return(undefined as unknown as Finished);
		}
		usage = addUsage(usage, finished.usage);
		const end = reply.end(finished.id);
		yield* end.chunks;
		if (end.malformed === undefined || attempt > 0) {
			yield { type: 'finish', finishReason: end.finishReason, ...(usage ? { usage } : {}) };
			return;
		}
		conversation = correctionMessages(messages, reply.text, end.malformed);
	}
}

/** A whole result as stream chunks (reasoning, text, tool calls, finish). */
export function* chunksOf(r: GenerateResult): Generator<StreamChunk> {
	for (const c of r.message.content) {
		if (c.type === 'reasoning') yield { type: 'content', content: c };
		else if (c.type === 'text' && c.text) yield { type: 'text-delta', delta: c.text };
		else if (c.type === 'tool-call') {
			yield {
				type: 'tool-call-delta',
				id: c.toolCallId,
				name: c.toolName,
				argumentsDelta: c.input,
			};
		}
	}
	yield {
		type: 'finish',
		finishReason: r.finishReason ?? 'stop',
		...(r.usage ? { usage: r.usage } : {}),
	};
}

export function addUsage(a?: TokenUsage, b?: TokenUsage): TokenUsage | undefined {
	if (!a || !b) return b ?? a;
	return {
		promptTokens: a.promptTokens + b.promptTokens,
		completionTokens: a.completionTokens + b.completionTokens,
		totalTokens: a.totalTokens + b.totalTokens,
	};
}
