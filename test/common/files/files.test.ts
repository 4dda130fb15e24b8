// A content type goes into the upload's part headers (and into data URIs): one with a control
// character (CR, LF…) is refused before anything is sent, naming where it came from (issue 26).
import { replicateCredentials, runNode } from '../../harness/n8n';
import { useEmulator } from '../../helpers/emulator';
import { runParams } from '../../helpers/params';
import { StreamedFile } from '../../../nodes/common/files/multipart';

const ctx = useEmulator({ speed: 20 });
const creds = () => replicateCredentials(ctx.emu.baseUrl, ctx.emu.token);
const binaryItem = (mimeType: string, bytes = Buffer.from('a small file')) => [
	{ json: {}, binary: { data: { data: bytes.toString('base64'), mimeType, fileName: 'a.txt' } } },
];
const sent = () => ctx.emu.requests().filter((r) => r.method === 'POST').length;

describe('content types with control characters are refused before upload', () => {
	test.each([
		['CR LF', 'text/plain\r\nX-Injected: 1'],
		['LF', 'text/plain\nX-Injected: 1'],
		['NUL', 'text/plain\u0000'],
	])(
		'File → Upload with %s in the Content Type option: the option is named, nothing is sent',
		async (_, type) => {
			const before = sent();
			const { error } = await runNode({
				parameters: {
					resource: 'file',
					operation: 'upload',
					binaryProperty: 'data',
					options: { contentType: type },
				},
				credentials: creds(),
				input: binaryItem('text/plain'),
			});
			expect(error?.message).toBe(
				'The "Content Type" option contains a control character (such as a line break) [item 0]',
			);
			expect(sent()).toBe(before);
		},
	);

	test('File → Upload of a binary whose MIME type has a line break: the binary property is named', async () => {
		const before = sent();
		const { error } = await runNode({
			parameters: { resource: 'file', operation: 'upload', binaryProperty: 'data' },
			credentials: creds(),
			input: binaryItem('text/plain\r\nX-Injected: 1'),
		});
		expect(error?.message).toBe(
			'The MIME type of binary property "data" contains a control character (such as a line break) [item 0]',
		);
		expect(sent()).toBe(before);
	});

	test.each([
		['a data URI', Buffer.from('small')],
		['the Files API', Buffer.alloc(300 * 1024, 7)],
	])(
		"Run's binary input (%s) with a line break in its MIME type: refused, no upload, no prediction",
		async (_, bytes) => {
			const before = sent();
			const { error } = await runNode({
				parameters: runParams(
					'emulator/file-echo',
					{},
					{},
					{ binaryInputs: { files: [{ input: 'file', binaryProperty: 'data' }] } },
				),
				credentials: creds(),
				input: binaryItem('image/png\nX-Injected: 1', bytes),
			});
			expect(error?.message).toBe(
				'The MIME type of binary property "data" contains a control character (such as a line break) [item 0]',
			);
			expect(sent()).toBe(before);
		},
	);

	test('a well-formed content type still uploads, and the part is built with it', async () => {
		const { items, error } = await runNode({
			parameters: {
				resource: 'file',
				operation: 'upload',
				binaryProperty: 'data',
				options: { contentType: 'text/markdown; charset=utf-8' },
			},
			credentials: creds(),
			input: binaryItem('text/plain'),
		});
		expect(error).toBeUndefined();
		expect(items[0].json.content_type).toBe('text/markdown; charset=utf-8');
	});

	test('the multipart file part itself refuses such a type (the backstop)', () => {
		expect(() => new StreamedFile(Buffer.from('x'), 1, 'a/b\r\nc: d', 'x.txt')).toThrow(
			/control characters/,
		);
		expect(new StreamedFile(Buffer.from('x'), 1, 'a/b', 'x.txt').type).toBe('a/b');
	});
});
