// The SSE parser on Replicate's stream format, fed in every way a network can split it.
import { readEvents, SseParser, type SseEvent } from '../../../nodes/shared/lifecycle/sse';

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
