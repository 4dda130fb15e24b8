// The logic Run, Create and Wait share: reading and checking inputs (before anything is sent),
// reading options, waiting with remote cancel, and turning a finished prediction into items.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	assertUploadable,
	binaryInfo,
	dataUri,
	DATA_URI_MAX_BYTES,
	uploadBinary,
	type BinaryInfo,
} from '../../../shared/files/files';
import { readDeploymentRef, readModelRef } from '../../../shared/models/modelRef';
import {
	formatPrediction,
	outputOptions,
	predictionItems,
	type OutputOptions,
} from '../../../shared/files/output';
import {
	cancelPrediction,
	isTerminal,
	pollPrediction,
	type Prediction,
	type WaitOptions,
} from '../../../shared/lifecycle/predictions';
import { inputSchema, prepareInput } from '../../../shared/models/schema';
import { numberFrom, readJsonObject } from '../../../shared/readers';
import {
	resolveDeployment,
	resolveModel,
	schemaOfPrediction as predictionSchema,
	type Target,
} from '../../../shared/models/targets';
import type { Batch } from '../types';

export const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;

export function memo<T>(batch: Batch, key: string, fn: () => Promise<T>): Promise<T> {
	let p = batch.memo.get(key) as Promise<T> | undefined;
	if (!p) {
		p = fn();
		batch.memo.set(key, p);
		p.catch(() => batch.memo.delete(key));
	}
	return p;
}

export function option<T>(ctx: IExecuteFunctions, i: number, name: string, fallback: T): T {
	return (ctx.getNodeParameter(`options.${name}`, i, fallback) as T) ?? fallback;
}

/** Why a binary property name cannot be used, or undefined when it can. */
export function binaryPropertyProblem(name: string): string | undefined {
	if (!/^[A-Za-z_][\w-]*$/.test(name)) return 'is not a valid property name';
	if (
		['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf'].includes(
			name,
		)
	)
		return 'is a reserved name';
	return undefined;
}

/**
 * Max Concurrent Predictions (Run, Create, Wait): the user's limit, a whole number from 1 to `max`,
 * or a clear error. Without the option, node version 1 runs at most `v1Default` items at a time;
 * from version 1.1 there is no fixed limit, since the transport paces creates and reads by
 * Replicate's rate limits (transport/pacing.ts).
 */
export function maxConcurrent(v1Default: number, max = 500) {
	return function (this: IExecuteFunctions): number {
		const raw = this.getNodeParameter('options.maxConcurrency', 0, null) as unknown;
		if (raw === null || raw === undefined)
			return (this.getNode().typeVersion ?? 1) >= 1.1 ? Number.POSITIVE_INFINITY : v1Default;
		const n = numberFrom(raw);
		if (!Number.isInteger(n) || n < 1 || n > max) {
			throw new NodeOperationError(
				this.getNode(),
				`The "Max Concurrent Predictions" option must be a whole number from 1 to ${max} (got ${JSON.stringify(raw)})`,
				{ itemIndex: 0 },
			);
		}
		return n;
	};
}

function fail(ctx: IExecuteFunctions, i: number, message: string, description?: string): never {
	throw new NodeOperationError(ctx.getNode(), message, {
		itemIndex: i,
		description,
	});
}

/** The model, version or deployment of this item, resolved once per execution. */
export async function readTarget(ctx: IExecuteFunctions, i: number, batch: Batch): Promise<Target> {
	const kind = ctx.getNodeParameter('runTarget', i, 'model') as string;
	if (kind === 'deployment') {
		const d = readDeploymentRef(ctx, i);
		return await memo(batch, `deployment:${d.owner}/${d.name}`, () =>
			resolveDeployment(ctx, d.owner, d.name, i),
		);
	}
	const ref = readModelRef(ctx, i);
	return await memo(batch, `model:${ref.owner}/${ref.name}:${ref.version ?? ''}`, () =>
		resolveModel(ctx, ref, i),
	);
}

