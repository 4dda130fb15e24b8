import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, WAIT_INDEFINITELY } from 'n8n-workflow';

import { formatTraining, trainingItems } from '../../../common/files/trainingOutput';
import { isTerminal } from '../../../common/lifecycle/predictions';
import { pollSchedules } from '../../../common/lifecycle/schedule';
import { outcomeOf, start, waitFor, type Job } from '../../../common/lifecycle/wait';
import { parseOwnerName, type ModelRef } from '../../../common/models/modelRef';
import { inputSchema } from '../../../common/models/schema';
import { redactSecrets, secretsOf, type Secrets } from '../../../common/models/secrets';
import { resolveModel, versionOrLatest, type Target } from '../../../common/models/targets';
import { readJsonObject, readModelRef, readOption } from '../../../common/readers';
import { apiRequest } from '../../../common/transport';
import { callbackUrl, rememberPrediction, reserveWaitSlot } from '../../helpers/resume';
import { readWebhook } from '../locators';
import { memo, readInput } from '../prediction/input';
import { fail, maxConcurrent, readWaitSettings } from '../prediction/options';
import { outcomeItems } from '../prediction/outcome';
import { withDisplay } from '../simple';
import { jsonItems, type Batch, type Operation } from '../types';
import { createFields } from './descriptions';
import { ensureDestination, readDestination } from './destination';

const seg = encodeURIComponent;
/** Defaults of the Timeout and Max Poll Interval options for trainings (see descriptions.ts). */
const TRAINING_TIMEOUT_MS = 7200_000;
const TRAINING_MAX_POLL_MS = 30_000;

/** The trainer's version (the one named, or the latest) with its schema, once per execution. */
async function readTrainer(ctx: IExecuteFunctions, ref: ModelRef, i: number, batch: Batch) {
	return await memo(batch, `trainer:${ref.owner}/${ref.name}:${ref.version ?? ''}`, async () => {
		const target: Target = await resolveModel(ctx, ref, i);
		const version = target.version ?? (await versionOrLatest(ctx, ref, i, 'train'));
		return { ...target, version, createPath: trainingsPath(ref, version) };
	});
}

const trainingsPath = (ref: ModelRef, version: string) =>
	`/models/${seg(ref.owner)}/${seg(ref.name)}/versions/${seg(version)}/trainings`;

/** Version 1 (released): destination text, input JSON, returns the training as created. */
async function createV1(ctx: IExecuteFunctions, i: number) {
	const ref = readModelRef(ctx, i);
	const version = await versionOrLatest(ctx, ref, i, 'train');
	const destination = String(ctx.getNodeParameter('destination', i, '')).trim();
	if (!parseOwnerName(destination))
		fail(ctx, i, `The "Destination" parameter "${destination}" is not owner/name`);
	const input = readJsonObject(ctx, 'Input (JSON)', ctx.getNodeParameter('input', i, '{}'), i);
	const options = ctx.getNodeParameter('options', i, {}) as IDataObject;
	const body: IDataObject = { destination, input, ...readWebhook(ctx, options, i) };
	const res = await apiRequest(ctx, {
		method: 'POST',
		path: trainingsPath(ref, version),
		body,
		itemIndex: i,
		retry: 'create',
	});
	return jsonItems(res.body);
}

