// Training → Create, "Wait for It to Finish", on a 20-minute training (the emulator's lora-trainer at
// 6000 steps, 200 ms of model time each): the requests the node makes while it waits, against what
// its poll schedule (lifecycle/schedule.ts, `training`) allows. Time-scaled like the other request
// benches: the emulator and the node's waits run `SCALE` times faster, so figures are in model time.
import { pollDelay, pollSchedules } from '../nodes/common/lifecycle/schedule';
import { timings } from '../nodes/common/transport';
import { startEmulator } from '../test/emulator';
import { replicateCredentials, runNode } from '../test/harness/n8n';
import { zip } from '../test/helpers/zip';
import { verdict } from './lib';

const SCALE = 60;
const MINUTES = 20;
const MAX_POLL_MS = 30_000; // the option's default

/** How many polls the schedule makes in `ms` of waiting (the last one at or after the end). */
function scheduled(ms: number): number {
	const schedule = pollSchedules.training(MAX_POLL_MS);
	let n = 0;
	for (let t = 0; t < ms; n++) t += pollDelay(schedule, n);
	return n;
}

export async function trainingRequests(record: (line: string) => void) {
	const emu = await startEmulator({ rateLimits: false, speed: SCALE });
	const scale = timings.scale;
	timings.scale = 1 / SCALE;
	try {
		await fetch(`${emu.baseUrl}/models`, {
			method: 'POST',
			headers: { authorization: `Bearer ${emu.token}`, 'content-type': 'application/json' },
			body: JSON.stringify({
				owner: 'emulator',
				name: 'bench-lora',
				visibility: 'private',
				hardware: 'cpu',
			}),
		});
		const images = zip([{ name: 'a.png', data: Buffer.from('a') }]);
		const from = emu.log.length;
		const { items, error } = await runNode({
			parameters: {
				resource: 'training',
				operation: 'create',
				model: { __rl: true, mode: 'id', value: 'emulator/lora-trainer' },
				version: { __rl: true, mode: 'list', value: '' },
				destination: { __rl: true, mode: 'id', value: 'emulator/bench-lora' },
				inputMode: 'fields',
				inputFields: { mappingMode: 'defineBelow', value: { steps: (MINUTES * 60_000) / 200 } },
				binaryInputs: { files: [{ input: 'input_images', binaryProperty: 'data' }] },
				waitMode: 'poll',
				options: { timeout: 2 * MINUTES * 60 },
			},
			credentials: replicateCredentials(emu.baseUrl, emu.token),
			input: [
				{
					json: {},
					binary: {
						data: {
							data: images.toString('base64'),
							mimeType: 'application/zip',
							fileName: 'i.zip',
						},
					},
				},
			],
			nodeSettings: { typeVersion: 1.1 },
		});
		if (error || items[0]?.json.status !== 'succeeded')
			throw new Error(`training bench failed: ${error?.message ?? String(items[0]?.json.status)}`);
		const log = emu.log.slice(from).filter((l) => l.server === 'api');
		const polls = log.filter((l) => l.operationId === 'trainings.get');
		const t = items[0].json;
		const ran = Date.parse(String(t.completed_at)) - Date.parse(String(t.created_at));
		const waitedMs = (polls.at(-1)!.at - polls[0].at) * SCALE;
		const allowed = scheduled(ran * SCALE) + 1;
		const perMinute = (polls.length / ((ran * SCALE) / 60_000)).toFixed(2);
		record(
			`training wait (in-process n8n-core, time-scaled ×${SCALE}: emulator and the node's waits): a ${((ran * SCALE) / 60_000).toFixed(1)}-minute training (model time) waited with ${polls.length} polls over ${(waitedMs / 60_000).toFixed(1)} min (${perMinute} a minute; ${log.length} API requests in all, the others being the lookup, the upload and the create) — goal: no more polls than the training schedule (2, 5, 10 s, then every 30 s) gives for that time, ${allowed}: ${verdict(polls.length <= allowed)}`,
		);
	} finally {
		timings.scale = scale;
		await emu.stop();
	}
}