function parseJsonInput(ctx: IExecuteFunctions, i: number): IDataObject {
	const raw = ctx.getNodeParameter('inputJson', i, '{}');
	return readJsonObject(ctx, 'Input (JSON)', raw, i, '{"prompt": "a cat"}');
}

/**
 * The model input of item `i`: fields or JSON, plus binary inputs, checked against the schema.
 * Everything that can be checked locally is checked before any upload or prediction.
 */
export async function readInput(
	ctx: IExecuteFunctions,
	i: number,
	target: Target,
): Promise<IDataObject> {
	const mode = ctx.getNodeParameter('inputMode', i, 'fields') as string;
	const raw: IDataObject =
		mode === 'json'
			? parseJsonInput(ctx, i)
			: { ...((ctx.getNodeParameter('inputFields.value', i, {}) as IDataObject | null) ?? {}) };
	const schema = inputSchema(target.openapi);
	const files = ((ctx.getNodeParameter('binaryInputs.files', i, []) as IDataObject[]) ?? []).map(
		(f) => ({
			input: String(f.input ?? '').trim(),
			property: String(f.binaryProperty ?? '').trim(),
		}),
	);
	const infos: Array<{ input: string; property: string; info: BinaryInfo }> = [];
	for (const f of files) {
		if (!f.input) fail(ctx, i, 'A Binary Inputs entry has an empty "Input Name"');
		if (schema && !schema.properties[f.input]) {
			fail(
				ctx,
				i,
				`Binary Inputs: the model has no input "${f.input}"`,
				`Valid inputs: ${schema.order.join(', ')}`,
			);
		}
		const info = await binaryInfo(ctx, i, f.property, 'Input Binary Field');
		assertUploadable(ctx, info, i, f.property);
		infos.push({ ...f, info });
	}
	const fileFields = [...new Set(infos.map((f) => f.input))];
	for (const field of fileFields)
		raw[field] =
			schema?.properties[field]?.type === 'array' ? ['data:,placeholder'] : 'data:,placeholder';
	const input = prepareInput(ctx.getNode(), schema, raw, i, fileFields);

	const encoding = option<string>(ctx, i, 'binaryEncoding', 'auto');
	const values = new Map<string, string[]>();
	for (const f of infos) {
		const useUpload =
			encoding === 'upload' || (encoding === 'auto' && f.info.size > DATA_URI_MAX_BYTES);
		const value = useUpload
			? String(((await uploadBinary(ctx, i, f.property, f.info)).urls as IDataObject).get)
			: await dataUri(ctx, i, f.property, f.info);
		values.set(f.input, [...(values.get(f.input) ?? []), value]);
	}
	for (const [field, list] of values) {
		input[field] =
			schema?.properties[field]?.type === 'array' ? list : list.length === 1 ? list[0] : list;
	}
	return input;
}

export interface WaitSettings {
	timeoutMs: number;
	onTimeout: 'fail' | 'return';
	cancelOnTimeout: boolean;
	maxPollMs: number;
	output: OutputOptions;
}

