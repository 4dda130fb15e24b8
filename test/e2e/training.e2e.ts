// Fine-tuning in real n8n: binary images → n8n's Compression node (zip) → Replicate Training
// (waiting by polling, or suspended until the training's webhook) → Prediction → Run of the trained
// version (its `version_ref` mapped as the model) → the output image as binary data. Also: a missing
// destination created by "Create Destination If Missing", and the trigger started by a training's
// completion. The secret training input (hf_token) appears in no output or log.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { makePng } from '../emulator/png';
import {
	apiKey,
	execute,
	importWorkflow,
	n8n,
	nodeItems,
	PACKAGE_ROOT,
	start,
	type Started,
} from '../../tools/n8n-host';
import { listExecutions, until, type ExecutionItem } from './api';
import { check, type E2EContext } from './run';

const SECRET = 'hf_e2e_secret_token_0123456789';
const VERSION_REF = /^emulator\/[\w-]+:[0-9a-f]{64}$/;

const credentials = { replicateApi: { id: 'replCredE2E00001', name: 'Replicate (emulator)' } };
const node = (id: string, name: string, type: string, typeVersion: number, parameters: object) => ({
	id: `7a1f0c7e-0024-4000-8000-0000000000${id}`,
	name,
	type,
	typeVersion,
	position: [Number(id) * 220, 0],
	parameters,
});

const pngs = JSON.stringify([0, 1, 2].map((i) => makePng(8, 8, 100 + i).toString('base64')));
/** Three small PNGs in one item (img0…img2), as the example's "Merge Into One Item" gives. */
const imagesCode = `return [{ json: {}, binary: Object.fromEntries(${pngs}.map((data, i) => ['img' + i, { data, mimeType: 'image/png', fileName: i + '.png' }])) }];`;
/** The same images one item each (binary `data`), as "Read Files from Disk" gives. */
const filesCode = `return ${pngs}.map((data, i) => ({ json: {}, binary: { data: { data, mimeType: 'image/png', fileName: i + '.png' } } }));`;

/**
 * The example workflow, pointed at the emulator: its file reader replaced by a Code node making three
 * PNGs, the trainer and destination the emulator's, a secret input added, few steps.
 */
function exampleWorkflow() {
	const wf = JSON.parse(
		readFileSync(join(PACKAGE_ROOT, 'examples', 'fine-tune-and-run.workflow.json'), 'utf8'),
	);
	wf.id = 'wfReplExampleFt1'; // the example is a template: no id of its own
	const byName = (name: string) => wf.nodes.find((n: { name: string }) => n.name === name);
	Object.assign(byName('Read Training Images'), {
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		parameters: { jsCode: filesCode },
	});
	const train = byName('Fine-Tune');
	Object.assign(train.parameters, {
		model: { __rl: true, mode: 'id', value: 'emulator/lora-trainer' },
		destination: { __rl: true, mode: 'id', value: 'emulator/e2e-lora' },
		inputFields: { mappingMode: 'defineBelow', value: { trigger_word: 'ZQX', steps: 10 } },
		secretInputs: { values: [{ name: 'hf_token', value: SECRET }] },
		options: { maxPollInterval: 1 },
	});
	const generate = byName('Generate With Your Model');
	generate.parameters.inputFields.value = { prompt: 'ZQX on the moon' };
	for (const n of [train, generate]) n.credentials = credentials;
	return wf;
}

