// A "Wait for Webhook" run suspended on the oldest n8n of the matrix (2.8.4, no resume token) resumes
// after the instance is upgraded to the newest (2.41.1, which checks resume tokens where they exist):
// same user folder and database, same port, Replicate's signed delivery arriving after the upgrade.
// Run: npx tsx test/e2e/upgrade-resume.ts (after npm run build; ports $E2E_PORT_BASE + 5 and + 7).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { signWebhook, startEmulator } from '../emulator';
import {
	apiKey,
	createHost,
	ensureN8n,
	importCredentials,
	importWorkflow,
	n8n,
	N8N_NEWEST,
	N8N_OLDEST,
	portBase,
	start,
	type Host,
	workDir,
} from '../../tools/n8n-host';
import { check, getExecution, isFinished, until } from './api';

const fixture = (name: string) =>
	JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8')) as { id: string };

async function main() {
	ensureN8n(N8N_OLDEST);
	ensureN8n(N8N_NEWEST);
	const work = workDir('upgrade');
	const port = portBase() + 5;
	const emu = await startEmulator({ speed: 5, rateLimits: false });
	const old = createHost(work, { target: N8N_OLDEST, port });
	// The newer n8n on the same user folder (database, encryption key, installed package) and port.
	const fresh = createHost(join(work, 'newer'), { target: N8N_NEWEST, port });
	const upgraded: Host = {
		...fresh,
		userFolder: old.userFolder,
		env: { ...fresh.env, N8N_USER_FOLDER: old.userFolder },
	};
	const base = `http://127.0.0.1:${port}`;
	try {
		await importCredentials(old, work, [
			{
				id: 'replCredE2E00001',
				name: 'Replicate (emulator)',
				type: 'replicateApi',
				data: {
					apiToken: emu.token,
					baseUrl: emu.baseUrl,
					webhookSecret: emu.options.webhookSecret,
				},
			},
		]);
		await importWorkflow(old, work, fixture('wait-webhook.workflow.json'));
		const pub = await n8n(old, ['publish:workflow', '--id=wfReplWaitHook01']);
		check(pub.code === 0, `publish: ${pub.stderr}`);

		// 1. Suspend on the old version. Deliveries fail meanwhile (n8n is being upgraded).
		emu.options.webhookUnreachable = true;
		let server = await start(old, join(work, 'n8n-old.log'));
		const key = await apiKey(old);
		// The execution is found through the resume URL the node gave Replicate: n8n 2.8's public API does not
		// list waiting executions, while GET /executions/{id} answers for them (on both versions).
		const one = (id: string) => getExecution(base, key, id);
		const res = await fetch(`${base}/webhook/e2e-start-wait-run`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{}',
		});
		check(res.status === 200, `start webhook answered ${res.status}`);
		const pred = await until(
			async () =>
				[...emu.store.predictions.values()].find((p) =>
					/\/webhook-waiting\/\d+\//.test(String(p.obj.webhook ?? '')),
				),
			300_000,
		).catch((e: Error) => {
			const preds = [...emu.store.predictions.values()].map((p) => [
				p.status,
				String(p.obj.webhook ?? ''),
			]);
			throw new Error(`${e.message}: predictions ${JSON.stringify(preds)}`);
		});
		const executionId = /\/webhook-waiting\/(\d+)\//.exec(String(pred.obj.webhook))![1];
		const waiting = await until(async () => {
			const e = await one(executionId);
			return e?.status === 'waiting' ? e : undefined;
		}, 120_000);
		check(
			!new URL(String(pred.obj.webhook)).search,
			`the old version's resume URL has a query: ${String(pred.obj.webhook)}`,
		);
		await until(async () => (pred.terminal ? true : undefined), 300_000);
		await server.stop();
		process.stdout.write(
			`suspended on n8n ${N8N_OLDEST.n8n}: execution ${waiting.id}, prediction ${String(pred.obj.id)} ${String(pred.obj.status)}\n`,
		);

		// 2. Upgrade: the newer n8n migrates the database and starts on the same port.
		emu.options.webhookUnreachable = false;
		server = await start(upgraded, join(work, 'n8n-new.log'));
		try {
			const still = await until(async () => await one(waiting.id), 120_000);
			check(still.status === 'waiting', `after the upgrade the execution is ${still.status}`);
			// 3. Replicate's (late) signed delivery to the URL the prediction was created with.
			const body = emu.store.deliveryBody(pred as never);
			const id = `msg_upgrade_${String(pred.obj.id)}`;
			const ts = Math.floor(Date.now() / 1000);
			const hook = await fetch(String(pred.obj.webhook), {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					'webhook-id': id,
					'webhook-timestamp': String(ts),
					'webhook-signature': signWebhook(emu.options.webhookSecret, id, ts, body),
				},
				body,
			});
			check(
				hook.status === 200,
				`the delivery after the upgrade got ${hook.status}: ${await hook.text()}`,
			);
			const done = await until(async () => {
				const e = await one(waiting.id);
				return isFinished(e) ? e : undefined;
			}, 300_000);
			const out = done.data?.resultData.runData.After?.[0]?.data?.main[0][0];
			check(
				done.status === 'success' &&
					out?.json.id === pred.obj.id &&
					out?.json.status === 'succeeded',
				`${done.status}: ${String(JSON.stringify(out?.json)).slice(0, 300)}; nodes ${Object.keys(done.data?.resultData.runData ?? {}).join(', ')}`,
			);
			process.stdout.write(
				`PASS resumed on n8n ${N8N_NEWEST.n8n}: execution ${done.id} ${done.status}, next node got prediction ${String(out?.json.id)}\n`,
			);
		} finally {
			await server.stop();
		}
	} finally {
		await emu.stop();
	}
}

void main().then(
	() => process.exit(0),
	(e) => {
		process.stdout.write(`FAIL ${(e as Error).message}\n`);
		process.exit(1);
	},
);