export function readWaitSettings(ctx: IExecuteFunctions, i: number): WaitSettings {
	const timeout = Number(option(ctx, i, 'timeout', 600));
	if (!Number.isFinite(timeout) || timeout <= 0 || timeout > MAX_TIMEOUT_SECONDS) {
		fail(
			ctx,
			i,
			`The "Timeout (Seconds)" option must be between 1 and ${MAX_TIMEOUT_SECONDS} (got ${timeout})`,
		);
	}
	const maxPoll = Number(option(ctx, i, 'maxPollInterval', 5));
	if (!Number.isFinite(maxPoll) || maxPoll < 1 || maxPoll > 60)
		fail(
			ctx,
			i,
			`The "Max Poll Interval (Seconds)" option must be between 1 and 60 (got ${maxPoll})`,
		);
	const maxFile = Number(option(ctx, i, 'maxFileSize', 1024));
	if (!Number.isFinite(maxFile) || maxFile <= 0)
		fail(ctx, i, `The "Max File Size (MB)" option must be a positive number (got ${maxFile})`);
	const output = outputOptions(ctx.getNodeParameter('options', i, {}) as IDataObject);
	const bad = binaryPropertyProblem(output.binaryProperty);
	if (bad) fail(ctx, i, `The "Put Output File in Field" option "${output.binaryProperty}" ${bad}`);
	// An AI agent cannot take binary data: in tool mode the files stay URLs.
	if (ctx.isToolExecution?.()) output.download = false;
	return {
		timeoutMs: timeout * 1000,
		onTimeout: option(ctx, i, 'onTimeout', 'fail'),
		cancelOnTimeout: option(ctx, i, 'cancelOnTimeout', true),
		maxPollMs: maxPoll * 1000,
		output,
	};
}

/** Seconds in a Cancel-After duration ("90", "30s", "1h30m"); NaN when it is not one. */
export function durationSeconds(v: string): number {
	return /^\d+$/.test(v)
		? Number(v)
		: v !== '' && /^(\d+h)?(\d+m)?(\d+s)?$/.test(v)
			? [...v.matchAll(/(\d+)([hms])/g)].reduce(
					(t, m) => t + Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1),
					0,
				)
			: NaN;
}

/** The "Sync Wait (Seconds)" option of item `i`: empty means the default (60); else 1–60. */
export function readSyncWait(ctx: IExecuteFunctions, i: number): number {
	const raw = ctx.getNodeParameter('options.syncWait', i, 60) as unknown;
	if (raw === '' || raw === null || raw === undefined) return 60;
	const sync = Number(raw);
	if (!Number.isInteger(sync) || sync < 1 || sync > 60) {
		fail(
			ctx,
			i,
			`The "Sync Wait (Seconds)" option must be a whole number from 1 to 60 (got ${JSON.stringify(raw)})`,
		);
	}
	return sync;
}

/** Seconds Replicate's own deadline lies past the Timeout when it is sent by default. */
export const CANCEL_AFTER_MARGIN_SECONDS = 60;

/**
 * The Cancel-After header: the Server-Side Deadline when given; "off" sends none; empty sends the
 * Timeout plus a margin when Cancel on Timeout is on (`wait`), so Replicate ends a prediction that
 * an n8n worker forgot (a shutdown, a crash), since n8n gives the node no signal then.
 */
export function readCancelAfter(
	ctx: IExecuteFunctions,
	i: number,
	wait?: WaitSettings,
): string | undefined {
	const v = String(option(ctx, i, 'cancelAfter', '')).trim();
	if (/^(off|none)$/i.test(v)) return undefined;
	if (!v) {
		return wait?.cancelOnTimeout
			? `${Math.ceil(wait.timeoutMs / 1000) + CANCEL_AFTER_MARGIN_SECONDS}s`
			: undefined;
	}
	const seconds = durationSeconds(v);
	if (!Number.isFinite(seconds) || seconds < 5) {
		fail(
			ctx,
			i,
			`The "Server-Side Deadline" option "${v}" is not a duration of at least 5 seconds`,
			'Use a number of seconds or units like 30s, 5m, 1h30m, or "off" to send none.',
		);
	}
	return v;
}

/** Polls until done; on a stop (execution stopped, another item failed) cancels the prediction. */
export async function waitFor(
	ctx: IExecuteFunctions,
	p: Prediction,
	i: number,
	batch: Batch,
	deadline: number,
	start: WaitOptions['start'],
	maxDelayMs: number,
) {
	const r = await pollPrediction(ctx, p, {
		itemIndex: i,
		deadline,
		signal: batch.signal,
		start,
		maxDelayMs,
	});
	if (r.stopped) await stopped(ctx, r.prediction, i);
	return r;
}

