// Webhooks in a running n8n: the emulator delivers signed webhooks to the trigger's production URL;
// forged and stale deliveries get 401 and start nothing; a Wait-for-Webhook run is resumed by the
// emulator's signed call and finishes with the output.
import { join } from 'node:path';

import { signWebhook } from '../emulator';
import { apiKey, importWorkflow, n8n, start, type Started } from '../../tools/n8n-host';
import { getExecution, isFinished, listExecutions, until, type Execution } from './api';
import { check, fixture, type E2EContext } from './run';

export default async function ({ host, emu, work, scenario }: E2EContext) {
	let server: Started | undefined;
	const base = `http://127.0.0.1:${host.port}`;
	let key = '';
	const executions = (workflowId: string, status?: string) =>
		listExecutions(base, key, workflowId, { status, limit: 100 });

	try {
		await scenario(
			'n8n starts with the trigger and the wait-for-webhook workflows published',
			async () => {
				await importWorkflow(host, work, fixture('trigger.workflow.json'));
				await importWorkflow(host, work, fixture('wait-webhook.workflow.json'));
				await importWorkflow(host, work, fixture('wait-webhook-deadline.workflow.json'));
				for (const id of ['wfReplTrigger001', 'wfReplWaitHook01', 'wfReplWaitDead01']) {
					const r = await n8n(host, ['publish:workflow', `--id=${id}`]);
					check(r.code === 0, `publish ${id}: ${r.stderr}`);
				}
				server = await start(host, join(work, 'n8n-start.log'));
				key = await apiKey(host);
				check(key.length > 10, 'no API key');
			},
		);
		if (!server) return;
		const triggerUrl = `${base}/webhook/e2e-replicate-trigger/webhook`;

		await scenario(
			"Replicate's signed webhooks start the trigger workflow once per prediction, with the data and binary",
			async () => {
				const ids: string[] = [];
				for (const prompt of ['one', 'two']) {
					const res = await fetch(`${emu.baseUrl}/models/emulator/flux-lite/predictions`, {
						method: 'POST',
						headers: { authorization: `Bearer ${emu.token}`, 'content-type': 'application/json' },
						body: JSON.stringify({
							input: { prompt, num_outputs: 1 },
							webhook: triggerUrl,
							webhook_events_filter: ['start', 'completed'],
						}),
					});
					ids.push(((await res.json()) as { id: string }).id);
				}
				const runs = await until(async () => {
					const list = (await executions('wfReplTrigger001')).filter((e) => e.status === 'success');
					return list.length >= 2 ? list : undefined;
				});
				await new Promise((r) => setTimeout(r, 1500)); // any stray extra execution would show up now
				const all = await executions('wfReplTrigger001');
				check(
					all.length === 2,
					`expected 2 executions (start events filtered out), got ${all.length}`,
				);
				const seen = runs.map(
					(e) => e.data!.resultData.runData['Replicate Trigger'][0].data!.main[0][0],
				);
				check(
					ids.every((id) => seen.some((s) => s.json.id === id)),
					'executions do not carry the predictions',
				);
				check(
					seen.every(
						(s) => s.json.status === 'succeeded' && s.binary?.data?.mimeType === 'image/png',
					),
					'status or binary missing',
				);
				const deliveries = emu.store.webhookDeliveries.filter((d) => ids.includes(d.runId));
				// Replicate retries an attempt that timed out (a loaded machine); the last attempt of each completed
				// delivery must be accepted, and the retries started nothing more (2 executions above).
				const lastAttempts = new Map(
					deliveries.filter((d) => d.event === 'completed').map((d) => [d.messageId, d]),
				);
				check(
					lastAttempts.size === 2 && [...lastAttempts.values()].every((d) => d.status === 200),
					`deliveries: ${JSON.stringify(deliveries.map((d) => [d.event, d.attempt, d.status]))}`,
				);
			},
		);

		await scenario('forged and stale deliveries get 401 and start no execution', async () => {
			const before = (await executions('wfReplTrigger001')).length;
			const body = JSON.stringify({
				id: 'forgedprediction0000000000',
				status: 'succeeded',
				output: 'x',
			});
			const post = (headers: Record<string, string>) =>
				fetch(triggerUrl, {
					method: 'POST',
					headers: { 'content-type': 'application/json', ...headers },
					body,
				});
			const now = Math.floor(Date.now() / 1000);
			const forged = await post({
				'webhook-id': 'msg_forged',
				'webhook-timestamp': String(now),
				'webhook-signature': signWebhook(
					'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
					'msg_forged',
					now,
					body,
				),
			});
			const stale = await post({
				'webhook-id': 'msg_stale',
				'webhook-timestamp': String(now - 3600),
				'webhook-signature': signWebhook(emu.options.webhookSecret, 'msg_stale', now - 3600, body),
			});
			const unsigned = await post({});
			check(
				[forged.status, stale.status, unsigned.status].every((s) => s === 401),
				`statuses ${forged.status} ${stale.status} ${unsigned.status}`,
			);
			await new Promise((r) => setTimeout(r, 1500));
			check(
				(await executions('wfReplTrigger001')).length === before,
				'a rejected delivery started an execution',
			);
		});

		await scenario(
			'a Run in "Wait for Webhook" mode suspends, is resumed by the emulator\'s signed call, and finishes with the output',
			async () => {
				const res = await fetch(`${base}/webhook/e2e-start-wait-run`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: '{}',
				});
				check(res.status === 200, `start webhook answered ${res.status}`);
				const diag = async () =>
					`executions ${JSON.stringify((await executions('wfReplWaitHook01')).map((e) => [e.id, e.status]))}; deliveries ${JSON.stringify(emu.store.webhookDeliveries.slice(-6).map((d) => [d.event, d.status, d.error, d.url.slice(0, 80)]))}; predictions ${JSON.stringify([...emu.store.predictions.values()].slice(-2).map((p) => [p.status, p.obj.webhook]))}`;
				const done = await until(
					async () => (await executions('wfReplWaitHook01')).find((e) => e.status === 'success'),
					90_000,
				).catch(async () => {
					throw new Error(`never finished: ${await diag()}`);
				});
				const pred = [...emu.store.predictions.values()].find((p) =>
					String(p.obj.webhook ?? '').includes(`/webhook-waiting/${done.id}/`),
				);
				check(pred, "no prediction with this execution's resume URL as its webhook");
				// Suspended, not finished in the sync hold: the create answered well before the prediction completed…
				const create = emu
					.requests()
					.find(
						(l) =>
							/predictions\.create$/.test(l.operationId ?? '') &&
							l.at + l.ms < Date.parse(String(pred!.obj.completed_at)) - 5000,
					);
				check(create, 'the create request did not return before the prediction completed');
				// …and n8n's waiting-webhook endpoint (409 for executions that are not waiting) accepted the signed call.
				const resumeCalls = emu.store.webhookDeliveries.filter((d) => d.runId === pred!.obj.id);
				check(
					resumeCalls.some((d) => d.status === 200),
					`resume deliveries: ${JSON.stringify(resumeCalls.map((d) => d.status))}`,
				);
				const out = done.data!.resultData.runData['Long Run'].at(-1)!.data!.main[0][0];
				check(
					out.json.status === 'succeeded' && out.json.id === pred.obj.id,
					`output ${JSON.stringify(out.json).slice(0, 300)}`,
				);
				check(out.binary?.data?.mimeType === 'image/png', 'no image in the resumed output');
				const next = done.data!.resultData.runData.After?.[0]?.data?.main[0][0];
				check(
					next?.json.id === pred.obj.id,
					`the next node got ${JSON.stringify(next?.json).slice(0, 200)}`,
				);
				// The prediction's webhook is the execution's resume URL (with n8n's resume token from 2.16 on)
				// plus the node id; the emulator's deliveries carry no webhook field (Replicate's documented body).
				const hook = new URL(String(pred!.obj.webhook));
				check(
					hook.pathname === `/webhook-waiting/${done.id}/7a1f0c7e-0006-4000-8000-000000000002`,
					`webhook ${hook.pathname}`,
				);
				process.stdout.write(
					`  resume URL query: ${hook.search ? 'signature=<resume token>' : '(none)'}\n`,
				);
				// Other scenario files share this emulator: count only this prediction's GETs (the resume's one).
				const polls = emu
					.requests('predictions.get')
					.filter((l) => l.path.endsWith(`/predictions/${String(pred.obj.id)}`)).length;
				check(polls <= 1, `the waiting execution polled ${polls} times`);
			},
		);

		const startDeadlineRun = async () => {
			const known = new Set([...emu.store.predictions.values()].map((p) => String(p.obj.id)));
			const res = await fetch(`${base}/webhook/e2e-start-wait-deadline`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: '{}',
			});
			check(res.status === 200, `start webhook answered ${res.status}`);
			// The execution is found through the resume URL the node gave Replicate: n8n 2.8's public API
			// does not list waiting executions, while GET /executions/{id} answers for them.
			const pred = await until(
				async () =>
					[...emu.store.predictions.values()].find(
						(p) =>
							!known.has(String(p.obj.id)) &&
							/\/webhook-waiting\/\d+\//.test(String(p.obj.webhook ?? '')),
					),
				180_000,
			);
			const id = /\/webhook-waiting\/(\d+)\//.exec(String(pred.obj.webhook))![1];
			const waiting = await until(() => execution(id), 60_000);
			return { waiting, pred };
		};
		const execution = (id: string) => getExecution(base, key, id);
		const afterItem = (e: Execution) => e.data?.resultData.runData.After?.[0]?.data?.main[0][0];

		await scenario(
			"a prediction that outlives the Timeout: Replicate's canceled webhook resumes the run, and the next node gets the prediction with an error, not the input",
			async () => {
				const { waiting, pred } = await startDeadlineRun();
				const done = await until(async () => {
					const e = await execution(waiting.id);
					return isFinished(e) ? e : undefined;
				}, 180_000);
				check(pred.obj.status === 'canceled', `prediction ${pred.obj.status}`);
				const item = afterItem(done);
				check(
					item?.json.id === pred.obj.id && item?.json.status === 'canceled',
					`${done.status}; next node got ${String(JSON.stringify(item?.json)).slice(0, 300)}`,
				);
				check(
					item?.json.error === `Prediction ${pred.obj.id} was canceled`,
					`error field: ${String(item?.json.error)}`,
				);
			},
		);

		await scenario(
			'a callback that never arrives: the run stays waiting past the deadline and every retry (no success with the input item); a late signed delivery resumes it with the error',
			async () => {
				emu.options.webhookUnreachable = true;
				let late: { waiting: Execution; pred: { obj: Record<string, unknown> } };
				try {
					late = await startDeadlineRun();
					const { pred } = late;
					// Replicate ends the prediction at its deadline and gives up after its retries.
					await until(async () => {
						const tries = emu.store.webhookDeliveries.filter((d) => d.runId === pred.obj.id);
						return pred.obj.status === 'canceled' &&
							tries.length > emu.options.webhookRetryDelaysMs.length
							? tries
							: undefined;
					}, 180_000);
				} finally {
					emu.options.webhookUnreachable = false;
				}
				await new Promise((r) => setTimeout(r, 3000));
				const still = await until(() => execution(late.waiting.id));
				check(
					still.status === 'waiting',
					`status ${still.status}; next node got ${JSON.stringify(afterItem(still)?.json ?? null).slice(0, 200)}`,
				);
				const waitTill = Date.parse(String(still.waitTill));
				check(
					waitTill > Date.now() + 365 * 24 * 3600_000,
					`the wait would end at ${still.waitTill}, and n8n would pass the input on`,
				);
				// A delivery arriving later still resumes it (signed as Replicate signs; the documented body).
				const body = emu.store.deliveryBody(late.pred as never);
				const id = `msg_late_${late.pred.obj.id}`;
				const ts = Math.floor(Date.now() / 1000);
				const res = await fetch(String(late.pred.obj.webhook), {
					method: 'POST',
					headers: {
						'content-type': 'application/json',
						'webhook-id': id,
						'webhook-timestamp': String(ts),
						'webhook-signature': signWebhook(emu.options.webhookSecret, id, ts, body),
					},
					body,
				});
				check(res.status === 200, `late delivery answered ${res.status}: ${await res.text()}`);
				const done = await until(async () => {
					const e = await execution(late.waiting.id);
					return isFinished(e) ? e : undefined;
				}, 30_000);
				const item = afterItem(done);
				check(
					item?.json.status === 'canceled' &&
						item.json.error === `Prediction ${late.pred.obj.id} was canceled`,
					`${done.status}; next node got ${String(JSON.stringify(item?.json)).slice(0, 300)}`,
				);
			},
		);
	} finally {
		await server?.stop();
	}
}
