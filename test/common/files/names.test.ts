// An output file's name and MIME type, chosen from its URL (after redirects) and the Content-Type
// the file host sends. Both come from outside: the name must stay one safe file name whatever the
// URL holds, and the MIME type must be a MIME type. (The node does not read Content-Disposition:
// Replicate's file URLs carry the name in their path.) Pure, milliseconds each.
import { fileNameFor, mimeFor, safeFileName } from '../../../nodes/common/files/names';

const bytes = (s: string) => Buffer.byteLength(s);

/** What a file name must never be or hold, whatever the input. */
function expectSafe(name: string) {
	expect(name).not.toBe('');
	expect(name).not.toMatch(/[/\\:*?"<>|\p{Cc}\p{Cf}]/u);
	expect(name).not.toMatch(/^[.\s]/);
	expect(name).not.toMatch(/^\.\.?$/);
	expect([...name].length).toBeLessThanOrEqual(120);
	expect(bytes(name)).toBeLessThanOrEqual(255);
}

describe('fileNameFor: the name from the URL', () => {
	test.each([
		['https://replicate.delivery/xezq/abc/out-0.png', 'out-0.png'],
		['https://replicate.delivery/a/b.png?sig=x&exp=1#frag', 'b.png'],
		['https://replicate.delivery/a/b.png;v=1', 'b.png;v=1'],
		['https://replicate.delivery/a/my%20image.webp', 'my image.webp'],
		['https://replicate.delivery/a/caf%C3%A9.png', 'café.png'],
		['https://replicate.delivery/a/50%.png', '50%.png'],
		['https://replicate.delivery/a/%E0%A4%A.png', '%E0%A4%A.png'],
		['HTTPS://REPLICATE.DELIVERY/A/B.JPG', 'B.JPG'],
	])('%s → %j', (url, name) => {
		expect(fileNameFor(url, 0)).toBe(name);
	});

	test.each([
		// dot segments are resolved by the URL parser, encoded ones too
		['https://replicate.delivery/a/../../etc/passwd', 'passwd'],
		['https://replicate.delivery/a/%2e%2e/%2E%2E/secret.txt', 'secret.txt'],
		// an encoded separator stays inside the one name
		['https://replicate.delivery/a/..%2F..%2Fetc%2Fpasswd', '_.._etc_passwd'],
		['https://replicate.delivery/a/..%5C..%5Cwin.ini', '_.._win.ini'],
		['https://replicate.delivery/a/C%3A%5Cboot.ini', 'C__boot.ini'],
		['https://replicate.delivery/a/x%00.png%00.exe', 'x.png.exe'],
		['https://replicate.delivery/a/%0D%0Aevil.png', 'evil.png'],
		['https://replicate.delivery/a/ev%E2%80%AEgnp.exe', 'evgnp.exe'],
		['https://replicate.delivery/a/.htaccess', 'htaccess'],
		['https://replicate.delivery/a/%20%20.bashrc', 'bashrc'],
	])('hostile %s → %j', (url, name) => {
		const got = fileNameFor(url, 0);
		expect(got).toBe(name);
		expectSafe(got);
	});

	test.each([
		'https://replicate.delivery/a/',
		'https://replicate.delivery',
		'https://replicate.delivery/a/..',
		'https://replicate.delivery/a/%2e%2e',
		'https://replicate.delivery/a/...',
		'https://replicate.delivery/a/.%20.',
		'https://replicate.delivery/a/%20',
		'https://replicate.delivery/a/%E2%80%AE',
		'not a url',
		'data:image/png;base64,iVBORw0KGgo=',
	])('%s has no usable name: output_<index>', (url) => {
		expect(fileNameFor(url, 3)).toBe('output_3');
		expect(fileNameFor(url, 3, 'image/png')).toBe('output_3.png');
	});

	test('an extension from the MIME type only when the name has none', () => {
		expect(fileNameFor('https://h/a/out', 0, 'image/webp')).toBe('out.webp');
		expect(fileNameFor('https://h/a/out.jpg', 0, 'image/png')).toBe('out.jpg');
		expect(fileNameFor('https://h/a/out', 0, 'text/x-unknown')).toBe('out');
	});

	test('octet-stream (or no type) adds no extension', () => {
		// the table maps .npy to octet-stream; the reverse must not name every unknown file ".npy"
		expect(fileNameFor('https://h/a/weights', 0, 'application/octet-stream')).toBe('weights');
		expect(fileNameFor('https://h/a/', 2, 'application/octet-stream')).toBe('output_2');
		expect(fileNameFor('https://h/a/weights', 0, mimeFor(undefined, ''))).toBe('weights');
	});

	test.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
		'a MIME type named %j is no table entry',
		(mime) => {
			expect(fileNameFor('https://h/a/out', 0, mime)).toBe('out');
			expect(fileNameFor('https://h/a/', 1, mime)).toBe('output_1');
		},
	);

	test('over-long names keep their extension within 120 characters and 255 bytes', () => {
		const long = fileNameFor(`https://h/a/${'x'.repeat(500)}.png`, 0);
		expect(long).toBe(`${'x'.repeat(116)}.png`);
		const noExt = fileNameFor(`https://h/a/${'x'.repeat(500)}`, 0, 'image/jpeg');
		expect(noExt).toBe(`${'x'.repeat(116)}.jpg`);
		const wide = fileNameFor(`https://h/a/${encodeURIComponent('🎨'.repeat(200))}.png`, 0);
		expect(wide.endsWith('.png')).toBe(true);
		expect(bytes(wide)).toBeLessThanOrEqual(255);
		expect(bytes(wide)).toBeGreaterThan(240);
		for (const name of [long, noExt, wide]) expectSafe(name);
	});
});

describe('safeFileName', () => {
	test.each([
		['. .', ''],
		[' ..', ''],
		['.. hidden', 'hidden'],
		['\u2028\u2029x', 'x'],
		['a\tb\nc', 'abc'],
		['CON', 'CON'],
	])('%j → %j', (raw, safe) => {
		expect(safeFileName(raw)).toBe(safe);
	});

	test('cuts whole code points, never half a surrogate pair', () => {
		const name = safeFileName('🎨'.repeat(100), 10);
		expect([...name]).toEqual(Array(10).fill('🎨'));
		expect(name).toBe(name.normalize('NFC'));
		expect(Buffer.from(name).toString()).toBe(name);
	});

	test('NFC: a decomposed é is one character', () => {
		expect(safeFileName('cafe\u0301.png')).toBe('caf\u00e9.png');
	});

	test('an extension as long as the limit is cut like the rest of the name', () => {
		expect(safeFileName(`${'a'.repeat(50)}.${'b'.repeat(10)}`, 8)).toBe('aaaaaaaa');
		expect(safeFileName(`${'a'.repeat(50)}.${'b'.repeat(6)}`, 8)).toBe('a.bbbbbb');
	});
});

describe('mimeFor: the MIME type from Content-Type, else the name', () => {
	test.each([
		['image/png', 'x', 'image/png'],
		['IMAGE/PNG; charset=binary', 'x', 'image/png'],
		['  video/mp4  ', 'x', 'video/mp4'],
		['application/vnd.api+json', 'x', 'application/vnd.api+json'],
		// the host's own type wins over the name
		['image/jpeg', 'x.png', 'image/jpeg'],
		// generic or missing: the extension decides
		['application/octet-stream', 'out.wav', 'audio/wav'],
		['binary/octet-stream', 'out.MP3', 'audio/mpeg'],
		[undefined, 'out.glb', 'model/gltf-binary'],
		['', 'out.txt', 'text/plain'],
		// nothing known
		[undefined, 'out', 'application/octet-stream'],
		['binary/octet-stream', 'out.xyz', 'binary/octet-stream'],
		[undefined, 'out.', 'application/octet-stream'],
	])('%j with name %j → %j', (contentType, name, mime) => {
		expect(mimeFor(contentType, name)).toBe(mime);
	});

	test.each([
		'garbage',
		'image/',
		'/png',
		'image/png/x',
		'text/html, image/png',
		'image png',
		'<script>/x',
		'"image/png"',
		';charset=utf-8',
	])('a Content-Type that is no MIME type (%j) is not passed on', (contentType) => {
		expect(mimeFor(contentType, 'out.png')).toBe('image/png');
		expect(mimeFor(contentType, 'out')).toBe('application/octet-stream');
	});

	test.each(['constructor', '__proto__', 'toString', 'valueOf'])(
		'an extension named %j is no table entry',
		(ext) => {
			const mime = mimeFor(undefined, `out.${ext}`);
			expect(typeof mime).toBe('string');
			expect(mime).toBe('application/octet-stream');
		},
	);
});
