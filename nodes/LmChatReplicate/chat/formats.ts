// The chat formats the node writes itself when a model takes one prompt string: Llama 3's headers,
// Llama 2's and Mistral's [INST] blocks, and a plain "User:" / "Assistant:" transcript. Message text
// comes from chat users, tools and web pages, so it is neutralised first: control tokens and role
// markers inside it are broken up (visibly, and the same way every time) so no text can close its
// own turn and open a system or assistant turn.

export interface Turn {
	role: 'user' | 'assistant';
	text: string;
}

/** Llama 3 special tokens (`<|eot_id|>`, `<|start_header_id|>` …): `<|` and `|>` get a space. */
export function neutraliseLlama3(text: string): string {
	return text.replace(/<\|/g, '< |').replace(/\|>/g, '| >');
}

const INST_TOKENS =
	/\[\s*(\/?)\s*(INST|SYSTEM_PROMPT|AVAILABLE_TOOLS|TOOL_CALLS|TOOL_RESULTS)\s*\]|<<\s*(\/?)\s*SYS\s*>>|<\s*(\/?)\s*s\s*>/gi;

/**
 * Llama 2 / Mistral markers (`[INST]`, `[/INST]`, `<<SYS>>`, `<</SYS>>`, `<s>`, `</s>` and Mistral's
 * tool markers) become parenthesised words: `(INST)`, `(/SYS)`, `(/s)`.
 */
export function neutraliseInst(text: string): string {
	return text.replace(INST_TOKENS, (_m, a?: string, name?: string, b?: string, c?: string) => {
		if (name !== undefined) return `(${a ?? ''}${name})`;
		if (b !== undefined) return `(${b}SYS)`;
		return `(${c ?? ''}s)`;
	});
}

const ROLE_LINE = /^([ \t]*)(user|assistant|system|human|ai)([ \t]*):/gim;

/** Lines of message text that start like a transcript role label are quoted (`> Assistant:`). */
export function neutraliseTranscript(text: string): string {
	return text.replace(ROLE_LINE, (_m, lead: string, role: string, gap: string) => {
		return `${lead}> ${role}${gap}:`;
	});
}

export function llama3(prefix: string, system: string, turns: Turn[]): string {
	const block = (role: string, text: string) =>
		`<|start_header_id|>${role}<|end_header_id|>\n\n${neutraliseLlama3(text)}<|eot_id|>`;
	const head = system ? block('system', system) : '';
	const body = turns.map((t) => block(t.role, t.text)).join('');
	return `${prefix}${head}${body}<|start_header_id|>assistant<|end_header_id|>\n\n`;
}

/**
 * Llama 2: `[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {answer} </s><s>[INST] {user} [/INST]`.
 * Mistral: `[INST] {user} [/INST] {answer}</s>[INST] {user} [/INST]` (no system role: its text leads
 * the first instruction). Both after the template's prefix (`<s>` when the template has it).
 */
export function inst(
	shape: 'llama2' | 'mistral',
	prefix: string,
	system: string,
	turns: Turn[],
): string {
	let out = prefix;
	let first = true;
	const sys = neutraliseInst(system);
	for (const t of turns) {
		const own = neutraliseInst(t.text);
		if (t.role === 'user') {
			let text = own;
			if (first && sys) {
				text = shape === 'llama2' ? `<<SYS>>\n${sys}\n<</SYS>>\n\n${text}` : `${sys}\n\n${text}`;
			}
			const open = first ? '' : shape === 'llama2' ? '<s>' : '';
			out += `${open}[INST] ${text} [/INST]`;
			first = false;
		} else {
			out += shape === 'llama2' ? ` ${own} </s>` : ` ${own}</s>`;
		}
	}
	return out;
}

/** Earlier turns as a labelled transcript (for models that take one prompt and no template). */
export function transcript(turns: Turn[]): string {
	return turns
		.map((t) => `${t.role === 'user' ? 'User' : 'Assistant'}: ${neutraliseTranscript(t.text)}`)
		.join('\n\n');
}