/** Training → Create: fine-tune a trainer's version into a model the user owns. */
export const create: Operation = {
	description: withDisplay('training', 'create', createFields),
	concurrency: maxConcurrent(10),
	checkInput(this: IExecuteFunctions, items) {
		if ((this.getNode().typeVersion ?? 1) < 1.1) return;
		if (this.getNodeParameter('waitMode', 0, 'poll') !== 'webhook' || items.length <= 1) return;
		throw new NodeOperationError(
			this.getNode(),
			`"Wait for Webhook" handles one item per execution (got ${items.length})`,
			{ description: 'Use "Wait for It to Finish", or run each item in its own execution.' },
		);
	},
	async execute(i, batch) {
		if ((this.getNode().typeVersion ?? 1) < 1.1) return await createV1(this, i);
		// Every check that needs no request comes first, in the same order for every wait mode.
		const waitMode = this.getNodeParameter('waitMode', i, 'poll') as string;
		const settings = readWaitSettings(this, i);
		// A training's own defaults where the option is not set: 2 hours, polls every 30 s at most, no
		// weights download.
		const unset = (name: string) => this.getNodeParameter(`options.${name}`, i, null) === null;
		if (unset('timeout')) settings.timeoutMs = TRAINING_TIMEOUT_MS;
		if (unset('maxPollInterval')) settings.maxPollMs = TRAINING_MAX_POLL_MS;
		settings.output.timeoutMs = settings.timeoutMs;
		settings.output.download =
			readOption(this, i, 'download', false) === true && !this.isToolExecution?.();
		const options = this.getNodeParameter('options', i, {}) as IDataObject;
		const hook = readWebhook(this, options, i);
		if (waitMode === 'webhook' && hook.webhook)
			fail(
				this,
				i,
				'The "Webhook URL" option cannot be used with "Wait for Webhook"',
				'"Wait for Webhook" sets the training\'s webhook to this execution\'s resume URL.',
			);
		const ref = readModelRef(this, i);
		const destination = readDestination(this, i);
		const dest = `${destination.owner}/${destination.name}`;
		const trainer = await readTrainer(this, ref, i, batch);
		const fieldsMode = this.getNodeParameter('inputMode', i, 'fields') === 'fields';
		if (fieldsMode && !inputSchema(trainer.openapi, 'training'))
			fail(
				this,
				i,
				`${ref.owner}/${ref.name} (version ${trainer.version.slice(0, 12)}…) declares no training inputs`,
				'Pick a trainer (a model whose versions accept trainings), or give the input with "Using JSON".',
			);
		const input = await readInput(this, i, trainer, 'training');
		if (batch.signal.aborted) fail(this, i, 'Stopped before the training was created');
		await ensureDestination(this, destination, i, batch);
		const secrets = secretsOf(trainer.openapi, input);
		const body: IDataObject = { destination: dest, input, ...hook };
		const job: Job = {
			ctx: this,
			itemIndex: i,
			signal: batch.signal,
			resource: 'trainings',
			cancelOnTimeout: settings.cancelOnTimeout,
		};
		if (waitMode === 'webhook')
			return await createAndSuspend(this, job, trainer.createPath, body, dest, secrets);
		const started = await start(job, { path: trainer.createPath, body }, settings.timeoutMs);
		if (waitMode === 'none')
			return [{ json: formatTraining(redactSecrets(started.prediction, secrets), true, dest) }];
		const outcome = isTerminal(started.prediction)
			? outcomeOf(started.prediction)
			: await waitFor(job, started.prediction, {
					deadline: started.deadline,
					schedule: pollSchedules.training(settings.maxPollMs),
				});
		return await outcomeItems(this, outcome, {
			itemIndex: i,
			settings,
			openapi: trainer.openapi,
			resource: 'trainings',
			secrets,
			format: (t, logs) => formatTraining(t, logs, dest),
			items: (t) => trainingItems(this, t, settings.output, i, dest),
		});
	},
};

/**
 * Wait for Webhook: the training's webhook is this execution's resume URL (completed only); the
 * execution waits until Replicate's signed delivery resumes it (helpers/resume.ts). Replicate
 * documents no deadline (Cancel-After) for trainings, so the wait has no end of its own.
 */
async function createAndSuspend(
	ctx: IExecuteFunctions,
	job: Job,
	path: string,
	body: IDataObject,
	destination: string,
	secrets: Secrets,
) {
	const webhook = callbackUrl(ctx, job.itemIndex);
	reserveWaitSlot(ctx, job.itemIndex);
	const { prediction } = await start(
		job,
		{ path, body: { ...body, webhook, webhook_events_filter: ['completed'] } },
		0,
	);
	rememberPrediction(ctx, prediction.id);
	await ctx.putExecutionToWait(WAIT_INDEFINITELY);
	// Shown while the execution waits; the resumed output replaces it.
	return [{ json: formatTraining(redactSecrets(prediction, secrets), false, destination) }];
}
