// Secret inputs (Cog's Secret: `x-cog-secret`, `format: password`) of models and trainers never
// reach output items: Replicate echoes a prediction's or training's `input` back, and whether it
// masks secrets there is not documented, so the node replaces them itself, and any place their
// values show up in the logs or the error text.
import type { IDataObject } from 'n8n-workflow';

import { inputSchema, secretNames } from './schema';

/** What a secret input's value becomes in output. */
export const REDACTED = '[secret]';
/** Shorter values are not searched for in free text (they would match ordinary words). */
const MIN_VALUE_LENGTH = 6;

export interface Secrets {
	names: string[];
	values: string[];
}

/**
 * The secret inputs a version declares (in its model `Input` and, for a trainer, its
 * `TrainingInput`), plus `extra` names, with the values `input` gives them.
 */
export function secretsOf(
	openapi: IDataObject | null | undefined,
	input: unknown,
	extra: string[] = [],
): Secrets {
	const names = [
		...new Set([
			...secretNames(inputSchema(openapi, 'model')),
			...secretNames(inputSchema(openapi, 'training')),
			...extra,
		]),
	];
	const given = input && typeof input === 'object' ? (input as IDataObject) : {};
	const values = names
		.map((n) => (Object.prototype.hasOwnProperty.call(given, n) ? given[n] : undefined))
		.filter((v): v is string => typeof v === 'string' && v.length >= MIN_VALUE_LENGTH);
	return { names, values };
}

/** A text with every secret value replaced. */
export function redactValues(text: string, secrets: Secrets): string {
	let out = text;
	for (const v of secrets.values) out = out.split(v).join(REDACTED);
	return out;
}

/**
 * A copy of a prediction or training without its secrets: the secret inputs' values replaced in
 * `input`, and the values replaced wherever they appear in `logs` and `error`.
 */
export function redactSecrets<T extends IDataObject>(p: T, secrets: Secrets): T {
	if (!secrets.names.length) return p;
	const out: IDataObject = { ...p };
	const input = p.input;
	if (input && typeof input === 'object' && !Array.isArray(input)) {
		const copy: IDataObject = { ...(input as IDataObject) };
		for (const n of secrets.names)
			if (Object.prototype.hasOwnProperty.call(copy, n) && copy[n] !== null && copy[n] !== '')
				copy[n] = REDACTED;
		out.input = copy;
	}
	for (const k of ['logs', 'error'])
		if (typeof out[k] === 'string') out[k] = redactValues(out[k] as string, secrets);
	return out as T;
}