function trainingWorkflow(o: {
	id: string;
	start: 'manual' | 'webhook';
	waitMode: 'poll' | 'webhook';
	destination: string;
	createDestination: boolean;
}) {
	const nodes = [
		o.start === 'manual'
			? node('01', 'Start', 'n8n-nodes-base.manualTrigger', 1, {})
			: {
					...node('01', 'Start', 'n8n-nodes-base.webhook', 2, {
						httpMethod: 'POST',
						path: `e2e-start-${o.id}`,
						responseMode: 'onReceived',
						options: {},
					}),
					webhookId: `e2e-start-${o.id}`,
				},
		node('02', 'Training Images', 'n8n-nodes-base.code', 2, { jsCode: imagesCode }),
		node('03', 'Zip', 'n8n-nodes-base.compression', 1.1, {
			operation: 'compress',
			binaryPropertyName: '={{ Object.keys($binary).join(",") }}',
			outputFormat: 'zip',
			fileName: 'training-images.zip',
			binaryPropertyOutput: 'data',
		}),
		{
			...node('04', 'Fine-Tune', '@n8n-nodes-replicate/n8n-nodes-replicate.replicate', 1.1, {
				resource: 'training',
				operation: 'create',
				model: { __rl: true, mode: 'id', value: 'emulator/lora-trainer' },
				version: { __rl: true, mode: 'list', value: '' },
				destination: { __rl: true, mode: 'id', value: o.destination },
				createDestination: o.createDestination,
				destinationHardware: 'cpu',
				inputMode: 'fields',
				inputFields: { mappingMode: 'defineBelow', value: { trigger_word: 'ZQX', steps: 10 } },
				binaryInputs: { files: [{ input: 'input_images', binaryProperty: 'data' }] },
				secretInputs: { values: [{ name: 'hf_token', value: SECRET }] },
				waitMode: o.waitMode,
				options: { maxPollInterval: 1 },
			}),
			credentials,
		},
		{
			...node('05', 'Generate', '@n8n-nodes-replicate/n8n-nodes-replicate.replicate', 1.1, {
				resource: 'prediction',
				operation: 'run',
				runTarget: 'model',
				model: { __rl: true, mode: 'id', value: '={{ $json.version_ref }}' },
				version: { __rl: true, mode: 'list', value: '' },
				inputMode: 'fields',
				inputFields: { mappingMode: 'defineBelow', value: { prompt: 'ZQX on the moon' } },
				options: {},
			}),
			credentials,
		},
	];
	const chain = ['Start', 'Training Images', 'Zip', 'Fine-Tune', 'Generate'];
	const connections = Object.fromEntries(
		chain
			.slice(0, -1)
			.map((from, i) => [from, { main: [[{ node: chain[i + 1], type: 'main', index: 0 }]] }]),
	);
	return {
		id: o.id,
		name: `E2E: fine-tune (${o.waitMode})`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes,
		connections,
	};
}

/** The Fine-Tune and Generate outputs of a finished run: the trained version ran, an image came out. */
function checkTrainedAndRan(train: ExecutionItem | undefined, gen: ExecutionItem | undefined) {
	check(
		train?.json.status === 'succeeded',
		`training: ${JSON.stringify(train?.json).slice(0, 400)}`,
	);
	const ref = String(train.json.version_ref ?? '');
	check(VERSION_REF.test(ref), `version_ref ${ref}`);
	check(
		(train.json.input as Record<string, unknown>).hf_token === '[secret]',
		`hf_token in the output: ${JSON.stringify(train.json.input)}`,
	);
	check(gen?.json.status === 'succeeded', `run: ${JSON.stringify(gen?.json).slice(0, 400)}`);
	check(
		gen.json.version === ref.split(':')[1],
		`ran version ${String(gen.json.version)}, not ${ref}`,
	);
	check(gen.binary?.data?.mimeType === 'image/png', 'no image from the trained version');
}

