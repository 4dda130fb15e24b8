// Files in, the way n8n users pass them: binary data from the previous node into a model's file
// inputs (Binary Inputs, comma-separated lists, {{ $binary.data }} in the field), and a required
// file input that nothing fills caught before any paid request.
import { createHash } from 'node:crypto';

import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { replicateCredentials, runNode } from '../../../harness/n8n';
import { useEmulator } from '../../../helpers/emulator';
import { runParams } from '../../../helpers/params';

const ctx = useEmulator({ speed: 20 });
const creds = () => replicateCredentials(ctx.emu.baseUrl, ctx.emu.token);
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const png = (n: number) => Buffer.from(`\x89PNG fake image number ${n}`);
const binary = (mimeType: string, bytes: Buffer, fileName: string) => ({
	data: bytes.toString('base64'),
	mimeType,
	fileName,
	fileSize: `${bytes.length} B`,
});
/** An item as a previous node (Read File, HTTP Request) leaves it: one or more binary properties. */
const item = (...files: Buffer[]): INodeExecutionData => ({
	json: {},
	binary: Object.fromEntries(
		files.map((b, i) => [i ? `data_${i}` : 'data', binary('image/png', b, `photo-${i}.png`)]),
	),
});
const binaryInputs = (...files: Array<[input: string, property: string]>) => ({
	binaryInputs: { files: files.map(([input, binaryProperty]) => ({ input, binaryProperty })) },
});
const created = () =>
	ctx.emu.log.filter((l) => /predictions\.create|files\.create/.test(l.operationId ?? '')).length;
const lastLogs = () => String([...ctx.emu.store.predictions.values()].at(-1)?.obj.logs ?? '');

describe('a required file input fed from binary data', () => {
	test('a Binary Input fills a required single-file input (nothing typed in the field)', async () => {
		const { items, error } = await runNode({
			parameters: runParams('emulator/blip-lite', {}, {}, binaryInputs(['image', 'data'])),
			credentials: creds(),
			input: [item(png(1))],
		});
		expect(error).toBeUndefined();
		expect(items[0].json.output).toBe(
			`Caption: an image of ${png(1).length} bytes (image/png), md5 ${md5(png(1))}`,
		);
	});

	test('{{ $binary.data }} in the field itself sends that binary', async () => {
		const { items, error } = await runNode({
			parameters: runParams('emulator/blip-lite', { image: '={{ $binary.data_1 }}' }),
			credentials: creds(),
			input: [item(png(1), png(2))],
		});
		expect(error).toBeUndefined();
		expect(items[0].json.output).toMatch(new RegExp(`md5 ${md5(png(2))}$`));
	});

	test('binary data that could be either of two properties is refused, not guessed', async () => {
		const twin = binary('image/png', png(1), 'same.png');
		const { error } = await runNode({
			parameters: runParams('emulator/blip-lite', { image: '={{ $binary.data }}' }),
			credentials: creds(),
			input: [{ json: {}, binary: { data: twin, copy: { ...twin } } }],
		});
		expect(error?.message).toMatch(
			/^Invalid model input "Image" \(image\): the binary data in it could be any of data, copy/,
		);
	});

	test('nothing for a required file input fails naming it (label and API name) and the item, before any request', async () => {
		const before = created();
		const { error } = await runNode({
			parameters: runParams('emulator/blip-lite', { task: 'image_captioning' }),
			credentials: creds(),
			input: [item(png(1))],
		});
		expect(error?.message).toBe(
			'Invalid model input "Image" (image): is required by this model and got no file [item 0]',
		);
		expect(error?.description).toMatch(/Add a Binary Input with Input Name "image"/);
		expect(created()).toBe(before);
	});

	test('the second item without its binary fails as item 1, before its prediction', async () => {
		const before = created();
		const { error } = await runNode({
			parameters: runParams('emulator/blip-lite', {}, {}, binaryInputs(['image', 'data'])),
			credentials: creds(),
			input: [item(png(1)), { json: {} }],
		});
		expect(error?.message).toMatch(/no binary property "data" .*\[item 1\]$/);
		expect(created() - before).toBeLessThanOrEqual(1);
	});

	test('two binaries for a single-file input are refused before any upload', async () => {
		const before = created();
		const { error } = await runNode({
			parameters: runParams('emulator/blip-lite', {}, {}, binaryInputs(['image', 'data, data_1'])),
			credentials: creds(),
			input: [item(png(1), png(2))],
		});
		expect(error?.message).toMatch(
			/^Invalid model input "Image" \(image\): it takes one file, and 2 binary properties were given \(data, data_1\) \[item 0\]$/,
		);
		expect(created()).toBe(before);
	});

	test('a Binary Input naming an input the model lacks lists its file inputs by label and name', async () => {
		const { error } = await runNode({
			parameters: runParams('emulator/blip-lite', {}, {}, binaryInputs(['img', 'data'])),
			credentials: creds(),
			input: [item(png(1))],
		});
		expect(error?.message).toMatch(/Binary Inputs: the model has no input "img"/);
		expect(error?.description).toBe('File inputs of this model: "Image" (image)');
	});

	test("n8n's own check of the saved mapper schema lets an empty file input through to the node's check", async () => {
		const parameters = runParams('emulator/blip-lite', {});
		parameters.inputFields = {
			mappingMode: 'defineBelow',
			value: { image: null },
			matchingColumns: [],
			schema: [
				{ id: 'image', displayName: 'Image', required: false, display: true, type: 'string' },
			],
		} as IDataObject;
		const { error } = await runNode({ parameters, credentials: creds(), input: [item(png(1))] });
		expect(error?.message).toMatch(/^Invalid model input "Image" \(image\): is required/);
	});
});

