// The options of Run, Create and Wait, read and checked before anything is sent: timeout and
// polling, output, Sync Wait, the Server-Side Deadline (Cancel-After), concurrency.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { outputOptions, type OutputOptions } from '../../../common/files/output';
import { numberFrom, readChoice, readOption } from '../../../common/readers';

export const MAX_TIMEOUT_SECONDS = 7 * 24 * 3600;

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

export function fail(
	ctx: IExecuteFunctions,
	i: number,
	message: string,
	description?: string,
): never {
	throw new NodeOperationError(ctx.getNode(), message, {
		itemIndex: i,
		description,
	});
}

export interface WaitSettings {
	timeoutMs: number;
	onTimeout: 'fail' | 'return';
	cancelOnTimeout: boolean;
	maxPollMs: number;
	output: OutputOptions;
}

export function readWaitSettings(ctx: IExecuteFunctions, i: number): WaitSettings {
	const timeout = Number(readOption(ctx, i, 'timeout', 600));
	if (!Number.isFinite(timeout) || timeout <= 0 || timeout > MAX_TIMEOUT_SECONDS) {
		fail(
			ctx,
			i,
			`The "Timeout (Seconds)" option must be between 1 and ${MAX_TIMEOUT_SECONDS} (got ${timeout})`,
		);
	}
	const maxPoll = Number(readOption(ctx, i, 'maxPollInterval', 5));
	if (!Number.isFinite(maxPoll) || maxPoll < 1 || maxPoll > 60)
		fail(
			ctx,
			i,
			`The "Max Poll Interval (Seconds)" option must be between 1 and 60 (got ${maxPoll})`,
		);
	const maxFile = Number(readOption(ctx, i, 'maxFileSize', 1024));
	if (!Number.isFinite(maxFile) || maxFile <= 0)
		fail(ctx, i, `The "Max File Size (MB)" option must be a positive number (got ${maxFile})`);
	const output = outputOptions(ctx.getNodeParameter('options', i, {}) as IDataObject);
	const bad = binaryPropertyProblem(output.binaryProperty);
	if (bad) fail(ctx, i, `The "Put Output File in Field" option "${output.binaryProperty}" ${bad}`);
	// An AI agent cannot take binary data: in tool mode the files stay URLs.
	if (ctx.isToolExecution?.()) output.download = false;
	return {
		timeoutMs: timeout * 1000,
		onTimeout: readChoice(
			ctx,
			i,
			{ name: 'onTimeout', displayName: 'On Timeout' },
			['fail', 'return'],
			'fail',
		),
		cancelOnTimeout: readOption(ctx, i, 'cancelOnTimeout', true) !== false,
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
	const v = String(readOption(ctx, i, 'cancelAfter', '')).trim();
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
