// Reasoning models on Replicate (DeepSeek-R1, QwQ and others) write their reasoning first, inside
// <think>…</think>, then the answer, all in one text output. The node passes the reasoning on as
// the SDK's reasoning content and only the rest as the answer. Only a reply that opens with <think>
// (after whitespace) is split: a tag later in the text is part of the answer.

const OPEN = '<think>';
const CLOSE = '</think>';

export interface Piece {
	kind: 'reasoning' | 'text';
	text: string;
}

/** Length of the longest end of `s` that is a start of `tag` (a tag that may be split). */
function partialTail(s: string, tag: string): number {
	for (let n = Math.min(tag.length - 1, s.length); n > 0; n--) {
		if (tag.startsWith(s.slice(-n))) return n;
	}
	return 0;
}

/** Splits a reply as it streams in; feed every piece, then call end(). */
export class ThinkSplitter {
	private state: 'start' | 'think' | 'answer' = 'start';
	private buffer = '';
	/** Whitespace right after </think> is dropped before the answer. */
	private trimAnswer = false;
	/** Whitespace right after <think> is dropped too. */
	private trimReasoning = false;

	push(delta: string): Piece[] {
		this.buffer += delta;
		const out: Piece[] = [];
		for (;;) {
			if (this.state === 'start') {
				const lead = this.buffer.trimStart();
				if (lead.startsWith(OPEN)) {
					this.buffer = lead.slice(OPEN.length);
					this.state = 'think';
					this.trimReasoning = true;
					continue;
				}
				if (!lead || OPEN.startsWith(lead)) return out;
				this.state = 'answer';
				continue;
			}
			if (this.state === 'think') {
				if (this.trimReasoning) {
					this.buffer = this.buffer.replace(/^\s+/, '');
					if (!this.buffer) return out;
					this.trimReasoning = false;
				}
				const at = this.buffer.indexOf(CLOSE);
				if (at !== -1) {
					const text = this.buffer.slice(0, at).replace(/\s+$/, '');
					if (text) out.push({ kind: 'reasoning', text });
					this.buffer = this.buffer.slice(at + CLOSE.length);
					this.state = 'answer';
					this.trimAnswer = true;
					continue;
				}
				// Held back: a possible start of </think>, and trailing whitespace (dropped if the tag
				// follows it).
				let cut = this.buffer.length - partialTail(this.buffer, CLOSE);
				while (cut > 0 && /\s/.test(this.buffer[cut - 1])) cut--;
				const text = this.buffer.slice(0, cut);
				if (text) out.push({ kind: 'reasoning', text });
				this.buffer = this.buffer.slice(cut);
				return out;
			}
			if (this.trimAnswer) {
				this.buffer = this.buffer.replace(/^\s+/, '');
				if (!this.buffer) return out;
				this.trimAnswer = false;
			}
			if (this.buffer) out.push({ kind: 'text', text: this.buffer });
			this.buffer = '';
			return out;
		}
	}

	/** The rest: an unclosed <think> is reasoning; a lone partial tag is text. */
	end(): Piece[] {
		const rest = this.buffer;
		this.buffer = '';
		if (!rest) return [];
		if (this.state === 'think') {
			const text = rest.trim();
			return text ? [{ kind: 'reasoning', text }] : [];
		}
		if (this.trimAnswer && !rest.trim()) return [];
		return [{ kind: 'text', text: rest }];
	}
}

/** A whole reply as reasoning and answer. */
export function splitReasoning(text: string): { reasoning: string; answer: string } {
	const s = new ThinkSplitter();
	const pieces = [...s.push(text), ...s.end()];
	const of = (kind: Piece['kind']) =>
		pieces
			.filter((p) => p.kind === kind)
			.map((p) => p.text)
			.join('');
	return { reasoning: of('reasoning'), answer: of('text') };
}
