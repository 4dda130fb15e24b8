// Which model inputs take files, on schema shapes real Replicate models publish, and how errors and
// the editor name an input.
import { fileInputs, fileKind, humanise, inputLabel } from '../../../nodes/common/models/inputs';
import { inputSchema } from '../../../nodes/common/models/schema';

describe('fileKind', () => {
	test.each([
		['a Path input (salesforce/blip image)', { type: 'string', format: 'uri' }, 'file'],
		[
			'a list[Path] input (seedream image_input)',
			{ type: 'array', items: { type: 'string', format: 'uri' } },
			'files',
		],
		[
			'an optional Path (anyOf with null)',
			{ anyOf: [{ type: 'string', format: 'uri' }, { type: 'null' }] },
			'file',
		],
		[
			'an optional list (anyOf array of uri, null)',
			{ anyOf: [{ type: 'array', items: { type: 'string', format: 'uri' } }, { type: 'null' }] },
			'files',
		],
		['a text input', { type: 'string' }, undefined],
		[
			'a text input whose name says URL but whose schema does not',
			{ type: 'string', title: 'Image URL' },
			undefined,
		],
		['a list of text', { type: 'array', items: { type: 'string' } }, undefined],
		['a number', { type: 'integer' }, undefined],
		['nothing', undefined, undefined],
	])('%s → %s', (_name, schema, kind) => {
		expect(fileKind(schema as never)).toBe(kind);
	});
});

describe('fileInputs', () => {
	test('every file input of a model, in x-order, with list and required flags', () => {
		const schema = inputSchema({
			components: {
				schemas: {
					Input: {
						type: 'object',
						required: ['prompt', 'input_image', 'masks'],
						properties: {
							masks: {
								type: 'array',
								items: { type: 'string', format: 'uri' },
								'x-order': 3,
							},
							prompt: { type: 'string', 'x-order': 0 },
							input_image: { type: 'string', format: 'uri', 'x-order': 1 },
							style_reference: { type: 'string', format: 'uri', 'x-order': 2 },
							steps: { type: 'integer', 'x-order': 4 },
						},
					},
				},
			},
		})!;
		expect(fileInputs(schema)).toEqual([
			{ name: 'input_image', list: false, required: true },
			{ name: 'style_reference', list: false, required: false },
			{ name: 'masks', list: true, required: true },
		]);
	});
});

describe('names', () => {
	test.each([
		['num_outputs', 'Num Outputs', '"Num Outputs" (num_outputs)'],
		['image_url', 'Image URL', '"Image URL" (image_url)'],
		['lora_scales', 'LoRA Scales', '"LoRA Scales" (lora_scales)'],
		// Words that are also Object's own properties are words, not lookups.
		['constructor', 'Constructor', '"Constructor" (constructor)'],
		['to_string', 'To String', '"To String" (to_string)'],
		// A label equal to the API name is said once.
		['Prompt', 'Prompt', '"Prompt"'],
	])('%s → %s, in errors %s', (name, label, inError) => {
		expect(humanise(name)).toBe(label);
		expect(inputLabel(name)).toBe(inError);
	});
});
