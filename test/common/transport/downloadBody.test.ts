// The parts a download body passes through: byte counting and the read-ahead buffer.
import { Readable } from 'node:stream';

import { countBytes, readAhead } from '../../../nodes/common/transport/downloadBody';

const chunks = (...sizes: number[]) => Readable.from(sizes.map((n) => Buffer.alloc(n, 1)));

test('countBytes counts what passes and reports each chunk', async () => {
	let seen = 0;
	const counted = countBytes(chunks(10, 20), 100, () => seen++);
	for await (const _ of counted.chunks);
	expect([counted.received(), seen, counted.oversize()]).toEqual([30, 2, false]);
});

test('countBytes breaks off past the limit and says so', async () => {
	const counted = countBytes(chunks(60, 60), 100, () => undefined);
	await expect(
		(async () => {
			for await (const _ of counted.chunks);
		})(),
	).rejects.toThrow('Max File Size exceeded');
	expect(counted.oversize()).toBe(true);
});

test('readAhead gives a stream with a 512 KiB buffer when the body is a Readable', async () => {
	const source = chunks(5);
	const content = (await readAhead(
		source,
		countBytes(source, 100, () => undefined).chunks,
	)) as Readable;
	expect(content.readableHighWaterMark).toBe(512 * 1024);
});

test('readAhead collects the bytes when no Readable is at hand', async () => {
	async function* plain() {
		yield Buffer.from('ab');
		yield Buffer.from('c');
	}
	const source = plain();
	expect(await readAhead(source, source)).toEqual(Buffer.from('abc'));
});
