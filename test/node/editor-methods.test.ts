// The editor methods (list search, load options, field mapper) run in-process through n8n-core's
// LoadOptionsContext against the emulator, as the editor's server runs them; and the node
// descriptions the editor renders (panel order, subtitles, display rules, links).
import {
	NodeHelpers,
	Workflow,
	type INode,
	type INodeProperties,
	type INodePropertyOptions,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { ReplicateApi } from '../../credentials/ReplicateApi.credentials';
import { Replicate } from '../../nodes/Replicate/Replicate.node';
import { ReplicateTrigger } from '../../nodes/ReplicateTrigger/ReplicateTrigger.node';
import { listSearch, loadOptions, resourceMapping } from '../harness/editor';
import { nodeTypes, replicateCredentials, runNode } from '../harness/n8n';
import { useEmulator } from '../helpers/emulator';
import { rl, runParams } from '../helpers/params';

const ctx = useEmulator({ speed: 20 });
const creds = () => replicateCredentials(ctx.emu.baseUrl, ctx.emu.token);
const apiCalls = () => ctx.emu.log.filter((l) => l.server === 'api').length;
const mapperParams = (model: ReturnType<typeof rl>, version = rl('', 'list')) => ({
	...runParams('', {}),
	model,
	version,
});
const fieldsFor = (model: ReturnType<typeof rl>, version?: ReturnType<typeof rl>) =>
	resourceMapping('getInputFields', {
		parameters: mapperParams(model, version),
		credentials: creds(),
	});

describe('Model Inputs while the user types (no throw, no request for what cannot be a model)', () => {
	test('every prefix of a model ID answers without throwing; only owner/name shapes reach Replicate', async () => {
		const id = 'emulator/sdxl-lite';
		const before = apiCalls();
		const shaped = [];
		for (let n = 0; n <= id.length; n++) {
			const partial = id.slice(0, n);
			const answer = await fieldsFor(rl(partial));
			if (/^[^/]+\/[^/]+$/.test(partial)) shaped.push(partial);
			else {
				expect(answer.fields).toEqual([]);
				expect(answer.emptyFieldsNotice).toMatch(partial ? /is not a model/ : /Choose a model/);
			}
			if (partial === 'emulator/s')
				expect(answer.emptyFieldsNotice).toBe('Model emulator/s was not found');
		}
		// One GET /models/{owner}/{name} per owner/name-shaped prefix, none for the rest.
		expect(apiCalls() - before).toBe(shaped.length);
		const done = await fieldsFor(rl(id));
		expect(done.fields.map((f) => f.id)).toContain('prompt');
	});

	test('a URL still being typed in "By URL" mode answers with a notice and no request', async () => {
		const before = apiCalls();
		for (const partial of [
			'h',
			'https://',
			'https://replicate.com/',
			'https://replicate.com/emulator',
		]) {
			const answer = await fieldsFor(rl(partial, 'url'));
			expect(answer).toEqual({ fields: [], emptyFieldsNotice: 'Choose a model to see its inputs' });
		}
		expect(apiCalls()).toBe(before);
		const url = await fieldsFor(rl('https://replicate.com/emulator/flux-lite', 'url'));
		expect(url.fields.map((f) => f.id)).toEqual([
			'prompt',
			'aspect_ratio',
			'num_outputs',
			'seed',
			'output_format',
		]);
	});

	test('what the user typed is shown as text (the editor renders the notice as HTML)', async () => {
		const answer = await fieldsFor(rl('<img src=x onerror=alert(1)>'));
		expect(answer.emptyFieldsNotice).toBe(
			'"&lt;img src=x onerror=alert(1)&gt;" is not a model: use owner/name (e.g. black-forest-labs/flux-schnell) or a model URL',
		);
	});

	test('a version ID still being typed is not sent to Replicate', async () => {
		const before = apiCalls();
		const answer = await fieldsFor(rl('emulator/sdxl-lite'), rl('abcdefghijklmno', 'id'));
		expect(answer.fields).toEqual([]);
		expect(answer.emptyFieldsNotice).toMatch(/"abcdefghijklmno" is not a version ID/);
		expect(apiCalls()).toBe(before);
	});

	test('a missing model, version or deployment is named in the notice', async () => {
		expect((await fieldsFor(rl('emulator/does-not-exist'))).emptyFieldsNotice).toBe(
			'Model emulator/does-not-exist was not found',
		);
		const missing = 'f'.repeat(64);
		expect((await fieldsFor(rl('emulator/sdxl-lite'), rl(missing))).emptyFieldsNotice).toBe(
			`Version ${missing.slice(0, 12)}… of emulator/sdxl-lite was not found`,
		);
		const deployment = await resourceMapping('getInputFields', {
			parameters: {
				...runParams('', {}),
				runTarget: 'deployment',
				deployment: rl('emulator/nope'),
			},
			credentials: creds(),
		});
		expect(deployment.emptyFieldsNotice).toBe('Deployment emulator/nope was not found');
	});

	test("a refused token shows the 401 and Replicate's reason, without the token", async () => {
		const bad = 'r8_wrong_token_for_the_mapper_0001';
		const answer = await resourceMapping('getInputFields', {
			// A model no earlier test loaded: the model cache is per process (see the report).
			parameters: mapperParams(rl('emulator/llm-stream')),
			credentials: replicateCredentials(ctx.emu.baseUrl, bad),
		});
		expect(answer.fields).toEqual([]);
		expect(answer.emptyFieldsNotice).toBe(
			'Replicate refused to show Model emulator/llm-stream (401): Unauthenticated: You did not pass a valid authentication token',
		);
		expect(JSON.stringify(answer)).not.toContain(bad);
	});
});

describe('Model Inputs fields', () => {
	test('labels are the humanised property names (not the enum schema title), with types, options and required marks', async () => {
		const { fields } = await fieldsFor(rl('emulator/flux-lite'));
		expect(fields.map((f) => [f.id, f.displayName, f.type, f.required])).toEqual([
			['prompt', 'Prompt', 'string', true],
			['aspect_ratio', 'Aspect Ratio', 'options', false],
			['num_outputs', 'Num Outputs', 'number', false],
			['seed', 'Seed', 'number', false],
			['output_format', 'Output Format', 'options', false],
		]);
		const aspect = fields.find((f) => f.id === 'aspect_ratio')!;
		expect(aspect.options).toEqual(['1:1', '16:9', '9:16'].map((v) => ({ name: v, value: v })));
		expect(aspect.defaultValue).toBe('1:1');
	});

	test('no description is crammed into a label; arrays are array fields', async () => {
		const { fields } = await fieldsFor(rl('emulator/sdxl-lite'));
		const byId = Object.fromEntries(fields.map((f) => [f.id, f]));
		expect(byId.scheduler.displayName).toBe('Scheduler');
		expect(byId.image.displayName).toBe('Image');
		// '[]', not '': the editor's JSON editor marks an empty text as an error.
		expect(byId.lora_scales).toMatchObject({
			displayName: 'LoRA Scales',
			type: 'array',
			required: false,
			defaultValue: '[]',
		});
		expect(fields.every((f) => !f.displayName.includes('—') && f.displayName.length < 40)).toBe(
			true,
		);
	});

	test('an optional array left at its starting "[]" is not sent; a filled one is', async () => {
		const run = (lora: string) =>
			runNode({
				parameters: runParams('emulator/sdxl-lite', {
					prompt: 'x',
					num_outputs: 1,
					lora_scales: lora,
				}),
				credentials: creds(),
			});
		const untouched = await run('[]');
		expect(untouched.error).toBeUndefined();
		expect(untouched.items[0].json.input).not.toHaveProperty('lora_scales');
		const filled = await run('[0.5, 1]');
		expect(filled.items[0].json.input).toMatchObject({ lora_scales: [0.5, 1] });
	});

	test("the fields of a deployment are those of its release's version", async () => {
		const answer = await resourceMapping('getInputFields', {
			parameters: {
				...runParams('', {}),
				runTarget: 'deployment',
				deployment: rl('emulator/image-prod'),
			},
			credentials: creds(),
		});
		expect(answer.fields.map((f) => f.id)).toContain('negative_prompt');
	});
});

describe('Version list', () => {
	const versionsOf = (resource = 'prediction') =>
		listSearch('searchVersions', {
			parameters: {
				resource,
				operation: resource === 'prediction' ? 'run' : 'get',
				model: rl('emulator/sdxl-lite'),
			},
			credentials: creds(),
		});

	test('Run offers "Latest Version" first, and the newest version is marked latest', async () => {
		const { results } = await versionsOf();
		const newest = ctx.emu.store.models.get('emulator/sdxl-lite')!.versions[0].id;
		expect(results[0]).toMatchObject({
			name: 'Latest Version (Always the Newest)',
			value: 'latest',
		});
		expect(results[1].value).toBe(newest);
		expect(results[1].name).toMatch(/ · latest$/);
		expect(results.slice(2).every((r) => !/latest/.test(r.name))).toBe(true);
	});

	test('Model Version → Get lists versions only (no "latest" entry to look up)', async () => {
		const { results } = await versionsOf('modelVersion');
		expect(results.every((r) => r.value !== 'latest')).toBe(true);
	});

	test('running with "latest" picked runs the newest version', async () => {
		const newest = ctx.emu.store.models.get('emulator/sdxl-lite')!.versions[0].id;
		const { items, error } = await runNode({
			parameters: {
				...runParams('emulator/sdxl-lite', { prompt: 'x', num_outputs: 1 }),
				version: rl('latest', 'list'),
			},
			credentials: creds(),
		});
		expect(error).toBeUndefined();
		expect(items[0].json.version).toBe(newest);
	});

	test('a model that does not exist (yet) has no versions, and the list does not fail', async () => {
		const res = await listSearch('searchVersions', {
			parameters: { resource: 'prediction', operation: 'run', model: rl('emulator/sdx') },
			credentials: creds(),
		});
		expect(res.results).toEqual([]);
	});
});

describe('model search and hardware options', () => {
	test('typing into the model search finds the model', async () => {
		const { results } = await listSearch(
			'searchModels',
			{ parameters: runParams('', {}), credentials: creds() },
			'sdxl',
		);
		expect(results.map((r) => r.value)).toContain('emulator/sdxl-lite');
	});

	test('hardware options', async () => {
		const options = await loadOptions('getHardware', {
			parameters: { resource: 'model', operation: 'create' },
			credentials: creds(),
		});
		expect(options.map((o) => o.value)).toContain('gpu-t4');
	});
});

describe('Run names the model it could not find', () => {
	test('an unknown model', async () => {
		const { error } = await runNode({
			parameters: runParams('emulator/does-not-exist', { prompt: 'x' }),
			credentials: creds(),
		});
		expect(error?.message).toBe(
			'Model emulator/does-not-exist was not found on Replicate [item 0]',
		);
		expect(error?.description).toMatch(/owner\/name/);
	});
});

describe('what the editor renders from the descriptions', () => {
	const action = new Replicate().description;
	const trigger = new ReplicateTrigger().description;
	const operationProps = action.properties.filter((p) => p.name === 'operation');

	test('Prediction is the first resource and Run its first action; every operation has an action and a description', () => {
		const resource = action.properties.find((p) => p.name === 'resource')!;
		expect((resource.options as INodePropertyOptions[])[0].value).toBe('prediction');
		const prediction = operationProps.find((p) =>
			p.displayOptions?.show?.resource?.includes('prediction'),
		)!;
		expect((prediction.options as INodePropertyOptions[])[0]).toMatchObject({
			value: 'run',
			action: 'Run a model',
		});
		const options = operationProps.flatMap((p) => p.options as INodePropertyOptions[]);
		expect(options.length).toBeGreaterThan(30);
		const lacking = options.filter((o) => !o.action || !o.description).map((o) => o.name);
		expect(lacking).toEqual([]);
	});

	function subtitleOf(type: INodeTypeDescription, name: string, parameters: INode['parameters']) {
		const node: INode = {
			id: 'n1',
			name: 'N',
			type: `@n8n-nodes-replicate/n8n-nodes-replicate.${name}`,
			typeVersion: 1,
			position: [0, 0],
			parameters,
		};
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
		const full = NodeHelpers.getNodeParameters(
			type.properties,
			parameters,
			true,
			false,
			node,
			type,
		);
		node.parameters = full ?? parameters;
		return workflow.expression.getSimpleParameterValue(node, type.subtitle, 'internal', {});
	}

	test('canvas subtitles name the action', () => {
		expect(subtitleOf(action, 'replicate', { resource: 'prediction', operation: 'run' })).toBe(
			'Run a model',
		);
		expect(subtitleOf(action, 'replicate', { resource: 'prediction', operation: 'getMany' })).toBe(
			'Get many predictions',
		);
		expect(subtitleOf(action, 'replicate', { resource: 'modelVersion', operation: 'get' })).toBe(
			'Get a model version',
		);
		expect(subtitleOf(trigger, 'replicateTrigger', {})).toBe('Prediction completed');
		expect(subtitleOf(trigger, 'replicateTrigger', { events: ['start', 'completed'] })).toBe(
			'Prediction started, completed',
		);
	});

	test("the node panel entry (n8n shows the trigger's description for it) describes the actions too", () => {
		expect(trigger.description).toMatch(/^Run any Replicate model/);
		expect(trigger.description).toMatch(/start workflows when/);
	});

	test('the trigger hides Final Status unless Events includes completed', () => {
		const statuses = trigger.properties.find((p) => p.name === 'statuses')!;
		const shown = (events: string[]) =>
			NodeHelpers.displayParameter({ events }, statuses, { typeVersion: 1 }, trigger);
		expect(shown(['completed'])).toBe(true);
		expect(shown(['start', 'completed'])).toBe(true);
		expect(shown(['start', 'output'])).toBe(false);
	});

	test('the trigger notice and listening hint mention both URLs', () => {
		const notice = trigger.properties.find((p) => p.type === 'notice')!;
		expect(notice.displayName).toMatch(/Test URL/);
		expect(notice.displayName).toMatch(/Production URL/);
		const panel = trigger.triggerPanel as { executionsHelp: { inactive: string } };
		expect(panel.executionsHelp.inactive).toMatch(/Test URL[\s\S]*Production URL/);
	});

	test('the credential says the Base URL ends in /v1', () => {
		const baseUrl = new ReplicateApi().properties.find(
			(p: INodeProperties) => p.name === 'baseUrl',
		)!;
		expect(`${baseUrl.hint} ${baseUrl.description}`).toMatch(/\/v1/);
	});
});

describe('documentation links survive the query n8n appends', () => {
	test('no link of the package, its nodes or its credential relies on a #fragment', () => {
		const pkg = require('../../package.json') as { homepage: string };
		const codex = [
			'Replicate/Replicate.node.json',
			'ReplicateTrigger/ReplicateTrigger.node.json',
		].map(
			(f) => require(`../../nodes/${f}`) as { resources: Record<string, Array<{ url: string }>> },
		);
		const links = [
			pkg.homepage,
			new ReplicateApi().documentationUrl,
			...codex.flatMap((c) =>
				Object.values(c.resources)
					.flat()
					.map((r) => r.url),
			),
		];
		expect(links.length).toBeGreaterThan(4);
		expect(links.filter((l) => !/^https:\/\/[^#\s]+$/.test(l))).toEqual([]);
	});
});
