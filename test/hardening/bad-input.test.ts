// Bad-input catalogue: every case fails with an error that names the parameter and the item, and
// (for everything detectable locally) the emulator's log proves no prediction was created.
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { replicateCredentials, runNode } from '../harness/n8n';
import { useEmulator } from '../helpers/emulator';
import { rl, runParams } from '../helpers/params';

const ctx = useEmulator({ speed: 20 });
const creds = () => replicateCredentials(ctx.emu.baseUrl, ctx.emu.token);
const bin = (bytes = 5, extra: IDataObject = {}): INodeExecutionData[] => [
	{
		json: {},
		binary: {
			data: {
				data: Buffer.alloc(bytes, 1).toString('base64'),
				mimeType: 'image/png',
				fileName: 'x.png',
				...extra,
			},
		},
	},
];
const files = (input: string, binaryProperty = 'data') => ({
	binaryInputs: { files: [{ input, binaryProperty }] },
});
const json = (model: string, inputJson: string, options: IDataObject = {}) => ({
	...runParams(model, {}, options),
	inputMode: 'json',
	inputJson,
});
const create = (options: IDataObject, model = 'emulator/sleep') => ({
	...runParams(model, { seconds: 1 }),
	operation: 'create',
	options,
});

type Case = [name: string, parameters: IDataObject, message: RegExp, input?: INodeExecutionData[]];

