// An output file into the binary store: data: URIs, the size limit before and while reading, the
// status, and the name from where the bytes finally came from.
import { downloadFile } from '../../../nodes/common/transport/download';
import { resetPacing } from '../../../nodes/common/transport/pacing';
import { fakeContext, type Answer } from '../../helpers/fakeTransport';

beforeEach(() => resetPacing());

const limits = (maxBytes = 1024) => ({ maxBytes, deadline: Date.now() + 30_000 });
const get = (url: string, answers: Answer[], maxBytes?: number) => {
	const fake = fakeContext(answers);
	return {
		file: downloadFile(fake.execute, { url, index: 0, itemIndex: 0, limits: limits(maxBytes) }),
		sent: fake.sent,
	};
};

test('a base64 data: URI is decoded without any request', async () => {
	const { file, sent } = get('data:image/png;base64,iVBORw==', []);
	expect(await file).toMatchObject({
		data: 'iVBORw==',
		mimeType: 'image/png',
		fileName: 'output_0.png',
	});
	expect(sent).toEqual([]);
});

test('a data: URI larger than Max File Size is refused', async () => {
	const { file } = get(`data:text/plain,${'x'.repeat(2000)}`, []);
	await expect(file).rejects.toThrow(
		'The output file (data: URI) is larger than Max File Size (2000 bytes > 1024 bytes)',
	);
});

test('a data: URI with broken %-escapes fails saying so', async () => {
	const { file } = get('data:text/plain,%E0%A4%A', []);
	await expect(file).rejects.toThrow('is a data: URI whose text cannot be decoded');
});

test('a declared Content-Length above Max File Size is refused before reading', async () => {
	const { file } = get('https://files.example/big.bin', [
		{ status: 200, headers: { 'content-length': '4096' }, body: 'x' },
	]);
	await expect(file).rejects.toThrow('is larger than Max File Size (4096 bytes > 1024 bytes)');
});

test('a body that grows past Max File Size is stopped', async () => {
	const { file } = get('https://files.example/endless.bin', [
		{ status: 200, body: 'y'.repeat(5000) },
	]);
	await expect(file).rejects.toThrow('is larger than Max File Size (more than 1024 bytes');
});

test('a 404 says the file may have expired', async () => {
	const { file } = get('https://files.example/gone.png', [{ status: 404, body: '' }]);
	await expect(file).rejects.toMatchObject({
		message: 'Could not download output file https://files.example/gone.png: HTTP 404',
		description: expect.stringContaining('one hour'),
	});
});

test('the name and type come from where the bytes came from, after redirects', async () => {
	const { file } = get('https://files.example/a', [
		{ status: 302, headers: { location: 'https://cdn.example/out/picture.webp' } },
		{ status: 200, headers: { 'content-type': 'image/webp' }, body: 'RIFF' },
	]);
	expect(await file).toMatchObject({ fileName: 'picture.webp', mimeType: 'image/webp' });
});