export default async function ({ host, emu, work, scenario }: E2EContext) {
	const createModel = (name: string) =>
		fetch(`${emu.baseUrl}/models`, {
			method: 'POST',
			headers: { authorization: `Bearer ${emu.token}`, 'content-type': 'application/json' },
			body: JSON.stringify({ owner: 'emulator', name, visibility: 'private', hardware: 'cpu' }),
		});

	await scenario(
		'the example: images → Compression (zip) → Training (wait) → Run of the trained version → image',
		async () => {
			check((await createModel('e2e-lora')).status === 201, 'destination not created');
			const wf = exampleWorkflow();
			await importWorkflow(host, work, wf);
			const r = await execute(host, wf.id);
			check(
				r.code === 0 && r.run?.status === 'success',
				`execution failed: ${r.run?.data.resultData.error?.message ?? r.raw.slice(-1500)}`,
			);
			checkTrainedAndRan(nodeItems(r, 'Fine-Tune')[0], nodeItems(r, 'Generate With Your Model')[0]);
			const upload = emu.requests('files.create').at(-1);
			check(upload?.status === 201, 'the zip was not uploaded with the Files API');
			const t = [...emu.store.trainings.values()].at(-1)!;
			check(String(t.obj.logs).includes('Found 3 images'), `training logs: ${String(t.obj.logs)}`);
			check(!r.raw.includes(SECRET), 'the secret input appears in the output or logs');
		},
	);

	await scenario(
		'a missing destination is created once with "Create Destination If Missing", then trained',
		async () => {
			const creates = () => emu.requests('models.create').length;
			const before = creates();
			const wf = trainingWorkflow({
				id: 'wfReplTrainNew01',
				start: 'manual',
				waitMode: 'poll',
				destination: 'emulator/e2e-created-lora',
				createDestination: true,
			});
			await importWorkflow(host, work, wf);
			const r = await execute(host, wf.id);
			check(
				r.code === 0 && r.run?.status === 'success',
				`execution failed: ${r.run?.data.resultData.error?.message ?? r.raw.slice(-1500)}`,
			);
			check(creates() === before + 1, `models.create sent ${creates() - before} times`);
			const model = emu.store.models.get('emulator/e2e-created-lora');
			check(model?.hardware === 'cpu' && model.versions.length === 1, 'destination not trained');
			checkTrainedAndRan(nodeItems(r, 'Fine-Tune')[0], nodeItems(r, 'Generate')[0]);
		},
	);

	let server: Started | undefined;
	const base = `http://127.0.0.1:${host.port}`;
	try {
		await scenario(
			'n8n starts with the fine-tune (webhook) and training trigger workflows',
			async () => {
				check((await createModel('e2e-lora-hook')).status === 201, 'destination not created');
				await importWorkflow(
					host,
					work,
					trainingWorkflow({
						id: 'wfReplTrainHook1',
						start: 'webhook',
						waitMode: 'webhook',
						destination: 'emulator/e2e-lora-hook',
						createDestination: false,
					}),
				);
				const triggerWorkflow = {
					id: 'wfReplTrainTrig1',
					name: 'E2E: Replicate Trigger on trainings',
					active: false,
					settings: { executionOrder: 'v1' },
					nodes: [
						{
							...node(
								'01',
								'Replicate Trigger',
								'@n8n-nodes-replicate/n8n-nodes-replicate.replicateTrigger',
								1,
								{
									kinds: ['training'],
									events: ['completed'],
									statuses: ['succeeded', 'failed', 'canceled', 'aborted'],
									options: {},
								},
							),
							webhookId: 'e2e-replicate-training-trigger',
							credentials,
						},
					],
					connections: {},
				};
				await importWorkflow(host, work, triggerWorkflow);
				for (const id of ['wfReplTrainHook1', 'wfReplTrainTrig1']) {
					const r = await n8n(host, ['publish:workflow', `--id=${id}`]);
					check(r.code === 0, `publish ${id}: ${r.stderr}`);
				}
				server = await start(host, join(work, 'n8n-start-training.log'));
			},
		);
		if (!server) return;
		const key = await apiKey(host);
		const executions = (id: string) => listExecutions(base, key, id, { limit: 50 });

		await scenario(
			'the same with "Wait for Webhook": suspended, resumed by the training\'s signed webhook',
			async () => {
				const res = await fetch(`${base}/webhook/e2e-start-wfReplTrainHook1`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: '{}',
				});
				check(res.status === 200, `start webhook answered ${res.status}`);
				const done = await until(
					async () =>
						(await executions('wfReplTrainHook1')).find(
							(e) => e.status !== 'waiting' && e.status !== 'running' && e.status !== 'new',
						),
					90_000,
				);
				check(done.status === 'success', `execution ${done.status}`);
				const runData = done.data!.resultData.runData;
				const train = runData['Fine-Tune'].at(-1)!.data!.main[0][0];
				checkTrainedAndRan(train, runData.Generate[0].data!.main[0][0]);
				const t = emu.store.trainings.get(String(train.json.id))!;
				check(
					String(t.obj.webhook).includes(`/webhook-waiting/${done.id}/`),
					`training webhook ${String(t.obj.webhook)}`,
				);
				const polls = emu.requests('trainings.get').filter((l) => l.path.endsWith(`/${t.obj.id}`));
				check(polls.length <= 1, `the waiting execution polled ${polls.length} times`);
			},
		);

		await scenario(
			"a training's completion starts the trigger (trainings only); a prediction's does not",
			async () => {
				const trigger = `${base}/webhook/e2e-replicate-training-trigger/webhook`;
				const version = emu.store.models.get('emulator/trainable')!.versions[0].id;
				const headers = {
					authorization: `Bearer ${emu.token}`,
					'content-type': 'application/json',
				};
				const t = await fetch(
					`${emu.baseUrl}/models/emulator/trainable/versions/${version}/trainings`,
					{
						method: 'POST',
						headers,
						body: JSON.stringify({
							destination: 'emulator/e2e-lora',
							input: { steps: 1 },
							webhook: trigger,
						}),
					},
				);
				const training = (await t.json()) as { id: string };
				await fetch(`${emu.baseUrl}/models/emulator/flux-lite/predictions`, {
					method: 'POST',
					headers,
					body: JSON.stringify({
						input: { prompt: 'x' },
						webhook: trigger,
						webhook_events_filter: ['completed'],
					}),
				});
				const run = await until(async () =>
					(await executions('wfReplTrainTrig1')).find((e) => e.status === 'success'),
				);
				await new Promise((r) => setTimeout(r, 2000)); // the prediction's delivery has come by now
				const all = await executions('wfReplTrainTrig1');
				check(all.length === 1, `expected 1 execution, got ${all.length}`);
				const item = run.data!.resultData.runData['Replicate Trigger'][0].data!.main[0][0];
				check(item.json.id === training.id, `trigger got ${String(item.json.id)}`);
				check(
					VERSION_REF.test(String(item.json.version_ref)),
					`version_ref ${String(item.json.version_ref)}`,
				);
			},
		);
	} finally {
		await server?.stop();
	}
}