const CASES: Case[] = [
	// model references
	// Empty required parameters are refused by n8n itself before the node runs; expressions get past it.
	[
		'empty model',
		{ ...runParams('', { prompt: 'x' }), model: rl('={{ "" }}') },
		/"Model" parameter is empty/,
	],
	[
		'model without owner',
		{ ...runParams('', {}), model: rl('={{ "flux" }}') },
		/"Model" parameter "flux" is not a model reference/,
	],
	[
		'model with spaces',
		{ ...runParams('', {}), model: rl('={{ "a b/c" }}') },
		/"Model" parameter "a b\/c" is not a model reference/,
	],
	[
		'model with too many parts',
		{ ...runParams('', {}), model: rl('={{ "a/b/c" }}') },
		/"Model" parameter "a\/b\/c" is not a model reference/,
	],
	[
		'bad version id',
		{ ...runParams('emulator/sleep', {}), version: rl('={{ "v 1" }}') },
		/"Version" parameter "v 1" is not a version ID/,
	],
	[
		'empty deployment',
		{ ...runParams('', {}), runTarget: 'deployment', deployment: rl('={{ "" }}') },
		/"Deployment" parameter is empty/,
	],
	[
		'malformed deployment',
		{ ...runParams('', {}), runTarget: 'deployment', deployment: rl('={{ "just-a-name" }}') },
		/"Deployment" parameter "just-a-name" is not a deployment reference/,
	],
	// schema inputs
	[
		'missing required input',
		runParams('emulator/llm-stream', {}),
		/"Prompt" \(prompt\): is required by this model/,
	],
	[
		'wrong type (number)',
		runParams('emulator/sleep', { seconds: 'soon' }),
		/"Seconds" \(seconds\): must be a number \(got "soon"\)/,
	],
	[
		'wrong type (integer)',
		runParams('emulator/llm-stream', { prompt: 'x', max_tokens: 2.5 }),
		/"Max Tokens" \(max_tokens\): must be a whole number/,
	],
	[
		'wrong type (boolean)',
		runParams('emulator/sdxl-lite', { prompt: 'x', apply_watermark: 'maybe' }),
		/"Apply Watermark" \(apply_watermark\): must be true or false/,
	],
	[
		'wrong type (array)',
		runParams('emulator/sdxl-lite', { prompt: 'x', lora_scales: '[1, "a"]' }),
		/"LoRA Scales" \(lora_scales\): item 1 must be a number/,
	],
	[
		'malformed JSON array',
		runParams('emulator/sdxl-lite', { prompt: 'x', lora_scales: '[1,' }),
		/"LoRA Scales" \(lora_scales\): must be a JSON array/,
	],
	[
		'value outside an enum (int)',
		runParams('emulator/sdxl-lite', { prompt: 'x', width: 100 }),
		/"Width" \(width\): must be one of 64, 128, 256/,
	],
	[
		'value outside an enum (string)',
		runParams('emulator/sdxl-lite', { prompt: 'x', scheduler: 'FAST' }),
		/"Scheduler" \(scheduler\): must be one of "DDIM"/,
	],
	[
		'value below the minimum',
		runParams('emulator/sleep', { seconds: -1 }),
		/"Seconds" \(seconds\): must be at least 0/,
	],
	[
		'value above the maximum',
		runParams('emulator/sdxl-lite', { prompt: 'x', guidance_scale: 99 }),
		/"Guidance Scale" \(guidance_scale\): must be at most 50/,
	],
	[
		'unknown input field',
		runParams('emulator/sleep', { second: 1 }),
		/"Second" \(second\): this model has no such input/,
	],
	// JSON input
	[
		'invalid JSON',
		json('emulator/sleep', '{"seconds": 1,'),
		/"Input \(JSON\)" parameter is not valid JSON/,
	],
	[
		'JSON that is not an object',
		json('emulator/sleep', '[1, 2]'),
		/"Input \(JSON\)" parameter must be a JSON object/,
	],
	['JSON scalar', json('emulator/sleep', '42'), /"Input \(JSON\)" parameter must be a JSON object/],
	[
		'JSON with a bad value',
		json('emulator/sleep', '{"seconds": "x"}'),
		/"Seconds" \(seconds\): must be a number/,
	],
	// binary inputs
	[
		'missing binary property',
		{ ...runParams('emulator/file-echo', {}), ...files('file', 'photo') },
		/no binary property "photo" \(Input Binary Field\)/,
		bin(),
	],
	[
		'item without binary data',
		{ ...runParams('emulator/file-echo', {}), ...files('file') },
		/no binary property "data"/,
	],
	[
		'binary input for an unknown field',
		{ ...runParams('emulator/file-echo', {}), ...files('picture') },
		/Binary Inputs: the model has no input "picture"/,
		bin(),
	],
	[
		'empty binary input name',
		{ ...runParams('emulator/file-echo', {}), ...files('') },
		/Binary Inputs entry has an empty "Input Name"/,
		bin(),
	],
	[
		'file over 100 MB',
		{ ...runParams('emulator/file-echo', {}), ...files('file') },
		/"data" is 100\.0 MB; Replicate accepts files up to 100 MB/,
		bin(5, { bytes: 100 * 1024 * 1024 + 1 }),
	],
	[
		'data URI over 10 MB',
		{ ...runParams('emulator/file-echo', {}, { binaryEncoding: 'dataUri' }), ...files('file') },
		/"data" is 10\.5 MB, too large for a data URI/,
		bin(5, { bytes: 11 * 1000 * 1000 }),
	],
	// options
	[
		'negative timeout',
		runParams('emulator/sleep', {}, { timeout: -5 }),
		/"Timeout \(Seconds\)" option must be between 1 and 604800 \(got -5\)/,
	],
	[
		'absurd timeout',
		runParams('emulator/sleep', {}, { timeout: 1e9 }),
		/"Timeout \(Seconds\)" option must be between 1 and 604800/,
	],
	[
		'zero sync wait',
		runParams('emulator/sleep', {}, { syncWait: 0 }),
		/"Sync Wait \(Seconds\)" option must be a whole number from 1 to 60/,
	],
	[
		'sync wait above 60',
		runParams('emulator/sleep', {}, { syncWait: 61 }),
		/"Sync Wait \(Seconds\)"/,
	],
	[
		'poll interval out of range',
		runParams('emulator/sleep', {}, { maxPollInterval: 0 }),
		/"Max Poll Interval \(Seconds\)" option must be between 1 and 60/,
	],
	[
		'server-side deadline too short',
		runParams('emulator/sleep', {}, { cancelAfter: '3s' }),
		/"Server-Side Deadline" option "3s" is not a duration of at least 5 seconds/,
	],
	[
		'server-side deadline unparsable',
		runParams('emulator/sleep', {}, { cancelAfter: 'tomorrow' }),
		/"Server-Side Deadline" option "tomorrow"/,
	],
	[
		'bad output property name',
		runParams('emulator/sleep', {}, { binaryProperty: '1 file' }),
		/"Put Output File in Field" option "1 file" is not a valid property name/,
	],
	[
		'output property __proto__',
		runParams('emulator/sleep', {}, { binaryProperty: '__proto__' }),
		/"Put Output File in Field" option "__proto__" is a reserved name/,
	],
	[
		'output property constructor',
		runParams('emulator/sleep', {}, { binaryProperty: 'constructor' }),
		/"Put Output File in Field" option "constructor" is a reserved name/,
	],
	[
		'zero concurrent predictions',
		runParams('emulator/sleep', { seconds: 1 }, { maxConcurrency: 0 }),
		/"Max Concurrent Predictions" option must be a whole number from 1 to 500 \(got 0\) \[item 0\]$/,
	],
	[
		'negative concurrent predictions',
		runParams('emulator/sleep', { seconds: 1 }, { maxConcurrency: -1 }),
		/"Max Concurrent Predictions" option must be a whole number from 1 to 500 \(got -1\)/,
	],
	[
		'concurrent predictions not a number',
		runParams('emulator/sleep', { seconds: 1 }, { maxConcurrency: '={{ "abc" }}' }),
		/"Max Concurrent Predictions" option must be a whole number from 1 to 500 \(got "abc"\)/,
	],
	[
		'fractional concurrent predictions (Create)',
		create({ maxConcurrency: 2.5 }),
		/"Max Concurrent Predictions" option must be a whole number from 1 to 500 \(got 2.5\)/,
	],
	[
		'concurrent predictions out of range (Wait)',
		{
			resource: 'prediction',
			operation: 'wait',
			predictionId: 'abc123',
			options: { maxConcurrency: 0 },
		},
		/"Max Concurrent Predictions" option must be a whole number/,
	],
	// webhooks on Create
	[
		'webhook URL not http',
		create({ webhook: 'ftp://example.com/h' }),
		/"Webhook URL" option "ftp:\/\/example.com\/h" is not an http\(s\) URL/,
	],
	[
		'webhook URL not a URL',
		create({ webhook: 'example.com/hook' }),
		/"Webhook URL" option "example.com\/hook"/,
	],
	[
		'unknown event filter',
		create({ webhook: 'https://example.com/h', webhookEvents: ['completed', 'finished'] }),
		/"Webhook Events" option has unknown events: finished/,
	],
	// other operations
	[
		'bad prediction ID (Get)',
		{ resource: 'prediction', operation: 'get', predictionId: 'not an id' },
		/"Prediction ID" parameter "not an id" is not a prediction ID/,
	],
	[
		'empty prediction ID (Wait)',
		{ resource: 'prediction', operation: 'wait', predictionId: '={{ "" }}' },
		/"Prediction ID" parameter is empty/,
	],
	[
		'bad date filter (Get Many)',
		{
			resource: 'prediction',
			operation: 'getMany',
			returnAll: true,
			filters: { createdBefore: 'last week' },
		},
		/"Created Before" filter "last week" is not a date-time/,
	],
	[
		'model name with capitals (Model → Create)',
		{
			resource: 'model',
			operation: 'create',
			owner: 'emulator',
			name: 'MyModel',
			visibility: 'private',
			hardware: 'cpu',
		},
		/"Name" parameter "MyModel"/,
	],
	[
		'bad URL field (Model → Update)',
		{
			resource: 'model',
			operation: 'update',
			model: rl('emulator/sleep'),
			updateFields: { githubUrl: 'github' },
		},
		/"GitHub URL" parameter "github" is not an http\(s\) URL/,
	],
	[
		'training destination not owner/name',
		{
			resource: 'training',
			operation: 'create',
			model: rl('emulator/trainable'),
			version: rl('', 'list'),
			destination: 'just-a-name',
			input: '{}',
		},
		/"Destination" parameter "just-a-name" is not owner\/name/,
	],
	[
		'deployment instances out of range',
		{
			resource: 'deployment',
			operation: 'create',
			name: 'dep',
			model: rl('emulator/sleep'),
			version: rl('', 'list'),
			hardware: 'cpu',
			minInstances: 0,
			maxInstances: 50,
		},
		/"Max Instances" parameter must be a whole number from 0 to 20 \(got 50\)/,
	],
	[
		'empty search query',
		{ resource: 'model', operation: 'search', query: ' ', limit: 5 },
		/"Query" parameter is empty/,
	],
];