/** The execution stopped while a prediction ran: cancel it on Replicate, then fail. */
export async function stopped(ctx: IExecuteFunctions, p: Prediction, i: number): Promise<never> {
	if (!isTerminal(p)) await cancelPrediction(ctx, p.id, i).catch(() => undefined);
	// "canceled" in the message is what makes n8n list a stopped execution as canceled.
	throw new NodeOperationError(
		ctx.getNode(),
		`Stopped; prediction ${p.id} was canceled on Replicate`,
		{ itemIndex: i },
	);
}

/**
 * A failure about a prediction: the message avoids the word n8n reads as a user's stop
 * ("canceled"), and the prediction travels along so Continue On Fail returns it with the error.
 */
function predictionError(
	ctx: IExecuteFunctions,
	p: Prediction,
	i: number,
	message: string,
	description?: string,
): NodeOperationError {
	const error = new NodeOperationError(ctx.getNode(), message, {
		itemIndex: i,
		description,
	});
	error.context = { ...(error.context ?? {}), prediction: formatPrediction(p, true) };
	return error;
}

function logTail(logs: unknown, lines = 15): string | undefined {
	if (typeof logs !== 'string' || !logs.trim()) return undefined;
	return logs.trimEnd().split('\n').slice(-lines).join('\n');
}

/** A finished (or timed-out) prediction as items, or the error it deserves. */
export async function finish(
	ctx: IExecuteFunctions,
	prediction: Prediction,
	openapi: IDataObject | null | undefined,
	s: WaitSettings,
	i: number,
	timedOut: boolean,
): Promise<INodeExecutionData[]> {
	let p = prediction;
	if (timedOut) {
		let ended = false;
		if (s.cancelOnTimeout) {
			p = await cancelPrediction(ctx, p.id, i).then(
				(c) => ((ended = true), c),
				() => p,
			);
		}
		if (s.onTimeout === 'return')
			return [{ json: { ...formatPrediction(p, s.output.includeLogs), timedOut: true } }];
		const state = !s.cancelOnTimeout
			? 'It is still running on Replicate (Cancel on Timeout is off).'
			: ended
				? 'It was stopped on Replicate (Cancel on Timeout).'
				: 'Stopping it on Replicate did not succeed; its Cancel-After deadline, if any, ends it.';
		throw predictionError(
			ctx,
			p,
			i,
			`Prediction ${p.id} timed out: not finished after ${s.timeoutMs / 1000} s`,
			`${state} Raise "Timeout (Seconds)", or set "On Timeout" to return the prediction as it is.`,
		);
	}
	const tail = logTail(p.logs);
	switch (p.status) {
		case 'succeeded':
			return await predictionItems(ctx, p, openapi, s.output, i);
		case 'failed':
			throw predictionError(
				ctx,
				p,
				i,
				`Prediction ${p.id} failed: ${typeof p.error === 'string' && p.error ? p.error : 'no error text'}`,
				tail ? `Last lines of the model's logs:\n${tail}` : undefined,
			);
		case 'canceled':
			throw predictionError(
				ctx,
				p,
				i,
				`Prediction ${p.id} was stopped on Replicate before it finished`,
				'Its status is "canceled": its Cancel-After deadline passed while it ran, or it was canceled from the dashboard or the API.',
			);
		case 'aborted':
			throw predictionError(
				ctx,
				p,
				i,
				`Prediction ${p.id} was aborted`,
				'Its deadline (Cancel-After) passed before it started.',
			);
		default:
			return [{ json: formatPrediction(p, s.output.includeLogs) }];
	}
}

/**
 * The schema of an existing prediction's version (for file detection and text joining); best
 * effort.
 */
export async function schemaOfPrediction(
	ctx: IExecuteFunctions,
	p: Prediction,
	i: number,
	batch: Batch,
): Promise<IDataObject | null> {
	return await memo(batch, `schema:${String(p.model ?? '')}:${String(p.version ?? '')}`, () =>
		predictionSchema(ctx, p, i),
	);
}
