import {
	splitReasoning,
	ThinkSplitter,
	type Piece,
} from '../../nodes/LmChatReplicate/chat/reasoning';

test('a reply that opens with <think> is split into reasoning and answer', () => {
	expect(splitReasoning('\n<think>\nStep 1.\nStep 2.\n</think>\n\nThe answer.')).toEqual({
		reasoning: 'Step 1.\nStep 2.',
		answer: 'The answer.',
	});
});

test('a tag later in the text is part of the answer; no tag, no reasoning', () => {
	expect(splitReasoning('Use <think> tags.')).toEqual({
		reasoning: '',
		answer: 'Use <think> tags.',
	});
	expect(splitReasoning('Plain.')).toEqual({ reasoning: '', answer: 'Plain.' });
});

test('an unclosed <think> is all reasoning', () => {
	expect(splitReasoning('<think>still thinking')).toEqual({
		reasoning: 'still thinking',
		answer: '',
	});
});

test('streamed in pieces that split the tags, the same split comes out, and reasoning is never answer', () => {
	const text = '<think>\nA long thought.\n</think>\n\nFinal answer.';
	for (let size = 1; size <= 8; size++) {
		const s = new ThinkSplitter();
		const pieces: Piece[] = [];
		for (let i = 0; i < text.length; i += size) pieces.push(...s.push(text.slice(i, i + size)));
		pieces.push(...s.end());
		const of = (kind: string) =>
			pieces
				.filter((p) => p.kind === kind)
				.map((p) => p.text)
				.join('');
		expect(of('reasoning').trim()).toBe('A long thought.');
		expect(of('text')).toBe('Final answer.');
		expect(of('text')).not.toContain('think');
	}
});

test('a stream that starts like the tag but is not is passed on whole', () => {
	const s = new ThinkSplitter();
	expect(s.push('<thi')).toEqual([]);
	expect(s.push('ng>')).toEqual([{ kind: 'text', text: '<thing>' }]);
	const t = new ThinkSplitter();
	expect(t.push('<th')).toEqual([]);
	expect(t.end()).toEqual([{ kind: 'text', text: '<th' }]);
});
