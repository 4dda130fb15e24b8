// The prediction lifecycle (nodes/common/lifecycle/wait.ts) against the emulator, through a real
// n8n-core context: one behaviour per test — the tagged outcomes, the deadline, a stop, the poll
// schedule, and the resource path (predictions or trainings).
import { cancelPrediction, getPrediction } from '../../../nodes/common/lifecycle/predictions';
import { pollDelay, type PollSchedule } from '../../../nodes/common/lifecycle/schedule';
import { run, start, waitFor, type Job } from '../../../nodes/common/lifecycle/wait';
import { resolveModel } from '../../../nodes/common/models/targets';
import * as transport from '../../../nodes/common/transport';
import { replicateCredentials } from '../../harness/n8n';
import { supplyContext } from '../../harness/supply';
import { until, useEmulator } from '../../helpers/emulator';

const TOKEN = 'r8_lifecycle_test_token_0123456789';
const emu = useEmulator({ token: TOKEN });

/** A fast schedule: these tests are about what happens, not how often. */
const QUICK: PollSchedule = { firstMs: 20, maxMs: 100 };

function job(o: Partial<Job> = {}): Job {
	const { ctx } = supplyContext({
		parameters: {},
		credentials: replicateCredentials(emu.emu.baseUrl, TOKEN),
	});
	return { ctx, itemIndex: 0, signal: new AbortController().signal, cancelOnTimeout: true, ...o };
}

/** How to create a prediction of an emulator model (its latest version). */
async function createOf(name: string, input: Record<string, unknown>) {
	const t = await resolveModel(job().ctx, { owner: 'emulator', name }, 0);
	return { path: t.createPath, body: t.version ? { version: t.version, input } : { input } };
}
const sleepFor = (seconds: number) => createOf('sleep', { seconds });

const runOf = (id: string) => emu.emu.store.predictions.get(id)!;

test('a prediction that succeeds ends as "succeeded" with its final state', async () => {
	const outcome = await run(job(), {
		...(await sleepFor(0.05)),
		timeoutMs: 30_000,
		schedule: () => QUICK,
	});
	expect(outcome.status).toBe('succeeded');
	expect(outcome.prediction.status).toBe('succeeded');
	expect(runOf(outcome.prediction.id).status).toBe('succeeded');
});

test('a prediction that fails ends as "failed" with its error text and the tail of its logs', async () => {
	const outcome = await run(job(), {
		...(await createOf('chat-fails', { prompt: 'hi' })),
		timeoutMs: 30_000,
		schedule: () => QUICK,
	});
	expect(outcome).toMatchObject({
		status: 'failed',
		error: 'CUDA out of memory. Tried to allocate 2.00 GiB',
	});
	expect(outcome.status === 'failed' && outcome.logsTail).toMatch(/OutOfMemoryError/);
});

test('a prediction canceled on Replicate (not by this wait) ends as "canceled"', async () => {
	const j = job();
	const { prediction, deadline } = await start(j, await sleepFor(3600), 30_000);
	const waiting = waitFor(j, prediction, { deadline, schedule: QUICK });
	emu.emu.store.stop(runOf(prediction.id), 'canceled');
	const outcome = await waiting;
	expect(outcome.status).toBe('canceled');
});

test('at the deadline a running prediction is canceled on Replicate and the outcome is "timedOut"', async () => {
	const outcome = await run(job(), {
		...(await sleepFor(3600)),
		timeoutMs: 300,
		schedule: () => QUICK,
	});
	expect(outcome).toMatchObject({ status: 'timedOut', canceled: true });
	expect(runOf(outcome.prediction.id).status).toBe('canceled');
});

test('with cancelOnTimeout off, a prediction running at the deadline is left running', async () => {
	const outcome = await run(job({ cancelOnTimeout: false }), {
		...(await sleepFor(3600)),
		timeoutMs: 300,
		schedule: () => QUICK,
	});
	expect(outcome).toMatchObject({ status: 'timedOut', canceled: false });
	const left = runOf(outcome.prediction.id);
	expect(left.terminal).toBe(false);
	emu.emu.store.stop(left, 'canceled');
});

test('a stop while waiting cancels the prediction on Replicate and fails with "Stopped; … canceled"', async () => {
	const stop = new AbortController();
	const j = job({ signal: stop.signal });
	const { prediction, deadline } = await start(j, await sleepFor(3600), 30_000);
	const reads = emu.emu.requests('predictions.get').length;
	const waiting = waitFor(j, prediction, { deadline, schedule: QUICK }).catch((e: Error) => e);
	await until(() => emu.emu.requests('predictions.get').length > reads);
	stop.abort();
	expect(((await waiting) as Error).message).toBe(
		`Stopped; prediction ${prediction.id} was canceled on Replicate`,
	);
	expect(runOf(prediction.id).status).toBe('canceled');
});

test('a stop before the create sends nothing', async () => {
	const stop = new AbortController();
	stop.abort();
	const before = emu.emu.log.length;
	await expect(start(job({ signal: stop.signal }), await sleepFor(1), 30_000)).rejects.toThrow(
		'Stopped before the prediction was created',
	);
	expect(emu.emu.log.length).toBe(before);
});

test('polls wait as the schedule says (read from the waits asked for, scaled)', async () => {
	const waits = jest.spyOn(transport, 'pause');
	const schedule: PollSchedule = { rampMs: [40, 80, 120], maxMs: 160 };
	try {
		const j = job();
		const { prediction, deadline } = await start(j, await sleepFor(3600), 30_000);
		const waiting = waitFor(j, prediction, { deadline, schedule });
		await until(() => waits.mock.calls.length >= 5);
		emu.emu.store.stop(runOf(prediction.id), 'canceled');
		await waiting;
		expect(waits.mock.calls.slice(0, 5).map(([ms]) => ms)).toEqual(
			[0, 1, 2, 3, 4].map((n) => transport.scaled(pollDelay(schedule, n))),
		);
	} finally {
		waits.mockRestore();
	}
});

test('trainings are read and canceled at /trainings/{id} (the resource path is a parameter)', async () => {
	const { ctx } = job();
	// Any id stands in: the lifecycle only chooses the path (the emulator answers 404 for it).
	const id = 'abcdefghij0123456789';
	const seen = emu.emu.log.length;
	await getPrediction(ctx, id, 0, { resource: 'trainings' }).catch(() => undefined);
	await cancelPrediction(ctx, id, 0, 'trainings').catch(() => undefined);
	expect(emu.emu.log.slice(seen).map((l) => `${l.method} ${l.path}`)).toEqual([
		`GET /v1/trainings/${id}`,
		`POST /v1/trainings/${id}/cancel`,
	]);
});
