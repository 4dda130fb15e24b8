// What the model's text becomes for the SDK: reasoning (<think>…</think>) as reasoning content,
// a well-formed call of bound tools as tool-call parts, anything else as the answer text. The same
// rules apply to a whole reply (generate) and to one read as it streams (stream).
import { ThinkSplitter, splitReasoning } from './reasoning';
import { ReplyGate, correction, parseReply, type ToolSpec } from './tools';
import type {
	FinishReason,
	Message as ChatMessage,
	MessageContent as MessagePart,
	StreamChunk,
} from '@n8n/ai-node-sdk';

export interface ReadReply {
	content: MessagePart[];
	finishReason: FinishReason;
	/** Why an attempted call was unusable; the caller may ask once for a correction. */
	malformed?: string;
	/** The answer text (without reasoning), as the model wrote it. */
	answer: string;
}

/** Tool-call ids: unique per prediction and call. */
export const callId = (predictionId: string, index: number) => `call_${predictionId}_${index + 1}`;

/**
 * A whole reply. `final` means no correction will follow: a malformed call is returned as text.
 */
export function readReply(
	text: string,
	tools: ToolSpec[],
	predictionId: string,
	final = false,
): ReadReply {
	const { reasoning, answer } = splitReasoning(text);
	const content: MessagePart[] = reasoning ? [{ type: 'reasoning', text: reasoning }] : [];
	const reply = parseReply(answer, tools);
	if (reply.kind === 'calls') {
		reply.calls.forEach((c, i) =>
			content.push({
				type: 'tool-call',
				toolCallId: callId(predictionId, i),
				toolName: c.name,
				input: c.input,
			}),
		);
		return { content, finishReason: 'tool-calls', answer };
	}
	content.push({ type: 'text', text: answer });
	if (reply.kind === 'malformed' && !final) {
		return { content, finishReason: 'stop', malformed: reply.reason, answer };
	}
	return { content, finishReason: 'stop', answer };
}

/** The conversation again, with the malformed reply and the request to fix it. */
export function correctionMessages(
	messages: ChatMessage[],
	answer: string,
	reason: string,
): ChatMessage[] {
	return [
		...messages,
		{ role: 'assistant', content: [{ type: 'text', text: answer }] },
		{ role: 'user', content: [{ type: 'text', text: correction(reason) }] },
	];
}

/**
 * A reply as it streams in. push() gives the chunks to send now: reasoning at once (as reasoning
 * content), answer text at once unless it may be a tool call; end() the rest.
 */
export class ReplyStream {
	private readonly think = new ThinkSplitter();
	private readonly gate: ReplyGate;
	/** Answer text seen so far (shown or held). */
	private answer = '';

	constructor(
		private readonly tools: ToolSpec[],
		private readonly final = false,
	) {
		this.gate = new ReplyGate(tools);
	}

	push(delta: string): StreamChunk[] {
		return this.route(this.think.push(delta));
	}

	private route(pieces: Array<{ kind: 'reasoning' | 'text'; text: string }>): StreamChunk[] {
		const out: StreamChunk[] = [];
		for (const p of pieces) {
			if (p.kind === 'reasoning') {
				out.push({ type: 'content', content: { type: 'reasoning', text: p.text } });
				continue;
			}
			this.answer += p.text;
			const shown = this.gate.push(p.text);
			if (shown) out.push({ type: 'text-delta', delta: shown });
		}
		return out;
	}

	/** Whether answer text has been shown (the reply can no longer become a call). */
	get showing(): boolean {
		return !this.gate.holding;
	}

	/** The answer text so far. */
	get text(): string {
		return this.answer;
	}

	/**
	 * The end of the reply: held text becomes tool calls, text, or (when not final) a malformed
	 * call the caller may have corrected.
	 */
	end(predictionId: string): {
		chunks: StreamChunk[];
		finishReason: FinishReason;
		malformed?: string;
	} {
		const chunks = this.route(this.think.end());
		if (!this.gate.holding) return { chunks, finishReason: 'stop' };
		const reply = parseReply(this.answer, this.tools);
		if (reply.kind === 'calls') {
			reply.calls.forEach((c, i) =>
				chunks.push({
					type: 'tool-call-delta',
					id: callId(predictionId, i),
					name: c.name,
					argumentsDelta: c.input,
				}),
			);
			return { chunks, finishReason: 'tool-calls' };
		}
		if (reply.kind === 'malformed' && !this.final) {
			return { chunks, finishReason: 'stop', malformed: reply.reason };
		}
		if (this.gate.heldText) chunks.push({ type: 'text-delta', delta: this.gate.heldText });
		return { chunks, finishReason: 'stop' };
	}
}
