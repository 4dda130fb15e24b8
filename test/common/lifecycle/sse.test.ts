// The SSE parser on Replicate's stream format, fed in every way a network can split it.
import {
	readEvents,
	SSE_MAX_LINE,
	SseLimitError,
	SseParser,
	type SseEvent,
} from '../../../nodes/common/lifecycle/sse';

const WIRE =
	': hi\n\n' +
	'event: output\nid: 1690212292:0\ndata: Once upon\n\n' +
	'event: output\nid: 1690212292:1\ndata: a time…\ndata: second line\n\n' +
	'event: logs\nid: 1690212292:2\ndata: step 1/10\n\n' +
	'event: error\nid: 1690212293:0\ndata: {"detail": "Something went wrong"}\n\n' +
	'event: done\nid: 1690212293:1\ndata: {"reason": "error"}\n\n';

const EXPECTED: SseEvent[] = [
	{ event: 'output', id: '1690212292:0', data: 'Once upon' },
	{ event: 'output', id: '1690212292:1', data: 'a time…\nsecond line' },
	{ event: 'logs', id: '1690212292:2', data: 'step 1/10' },
	{ event: 'error', id: '1690212293:0', data: '{"detail": "Something went wrong"}' },
	{ event: 'done', id: '1690212293:1', data: '{"reason": "error"}' },
];

function feed(pieces: Array<string | Uint8Array>): SseEvent[] {
	const p = new SseParser();
	return [...pieces.flatMap((c) => p.push(c)), ...p.end()];
}

describe('SseParser', () => {
	test('whole response at once: comment skipped, multi-line data joined, error and done events', () => {
		expect(feed([WIRE])).toEqual(EXPECTED);
	});

	test('one byte at a time (partial lines, and a UTF-8 character split across chunks)', () => {
		const bytes = new TextEncoder().encode(WIRE);
		expect(feed([...bytes].map((b) => Uint8Array.of(b)))).toEqual(EXPECTED);
	});

	test('CRLF and lone CR line ends, with a CRLF split between chunks', () => {
		const crlf = WIRE.replace(/\n/g, '\r\n');
		const at = crlf.indexOf('\r\n', 20) + 1; // between \r and \n
		expect(feed([crlf.slice(0, at), crlf.slice(at)])).toEqual(EXPECTED);
		expect(feed([WIRE.replace(/\n/g, '\r')])).toEqual(EXPECTED);
	});

	test('done with empty data still counts; data-only events are "message"', () => {
		expect(feed(['event: done\ndata: {}\n\n', 'data:x\n\n', 'event: done\n\n'])).toEqual([
			{ event: 'done', data: '{}' },
			{ event: 'message', data: 'x' },
			{ event: 'done', data: '' },
		]);
	});

	test('a last event without its blank line is dropped at the end of the stream', () => {
		expect(feed(['event: output\ndata: kept\n\nevent: output\ndata: cut off'])).toEqual([
			{ event: 'output', data: 'kept' },
		]);
	});

	test('readEvents iterates a byte stream', async () => {
		async function* body() {
			const bytes = new TextEncoder().encode(WIRE);
			for (let i = 0; i < bytes.length; i += 7) yield bytes.slice(i, i + 7);
		}
		const seen: SseEvent[] = [];
		for await (const e of readEvents(body())) seen.push(e);
		expect(seen).toEqual(EXPECTED);
	});
});

describe('bounds (a hostile or broken stream)', () => {
	test('a line over 1 MB stops the parser, whether it comes whole or in pieces', () => {
		const long = `data: ${'x'.repeat(SSE_MAX_LINE)}\n`;
		expect(() => new SseParser().push(long)).toThrow(SseLimitError);
		const p = new SseParser();
		expect(() => {
			for (let i = 0; i < 17; i++) p.push('y'.repeat(64 * 1024));
		}).toThrow(/longer than 1048576 characters/);
	});

	test('an event whose data lines add up to over 1 MB stops the parser', () => {
		const p = new SseParser();
		const line = `data: ${'z'.repeat(100 * 1024)}\n`;
		expect(() => {
			for (let i = 0; i < 11; i++) p.push(line);
		}).toThrow(/larger than 1048576 characters/);
		// Events below the bound, one after the other, are fine: the size counts per event.
		const q = new SseParser();
		for (let i = 0; i < 20; i++) expect(q.push(`event: output\n${line}\n`)).toHaveLength(1);
	});

	test('a long line in one-character pieces is read once (no re-scan of what came before)', () => {
		// 512 K pushes: linear work is instant; re-scanning the buffer on every push would be 10¹¹
		// character visits and run past the test's timeout.
		const p = new SseParser();
		p.push('event: output\ndata: ');
		const n = 512 * 1024;
		for (let i = 0; i < n; i++) p.push('a');
		const [e] = p.push('\n\n');
		expect(e).toEqual({ event: 'output', data: 'a'.repeat(n) });
	});

	test('CRLF split between pieces is one line end', () => {
		const p = new SseParser();
		expect(p.push('data: one\r')).toEqual([]);
		expect(p.push('\n\r\n')).toEqual([{ event: 'message', data: 'one' }]);
	});
});
