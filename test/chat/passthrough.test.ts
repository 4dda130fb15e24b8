// The adapter shim: image_url blocks reach the SDK adapter as standard image blocks, on the
// adapter and on every one bindTools returns; the agent's messages are not changed.
import { keepImages, standardImage } from '../../nodes/LmChatReplicate/chat/passthrough';

class FakeMessage {
	constructor(public content: unknown) {}
	get kind() {
		return 'human';
	}
}

class FakeAdapter {
	seen: unknown[][] = [];
	async _generate(messages: unknown[]) {
		this.seen.push(messages);
		return 'generated';
	}
	async *_streamResponseChunks(messages: unknown[]) {
		this.seen.push(messages);
		yield 'chunk';
	}
	bindTools() {
		return new FakeAdapter();
	}
}

const DATA = 'data:image/png;base64,iVBORw0KGgo=';

test('image_url blocks become standard image blocks (data URIs split, URLs kept)', () => {
	expect(standardImage({ type: 'image_url', image_url: { url: DATA } })).toEqual({
		type: 'image',
		mimeType: 'image/png',
		data: 'iVBORw0KGgo=',
	});
	expect(standardImage({ type: 'image_url', image_url: 'https://x.test/a.png' })).toEqual({
		type: 'image',
		url: 'https://x.test/a.png',
		mimeType: 'image/*',
	});
	const text = { type: 'text', text: 'hi' };
	expect(standardImage(text)).toBe(text);
});

test('generate and stream see copies with standard blocks; the originals are untouched', async () => {
	const adapter = keepImages(new FakeAdapter());
	const original = new FakeMessage([
		{ type: 'text', text: 'What is it?' },
		{ type: 'image_url', image_url: { url: DATA } },
	]);
	const plain = new FakeMessage('just text');
	expect(await adapter._generate([original, plain])).toBe('generated');
	for await (const c of adapter._streamResponseChunks([original])) expect(c).toBe('chunk');
	const [first, second] = adapter.seen;
	const copy = first[0] as FakeMessage;
	expect(copy).not.toBe(original);
	expect(copy).toBeInstanceOf(FakeMessage);
	expect(copy.kind).toBe('human');
	expect(copy.content).toEqual([
		{ type: 'text', text: 'What is it?' },
		{ type: 'image', mimeType: 'image/png', data: 'iVBORw0KGgo=' },
	]);
	expect(first[1]).toBe(plain);
	expect((second[0] as FakeMessage).content).toEqual(copy.content);
	expect((original.content as unknown[])[1]).toEqual({
		type: 'image_url',
		image_url: { url: DATA },
	});
});

test('the adapter bindTools returns converts too', async () => {
	const bound = keepImages(new FakeAdapter()).bindTools();
	await bound._generate([new FakeMessage([{ type: 'image_url', image_url: { url: DATA } }])]);
	expect((bound.seen[0][0] as FakeMessage).content).toEqual([
		{ type: 'image', mimeType: 'image/png', data: 'iVBORw0KGgo=' },
	]);
});