describe('a list-of-files input takes several binaries', () => {
	test('comma-separated binary properties, in order', async () => {
		const { error } = await runNode({
			parameters: runParams(
				'emulator/image-grid',
				{},
				{},
				binaryInputs(['images', 'data_1, data']),
			),
			credentials: creds(),
			input: [item(png(1), png(2))],
		});
		expect(error).toBeUndefined();
		const logs = lastLogs();
		expect(logs).toMatch(new RegExp(`image 0: .*md5 ${md5(png(2))}`));
		expect(logs).toMatch(new RegExp(`image 1: .*md5 ${md5(png(1))}`));
	});

	test('several Binary Inputs with the same input name, one file each', async () => {
		const { items, error } = await runNode({
			parameters: runParams(
				'emulator/image-grid',
				{ columns: 3 },
				{},
				binaryInputs(['images', 'data'], ['images', 'data_1'], ['images', 'data_2']),
			),
			credentials: creds(),
			input: [item(png(1), png(2), png(3))],
		});
		expect(error).toBeUndefined();
		expect(lastLogs().match(/^image \d+:/gm)).toEqual(['image 0:', 'image 1:', 'image 2:']);
		expect(items[0].binary?.data.mimeType).toBe('image/png');
	});

	test('[{{ $binary.data }}, {{ $binary.data_1 }}] in the field', async () => {
		const { error } = await runNode({
			parameters: runParams('emulator/image-grid', {
				images: '={{ [$binary.data, $binary.data_1] }}',
			}),
			credentials: creds(),
			input: [item(png(1), png(2))],
		});
		expect(error).toBeUndefined();
		expect(lastLogs()).toMatch(new RegExp(`image 1: .*md5 ${md5(png(2))}`));
	});

	test('the list left at [] in the editor counts as no files: refused before any request', async () => {
		const before = created();
		const { error } = await runNode({
			parameters: runParams('emulator/image-grid', { images: '[]' }),
			credentials: creds(),
			input: [item(png(1))],
		});
		expect(error?.message).toBe(
			'Invalid model input "Images" (images): is required by this model and got no files [item 0]',
		);
		expect(error?.description).toMatch(/separate them with commas/);
		expect(created()).toBe(before);
	});
});
