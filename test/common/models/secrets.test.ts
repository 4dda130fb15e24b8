// Secret inputs (x-cog-secret / format: password) of models and trainers: found in both schemas,
// redacted from a prediction's or training's echoed input, logs and error; never quoted by checks.
import { NodeOperationError, type INode } from 'n8n-workflow';

import { toResourceMapperFields } from '../../../nodes/Replicate/methods/mapperFields';
import { inputSchema, prepareInput, secretNames } from '../../../nodes/common/models/schema';
import {
	REDACTED,
	redactSecrets,
	redactValues,
	secretsOf,
} from '../../../nodes/common/models/secrets';

const node = { name: 'Replicate' } as INode;
const TOKEN = 'hf_abcdefghijklmnopqrstuvwxyz123456';

const openapi = {
	components: {
		schemas: {
			Input: {
				type: 'object',
				properties: {
					prompt: { type: 'string', 'x-order': 0 },
					api_key: { type: 'string', format: 'password', 'x-order': 1 },
				},
			},
			TrainingInput: {
				type: 'object',
				required: ['input_images', 'hf_token'],
				properties: {
					input_images: { type: 'string', format: 'uri', 'x-order': 0 },
					steps: { type: 'integer', minimum: 3, 'x-order': 1 },
					hf_token: { type: 'string', 'x-cog-secret': true, 'x-order': 2 },
					mode: { type: 'string', enum: ['a', 'b'], 'x-cog-secret': true, 'x-order': 3 },
				},
			},
		},
	},
};

describe('secret inputs', () => {
	test('are found in the model Input and in TrainingInput, by x-cog-secret or format: password', () => {
		expect(secretNames(inputSchema(openapi))).toEqual(['api_key']);
		expect(secretNames(inputSchema(openapi, 'training'))).toEqual(['hf_token', 'mode']);
		expect(secretsOf(openapi, { hf_token: TOKEN, steps: 5 })).toEqual({
			names: ['api_key', 'hf_token', 'mode'],
			values: [TOKEN],
		});
	});

	test('are redacted from input, logs and error; the rest is kept and the original untouched', () => {
		const training = {
			id: 't1',
			input: { hf_token: TOKEN, steps: 5, api_key: '' },
			logs: `login with ${TOKEN}\nstep 1`,
			error: `bad token ${TOKEN}`,
			status: 'failed',
		};
		const safe = redactSecrets(training, secretsOf(openapi, training.input));
		expect(safe).toEqual({
			id: 't1',
			input: { hf_token: REDACTED, steps: 5, api_key: '' },
			logs: `login with ${REDACTED}\nstep 1`,
			error: `bad token ${REDACTED}`,
			status: 'failed',
		});
		expect(JSON.stringify(safe)).not.toContain(TOKEN);
		expect(training.input.hf_token).toBe(TOKEN);
		expect(redactValues('nothing here', secretsOf(openapi, {}))).toBe('nothing here');
	});

	test("a secret's value is never quoted in a check's error; training inputs are named as such", () => {
		const schema = inputSchema(openapi, 'training');
		const error = (raw: Record<string, unknown>) => {
			try {
				prepareInput(node, schema, raw as never, 1);
			} catch (e) {
				expect(e).toBeInstanceOf(NodeOperationError);
				return (e as NodeOperationError).message;
			}
			throw new Error('no error');
		};
		expect(error({ input_images: 'https://x/y.zip', hf_token: { v: TOKEN } })).toBe(
			'Invalid training input "Hf Token" (hf_token): must be text (a secret)',
		);
		expect(error({ input_images: 'https://x/y.zip', hf_token: 'x', mode: 'secret-mode' })).toBe(
			'Invalid training input "Mode" (mode): must be one of "a", "b"',
		);
		expect(error({ input_images: 'https://x/y.zip' })).toBe(
			'Invalid training input "Hf Token" (hf_token): is required by this trainer',
		);
		expect(error({ input_images: 'https://x/y.zip', hf_token: 'x', steps: 1 })).toBe(
			'Invalid training input "Steps" (steps): must be at least 3 (got 1)',
		);
		expect(error({ input_images: 'u', hf_token: 'x', nope: 1 })).toBe(
			'Invalid training input "Nope" (nope): this trainer has no such input',
		);
	});

	test('the field mapper shows a secret read-only, pointing at Secret Inputs', () => {
		const fields = toResourceMapperFields(inputSchema(openapi, 'training')!);
		expect(fields.map((f) => [f.id, f.readOnly === true, f.required])).toEqual([
			['input_images', false, false], // a file input: never required in the mapper (Binary Inputs fill it)
			['steps', false, false],
			['hf_token', true, false],
			['mode', true, false],
		]);
		expect(fields[2].displayName).toBe('Hf Token (Secret: Set It Under Secret Inputs)');
	});
});
