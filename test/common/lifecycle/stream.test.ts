// Waiting by stream (nodes/common/lifecycle/stream.ts) against the emulator's event streams, through a
// real n8n-core context: one behaviour per test — output then the outcome, a stream that cannot be
// opened (read by polling, the prediction never canceled), the deadline, a stop, a consumer that
// leaves, and an error event.
import type { Prediction } from '../../../nodes/common/lifecycle/predictions';
import { streamJob, type StreamEvent } from '../../../nodes/common/lifecycle/stream';
import { start, type Job } from '../../../nodes/common/lifecycle/wait';
import { resolveModel } from '../../../nodes/common/models/targets';
import { replicateCredentials } from '../../harness/n8n';
import { supplyContext } from '../../harness/supply';
import { until, useEmulator } from '../../helpers/emulator';

const TOKEN = 'r8_stream_test_token_0123456789';
const emu = useEmulator({ token: TOKEN });

function job(o: Partial<Job> = {}): Job {
	const { ctx } = supplyContext({
		parameters: {},
		credentials: replicateCredentials(emu.emu.baseUrl, TOKEN),
	});
	return { ctx, itemIndex: 0, signal: new AbortController().signal, cancelOnTimeout: true, ...o };
}

/** Creates a prediction of an emulator chat model (no sync hold, as the chat model streams). */
async function created(j: Job, name: string, input: Record<string, unknown>, timeoutMs = 30_000) {
	const t = await resolveModel(j.ctx, { owner: 'emulator', name }, 0);
	const body = t.version ? { version: t.version, input } : { input };
	return await start(j, { path: t.createPath, body }, timeoutMs);
}

const short = { prompt: 'one two three four five six' };
const long = { prompt: 'word '.repeat(300), max_tokens: 400 };

async function collect(events: AsyncIterable<StreamEvent>) {
	const all: StreamEvent[] = [];
	for await (const e of events) all.push(e);
	return all;
}

const outputs = (events: StreamEvent[]) =>
	events.flatMap((e) => (e.type === 'output' ? [e.text] : []));
const ending = (events: StreamEvent[]) => {
	const last = events[events.length - 1];
	return last?.type === 'end' ? last.outcome : undefined;
};
const runOf = (p: Prediction) => emu.emu.store.predictions.get(p.id)!;

test('the output arrives in pieces as it is written, then the outcome with the final state', async () => {
	const j = job();
	const { prediction, deadline } = await created(j, 'llama-chat', short);
	const events = await collect(streamJob(j, prediction, { deadline }));
	expect(outputs(events).length).toBeGreaterThan(3);
	const outcome = ending(events);
	expect(outcome?.status).toBe('succeeded');
	expect((outcome?.prediction.output as string[]).join('')).toBe(outputs(events).join(''));
});

test.each([404, 429, 503])(
	'a stream that answers %i is read by polling instead; the prediction is not canceled',
	async (status) => {
		emu.emu.addFault({ method: 'GET', path: '/stream/', status });
		const j = job();
		const { prediction, deadline } = await created(j, 'llama-chat', short);
		const events = await collect(streamJob(j, prediction, { deadline }));
		expect(outputs(events)).toEqual([]);
		expect(ending(events)?.status).toBe('succeeded');
		expect(runOf(prediction).status).toBe('succeeded');
		expect(emu.emu.requests('predictions.cancel')).toEqual([]);
	},
);

test('the deadline ends the stream: the prediction is canceled and the outcome is "timedOut"', async () => {
	const j = job();
	const { prediction, deadline } = await created(j, 'llama-chat', long, 400);
	const events = await collect(streamJob(j, prediction, { deadline }));
	expect(outputs(events).length).toBeGreaterThan(0);
	expect(ending(events)).toMatchObject({ status: 'timedOut', canceled: true });
	await until(() => runOf(prediction).terminal);
	expect(runOf(prediction).status).toBe('canceled');
});

test('a stop mid-stream hangs up, cancels the prediction and fails with "Stopped; … canceled"', async () => {
	const stop = new AbortController();
	const j = job({ signal: stop.signal });
	const { prediction, deadline } = await created(j, 'llama-chat', long);
	const it = streamJob(j, prediction, { deadline })[Symbol.asyncIterator]();
	expect((await it.next()).value).toMatchObject({ type: 'output' });
	stop.abort();
	const error = await (async () => {
		for (let r = await it.next(); !r.done; r = await it.next());
	})().catch((e: Error) => e);
	expect((error as Error).message).toBe(
		`Stopped; prediction ${prediction.id} was canceled on Replicate`,
	);
	await until(() => runOf(prediction).terminal);
	expect(runOf(prediction).status).toBe('canceled');
});

test('a consumer that stops reading early cancels the prediction', async () => {
	const j = job();
	const { prediction, deadline } = await created(j, 'llama-chat', long);
	for await (const e of streamJob(j, prediction, { deadline })) {
		expect(e.type).toBe('output');
		break;
	}
	await until(() => runOf(prediction).terminal);
	expect(runOf(prediction).status).toBe('canceled');
});

test('an error event ends as "failed" with the event\'s text, after the output written before it', async () => {
	const j = job();
	const { prediction, deadline } = await created(j, 'chat-fails', { prompt: 'hi' });
	const events = await collect(streamJob(j, prediction, { deadline }));
	expect(outputs(events).join('')).toBe('Let me think');
	expect(ending(events)).toMatchObject({
		status: 'failed',
		error: 'CUDA out of memory. Tried to allocate 2.00 GiB',
	});
});
