// Binary Inputs → Input Name offers the chosen model's file inputs (single and list), read from its
// schema as the editor's server would run the method.
import { loadOptions } from '../../harness/editor';
import { replicateCredentials } from '../../harness/n8n';
import { useEmulator } from '../../helpers/emulator';
import { rl, runParams } from '../../helpers/params';

const ctx = useEmulator({ speed: 20 });
const fileInputsOf = (model: string, extra = {}) =>
	loadOptions('getFileInputs', {
		parameters: { ...runParams(model, {}), ...extra },
		credentials: replicateCredentials(ctx.emu.baseUrl, ctx.emu.token),
	});

describe('getFileInputs', () => {
	test('a model with one required file input offers it', async () => {
		expect(await fileInputsOf('emulator/blip-lite')).toEqual([
			{ name: 'Image', value: 'image', description: 'image · required · one file' },
		]);
	});

	test('a list-of-files input is marked as one, and says how to give several', async () => {
		expect(await fileInputsOf('emulator/image-grid')).toEqual([
			{
				name: 'Images (List of Files)',
				value: 'images',
				description: 'images · required · several binary properties, comma-separated',
			},
		]);
	});

	test('single and list inputs together, in the schema order, optional ones too', async () => {
		const options = await fileInputsOf('emulator/file-echo');
		expect(options.map((o) => [o.value, o.name])).toEqual([
			['file', 'File'],
			['extra_files', 'Extra Files (List of Files)'],
		]);
		expect(options[1].description).toMatch(/optional/);
	});

	test('a model without file inputs, and no model at all, answer with a text that says so', async () => {
		await expect(fileInputsOf('emulator/flux-lite')).rejects.toThrow(
			/declares no file inputs .*an expression can still name an input/,
		);
		await expect(fileInputsOf('')).rejects.toThrow(/Choose a model/);
		await expect(fileInputsOf('emulator/nope')).rejects.toThrow(
			/Model emulator\/nope was not found/,
		);
	});

	test('a deployment offers the file inputs of the model it runs', async () => {
		const res = await fetch(`${ctx.emu.baseUrl}/deployments`, {
			method: 'POST',
			headers: { authorization: `Bearer ${ctx.emu.token}`, 'content-type': 'application/json' },
			body: JSON.stringify({
				name: 'captions',
				model: 'emulator/blip-lite',
				version: await latestVersion('emulator/blip-lite'),
				hardware: 'gpu-t4',
				min_instances: 0,
				max_instances: 1,
			}),
		});
		expect(res.status).toBe(200);
		const owner = ((await res.json()) as { owner: string }).owner;
		const options = await fileInputsOf('', {
			runTarget: 'deployment',
			deployment: rl(`${owner}/captions`),
		});
		expect(options.map((o) => o.value)).toEqual(['image']);
	});

	async function latestVersion(model: string): Promise<string> {
		const res = await fetch(`${ctx.emu.baseUrl}/models/${model}`, {
			headers: { authorization: `Bearer ${ctx.emu.token}` },
		});
		return ((await res.json()) as { latest_version: { id: string } }).latest_version.id;
	}
});