const createdSoFar = () =>
	ctx.emu
		.requests()
		.filter((r) =>
			/(predictions|trainings)\.create$|files\.create|deployments\.create|models\.create/.test(
				r.operationId ?? '',
			),
		).length;

// Every row gets all four values: Jest takes a missing fourth as a `done` callback and would wait.
test.each(CASES.map(([n, p, m, input]) => [n, p, m, input ?? null] as const))(
	'%s',
	async (_name, parameters, message, input) => {
		const before = createdSoFar();
		const { error } = await runNode({
			parameters,
			credentials: creds(),
			input: input ?? [{ json: {} }],
		});
		expect(error?.message).toMatch(message);
		expect(error?.message).toMatch(/\[item 0\]/);
		expect(createdSoFar()).toBe(before);
	},
);

// Broken answers: a model whose schema (it comes from outside) is malformed gets a clear error naming
// what is wrong, before anything is created. Each case uses a model no other case uses (schemas are
// cached per process).
type SchemaCase = [
	name: string,
	model: string,
	breakSchema: (input: IDataObject) => void,
	input: IDataObject,
	message: RegExp,
];
const SCHEMA_CASES: SchemaCase[] = [
	[
		'an enum that is not a list',
		'emulator/big-file',
		(s) => ((s.properties as IDataObject).mode = { type: 'string', enum: 'fast' }),
		{},
		/input schema is malformed: "enum" of input "mode" is not a list \(got "fast"\) \[item 0\]/,
	],
	[
		'required as a string',
		'emulator/always-fails',
		(s) => (s.required = 'prompt'),
		{ message: 'x' },
		/input schema is malformed: "required" is not a list of input names \(got "prompt"\) \[item 0\]/,
	],
];

test.each(SCHEMA_CASES)('a schema with %s', async (_name, model, breakSchema, input, message) => {
	const before = createdSoFar();
	const path = new RegExp(`^/v1/models/${model}$`);
	ctx.emu.addFault({
		method: 'GET',
		path,
		phase: 'after',
		transform: (body) => {
			const m = body as {
				latest_version?: { openapi_schema?: { components: { schemas: { Input: IDataObject } } } };
			};
			const schema = m.latest_version?.openapi_schema?.components.schemas.Input;
			if (schema) breakSchema(schema);
			return m;
		},
	});
	const { error } = await runNode({ parameters: runParams(model, input), credentials: creds() });
	ctx.emu.violations.length = 0; // the broken schema is the point of this case
	expect(error?.message).toMatch(message);
	expect(error?.message).not.toMatch(/is not a function|"p":/);
	expect(createdSoFar()).toBe(before);
});
