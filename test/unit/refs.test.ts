// What users type for a deployment, a version or a prediction, beyond parseModelRef (helpers.test):
// each reader either returns something safe to put in a request path or refuses naming the
// parameter. Pure: a fake context, milliseconds each.
import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
} from 'n8n-workflow';

import {
	parseDeploymentRef,
	parseModelRef,
	parseOwnerName,
} from '../../nodes/common/models/modelRef';
import { readDeploymentRef, readModelRef, readPredictionId } from '../../nodes/common/readers';

const node = { name: 'Replicate' } as INode;
const V = 'b'.repeat(64);

/** Parameters by name; a function value is called, as n8n evaluates an expression. */
function context(parameters: Record<string, unknown>): IExecuteFunctions {
	return {
		getNode: () => node,
		getNodeParameter: (name: string, _i: number, fallback?: unknown) => {
			if (!(name in parameters)) throw new Error('Could not get parameter');
			const v = parameters[name];
			return typeof v === 'function' ? (v as () => unknown)() : (v ?? fallback);
		},
	} as unknown as IExecuteFunctions;
}

function refusal(read: () => unknown): NodeOperationError {
	try {
		read();
	} catch (error) {
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as NodeOperationError).context.itemIndex).toBe(1);
		expect((error as NodeOperationError).message).not.toMatch(/\[item/);
		return error as NodeOperationError;
	}
	throw new Error('accepted');
}

describe('owner/name and deployments', () => {
	test.each([
		['acme/app', { owner: 'acme', name: 'app' }],
		[' acme/my_app.v2 ', { owner: 'acme', name: 'my_app.v2' }],
		['https://replicate.com/deployments/acme/app', { owner: 'acme', name: 'app' }],
		['https://replicate.com/deployments/acme/app/', { owner: 'acme', name: 'app' }],
		['acme/app/', { owner: 'acme', name: 'app' }],
	])('deployment %j', (raw, ref) => {
		expect(parseDeploymentRef(raw)).toEqual(ref);
	});

	test.each([
		'',
		'acme',
		'acme/app:v1',
		'acme/../app',
		'../acme/app',
		'acme/..',
		'acme/.',
		'.acme/app',
		'acme/app/x',
		'acme/app?x=1',
		'acme/app#x',
		'acme/ app',
		'acme%2Fapp',
		'acme/app\nx',
		'ácme/app',
		'https://replicate.com/deployments/acme/app?tab=x',
		'https://replicate.com/deployments/acme/../x',
		'https://replicate.com/acme/app',
	])('%j is not a deployment', (raw) => {
		expect(parseDeploymentRef(raw)).toBeUndefined();
	});

	test('owner/name is exact: no version, no URL', () => {
		expect(parseOwnerName('acme/app')).toEqual({ owner: 'acme', name: 'app' });
		expect(parseOwnerName(`acme/app:${V}`)).toBeUndefined();
		expect(parseOwnerName('https://replicate.com/acme/app')).toBeUndefined();
	});

	test.each([
		'owner/..',
		'../owner/name',
		'owner/name:..',
		'owner/name:../x',
		'https://replicate.com/owner/../name',
		'https://replicate.com/owner/name/versions/../../x',
		'https://replicate.com/owner/name/versions/',
		'owner/name\n:x',
		'owner/name%2F..',
	])('%j is not a model reference', (raw) => {
		expect(parseModelRef(raw)).toBeUndefined();
	});
});

describe('readModelRef: the Model and Version parameters', () => {
	test('a Version picked beside the model; "latest" means the latest version', () => {
		expect(readModelRef(context({ model: 'acme/app', version: V }), 0)).toEqual({
			owner: 'acme',
			name: 'app',
			version: V,
		});
		expect(readModelRef(context({ model: 'acme/app', version: 'latest' }), 0)).toEqual({
			owner: 'acme',
			name: 'app',
			version: undefined,
		});
		// a Version not shown in this form is not set
		expect(readModelRef(context({ model: { mode: 'id', value: 'acme/app' } }), 0).version).toBe(
			undefined,
		);
	});

	test.each(['../x', 'v 1', 'a/b', 'v?x', `${V}\n`.repeat(2)])(
		'Version %j is refused naming the parameter',
		(version) => {
			const error = refusal(() => readModelRef(context({ model: 'acme/app', version }), 1));
			expect(error.message).toMatch(/^The "Version" parameter ".*" is not a version ID$/s);
		},
	);

	test('a Version expression that fails is reported, not taken for empty', () => {
		const error = refusal(() =>
			readModelRef(
				context({
					model: 'acme/app',
					version: () => {
						throw new Error('Referenced node is unexecuted');
					},
				}),
				1,
			),
		);
		expect(error.message).toBe(
			'The "Version" parameter could not be resolved: Referenced node is unexecuted',
		);
	});

	test('an empty or malformed Model is refused naming the parameter', () => {
		expect(refusal(() => readModelRef(context({ model: '  ' }), 1)).message).toBe(
			'The "Model" parameter is empty',
		);
		expect(refusal(() => readModelRef(context({ model: 'a/b/c' }), 1)).message).toBe(
			'The "Model" parameter "a/b/c" is not a model reference',
		);
	});

	test('readDeploymentRef: empty and malformed say which', () => {
		expect(refusal(() => readDeploymentRef(context({ deployment: '' }), 1)).message).toBe(
			'The "Deployment" parameter is empty',
		);
		expect(
			refusal(() => readDeploymentRef(context({ deployment: { value: 'acme' } as IDataObject }), 1))
				.message,
		).toBe('The "Deployment" parameter "acme" is not a deployment reference');
	});
});

describe('readPredictionId', () => {
	const read = (value: unknown, i = 0) => readPredictionId(context({ predictionId: value }), i);

	test.each([
		['gm3qorzdhgbfurvjtvhg6dckhu', 'gm3qorzdhgbfurvjtvhg6dckhu'],
		['  gm3qorzdhgbfurvjtvhg6dckhu  ', 'gm3qorzdhgbfurvjtvhg6dckhu'],
		[
			'https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu',
			'gm3qorzdhgbfurvjtvhg6dckhu',
		],
		[
			'https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu/cancel',
			'gm3qorzdhgbfurvjtvhg6dckhu',
		],
		['https://replicate.com/p/gm3qorzdhgbfurvjtvhg6dckhu/', 'gm3qorzdhgbfurvjtvhg6dckhu'],
		[{ mode: 'url', value: 'https://replicate.com/p/abcdefghij' }, 'abcdefghij'],
	])('%j → %j', (raw, id) => {
		expect(read(raw)).toBe(id);
	});

	test.each([
		'',
		'short',
		'x'.repeat(65),
		'../../account',
		'abcdefghij/../../account',
		'abcdefghij%2F..%2Faccount',
		'abcdefghij?x=1',
		'abcdefghij#x',
		'abcdefghij/cancel/x',
		'abc-defghij',
		'abcdefghij\nx',
		'https://api.replicate.com/v1/predictions/abcdefghij/../../../account',
		'https://api.replicate.com/v1/trainings?x=/predictions/abcdefghij?y',
		'ａｂｃｄｅｆｇｈｉｊ',
	])('%j is refused naming the parameter', (raw) => {
		const error = refusal(() => read(raw, 1));
		expect(error.message).toMatch(
			/^The "Prediction ID" parameter (is empty|".*" is not a prediction ID)$/s,
		);
	});
});
