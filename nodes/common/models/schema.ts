// A model version's OpenAPI schema (Cog's `components.schemas.Input`, and a trainer's
// `TrainingInput`), and the local checks that run before any paid request: types coerced,
// required fields, enums, ranges. Secret inputs (`x-cog-secret`, `format: password`) never appear
// in an error's text.
import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { numberFrom } from '../readers';
import { fileKind, inputLabel } from './inputs';

export interface JsonSchema extends IDataObject {
	type?: string;
	format?: string;
	enum?: unknown[];
	items?: JsonSchema;
	default?: IDataObject[string];
	description?: string;
	title?: string;
	minimum?: number;
	maximum?: number;
}

export interface InputSchema {
	properties: Record<string, JsonSchema>;
	required: string[];
	/** Field names in x-order order. */
	order: string[];
	/** What is malformed in the schema (a model's schema comes from outside and can be broken). */
	problems?: string[];
	/** Whose inputs these are: a model's (`Input`) or a trainer's (`TrainingInput`). */
	kind?: InputKind;
}

/** Which of a version's input schemas: the prediction's (`Input`) or the training's. */
export type InputKind = 'model' | 'training';
const SCHEMA_NAME: Record<InputKind, string> = { model: 'Input', training: 'TrainingInput' };

function schemas(openapi: IDataObject | null | undefined): IDataObject | undefined {
	return (
		((openapi?.components as IDataObject | undefined)?.schemas as IDataObject | undefined) ??
		undefined
	);
}

/** Resolves Cog's `allOf: [{$ref}]` (how enums are declared) into one flat schema. */
function resolve(all: IDataObject, field: JsonSchema): JsonSchema {
	const allOf = field.allOf as JsonSchema[] | undefined;
	const ref = (allOf?.find((s) => s.$ref)?.$ref ?? field.$ref) as string | undefined;
	if (!ref || !ref.startsWith('#/components/schemas/')) return field;
	const target = all[ref.slice('#/components/schemas/'.length)] as JsonSchema | undefined;
	const merged: JsonSchema = { ...(target ?? {}), ...field };
	delete merged.allOf;
	delete merged.$ref;
	return merged;
}

/** Whether an input is a secret (Cog's Secret type: `x-cog-secret`, or `format: password`). */
export function isSecret(s: JsonSchema | undefined): boolean {
	return s?.['x-cog-secret'] === true || s?.format === 'password';
}

/** The secret inputs of a schema, in x-order order. */
export function secretNames(schema: InputSchema | undefined): string[] {
	return schema ? schema.order.filter((k) => isSecret(schema.properties[k])) : [];
}

export function inputSchema(
	openapi: IDataObject | null | undefined,
	kind: InputKind = 'model',
): InputSchema | undefined {
	const all = schemas(openapi);
	const input = all?.[SCHEMA_NAME[kind]] as JsonSchema | undefined;
	if (!all || !input?.properties) return undefined;
	// No prototype: an input named "constructor" or "__proto__" is looked up, never inherited.
	const properties = Object.create(null) as Record<string, JsonSchema>;
	for (const [k, v] of Object.entries(input.properties as Record<string, JsonSchema>))
		properties[k] = resolve(all, v);
	const order = Object.keys(properties).sort(
		(a, b) =>
			Number(properties[a]['x-order'] ?? 1e9) - Number(properties[b]['x-order'] ?? 1e9) ||
			a.localeCompare(b),
	);
	const required = Array.isArray(input.required)
		? input.required.filter((r): r is string => typeof r === 'string')
		: [];
	const problems: string[] = [];
	if (input.required !== undefined && !Array.isArray(input.required))
		problems.push(
			`"required" is not a list of input names (got ${JSON.stringify(input.required)})`,
		);
	for (const [k, v] of Object.entries(properties)) {
		if (v.enum !== undefined && !Array.isArray(v.enum))
			problems.push(`"enum" of input "${k}" is not a list (got ${JSON.stringify(v.enum)})`);
	}
	return { properties, required, order, problems, kind };
}

export function outputSchema(openapi: IDataObject | null | undefined): JsonSchema | undefined {
	return schemas(openapi)?.Output as JsonSchema | undefined;
}

/** Whether the output is a token iterator meant to be joined into text. */
export function isConcatenateOutput(openapi: IDataObject | null | undefined): boolean {
	return outputSchema(openapi)?.['x-cog-array-display'] === 'concatenate';
}

/**
 * Whether the output schema declares file (uri) values anywhere; undefined when there is no schema.
 */
export function declaresFiles(openapi: IDataObject | null | undefined): boolean | undefined {
	const out = outputSchema(openapi);
	if (!out) return undefined;
	return JSON.stringify(out).includes('"format":"uri"');
}

const isFileUrl = (s: string) => /^https?:\/\/\S+$/i.test(s);
const isDataUri = (s: string) => /^data:[^,\s]*,/.test(s);

/**
 * The output values that are files: strings in positions the version's Output schema types as
 * `format: uri`, and `data:` URIs. A position the schema types as text is never a file. Without an
 * Output schema, URL-looking strings are candidates (the URL policy still decides what is fetched).
 */
export function outputFiles(output: unknown, openapi: IDataObject | null | undefined): string[] {
	const all = schemas(openapi);
	const root = outputSchema(openapi);
	const found: string[] = [];
	if (!all || !root) {
		const walk = (v: unknown, depth: number) => {
			if (depth > 32) return;
			if (typeof v === 'string') {
				if (isFileUrl(v) || isDataUri(v)) found.push(v);
			} else if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
			else if (v && typeof v === 'object') Object.values(v).forEach((x) => walk(x, depth + 1));
		};
		walk(output, 0);
		return found;
	}
	const deref = (s: JsonSchema | undefined, depth: number): JsonSchema | undefined => {
		if (!s || depth > 16) return s;
		const ref = s.$ref as string | undefined;
		if (ref?.startsWith('#/components/schemas/'))
			return deref({ ...(all[ref.slice(21)] as JsonSchema), ...s, $ref: undefined }, depth + 1);
		return s;
	};
	const branches = (s: JsonSchema): JsonSchema[] =>
		[
			s,
			...(['allOf', 'anyOf', 'oneOf'] as const).flatMap(
				(k) => (s[k] as JsonSchema[] | undefined) ?? [],
			),
		].map((b) => deref(b, 0) as JsonSchema);
	const walk = (v: unknown, schema: JsonSchema | undefined, depth: number) => {
		if (depth > 32) return;
		const s = deref(schema, 0);
		const options = s ? branches(s) : [];
		if (typeof v === 'string') {
			const uri = options.some((b) => b?.format === 'uri');
			if ((uri && isFileUrl(v)) || isDataUri(v)) found.push(v);
		} else if (Array.isArray(v)) {
			const items = options.map((b) => b?.items as JsonSchema | undefined).find(Boolean);
			v.forEach((x) => walk(x, items, depth + 1));
		} else if (v && typeof v === 'object') {
			for (const [k, x] of Object.entries(v)) {
				const props = options
					.map((b) => b?.properties as Record<string, JsonSchema> | undefined)
					.map((p) => (p && Object.prototype.hasOwnProperty.call(p, k) ? p[k] : undefined))
					.find(Boolean);
				const extra = options
					.map((b) => b?.additionalProperties)
					.find((a) => a && typeof a === 'object') as JsonSchema | undefined;
				walk(x, props ?? extra, depth + 1);
			}
		}
	};
	walk(output, root, 0);
	return found;
}

type Coerced = { ok: true; value: unknown } | { ok: false; problem: string };
const ok = (value: unknown): Coerced => ({ ok: true, value });
const bad = (problem: string): Coerced => ({ ok: false, problem });

function coerceValue(name: string, s: JsonSchema, value: unknown): Coerced {
	const type = s.type ?? (s.enum ? typeof s.enum[0] : undefined);
	const got = () => (typeof value === 'string' ? `"${value}"` : JSON.stringify(value));
	switch (type) {
		case 'integer':
		case 'number': {
			const n = numberFrom(value);
			if (!Number.isFinite(n)) return bad(`must be a number (got ${got()})`);
			if (type === 'integer' && !Number.isInteger(n))
				return bad(`must be a whole number (got ${got()})`);
			if (s.minimum !== undefined && n < s.minimum)
				return bad(`must be at least ${s.minimum} (got ${n})`);
			if (s.maximum !== undefined && n > s.maximum)
				return bad(`must be at most ${s.maximum} (got ${n})`);
			return ok(n);
		}
		case 'boolean':
			if (typeof value === 'boolean') return ok(value);
			if (value === 'true' || value === 'false') return ok(value === 'true');
			return bad(`must be true or false (got ${got()})`);
		case 'array': {
			let arr = value;
			if (typeof value === 'string') {
				const t = value.trim();
				if (t.startsWith('[')) {
					try {
						arr = JSON.parse(t);
					} catch {
						return bad(`must be a JSON array (got ${got()})`);
					}
				} else {
					arr = [value];
				}
			}
			if (!Array.isArray(arr)) return bad(`must be an array (got ${got()})`);
			if (!s.items) return ok(arr);
			const items: unknown[] = [];
			for (let i = 0; i < arr.length; i++) {
				const c = coerceValue(`${name}[${i}]`, s.items, arr[i]);
				if (!c.ok) return bad(`item ${i} ${c.problem}`);
				items.push(c.value);
			}
			return ok(items);
		}
		case 'object': {
			let obj = value;
			if (typeof value === 'string') {
				try {
					obj = JSON.parse(value);
				} catch {
					return bad(`must be a JSON object (got ${got()})`);
				}
			}
			if (!obj || typeof obj !== 'object' || Array.isArray(obj))
				return bad(`must be an object (got ${got()})`);
			return ok(obj);
		}
		case 'string':
			if (typeof value === 'string') return ok(value);
			if (typeof value === 'number' || typeof value === 'boolean') return ok(String(value));
			return bad(`must be text (got ${got()})`);
		default:
			return ok(value);
	}
}

const isEmpty = (v: unknown) => v === undefined || v === null || v === '';

/**
 * An optional array or object input without a default starts as `[]` / `{}` in the field mapper
 * (its JSON editor flags an empty text as an error); left like that it means "not given", not an
 * empty value.
 */
function untouchedJson(s: JsonSchema | undefined, required: boolean, value: unknown): boolean {
	if (!s || required || s.default !== undefined) return false;
	const text = typeof value === 'string' ? value.replace(/\s+/g, '') : JSON.stringify(value);
	return (s.type === 'array' && text === '[]') || (s.type === 'object' && text === '{}');
}

/** Why a required input is missing: a file input says how to give it a file. */
function missing(
	name: string,
	s: JsonSchema | undefined,
	of: InputKind,
): { text: string; hint?: string } {
	const kind = fileKind(s);
	const who = of === 'training' ? 'trainer' : 'model';
	if (!kind) return { text: `is required by this ${who}` };
	return {
		text: `is required by this ${who} and got no ${kind === 'files' ? 'files' : 'file'}`,
		hint: `Add a Binary Input with Input Name "${name}" and the binary property that holds the file${kind === 'files' ? 's (several: separate them with commas)' : ''}, or put the file's URL in the field.`,
	};
}

/**
 * Coerces every value to its schema type and checks required fields, enums and ranges. Empty values
 * are dropped so the model's defaults apply. Throws a NodeOperationError naming the input (its label
 * in the editor and its API name) and the item.
 */
export function prepareInput(
	node: INode,
	schema: InputSchema | undefined,
	raw: IDataObject,
	itemIndex: number,
	fileFields: string[] = [],
): IDataObject {
	const out: IDataObject = {};
	const kind = schema?.kind ?? 'model';
	const fail = (field: string, text: string, hint?: string) =>
		new NodeOperationError(node, `Invalid ${kind} input ${inputLabel(field)}: ${text}`, {
			itemIndex,
			description: hint ?? (schema ? `Valid inputs: ${schema.order.join(', ')}` : undefined),
		});
	if (schema?.problems?.length) {
		throw new NodeOperationError(
			node,
			`The ${kind === 'training' ? "trainer's training" : "model's"} input schema is malformed: ${schema.problems[0]}`,
			{
				itemIndex,
				description: `Inputs cannot be checked against a broken schema. Pick another version, or tell the model's owner.${schema.problems.length > 1 ? ` Also: ${schema.problems.slice(1).join('; ')}.` : ''}`,
			},
		);
	}
	for (const [key, value] of Object.entries(raw)) {
		if (isEmpty(value)) continue;
		if (!schema) {
			out[key] = value as IDataObject[string];
			continue;
		}
		const s = schema.properties[key];
		if (!s) throw fail(key, `this ${kind === 'training' ? 'trainer' : 'model'} has no such input`);
		if (untouchedJson(s, schema.required.includes(key), value)) continue;
		const c = fileFields.includes(key) ? ok(value) : coerceValue(key, s, value);
		// A secret's value is never quoted back.
		if (!c.ok)
			throw fail(
				key,
				isSecret(s)
					? `must be ${s.type === 'string' || !s.type ? 'text' : s.type} (a secret)`
					: c.problem,
			);
		if (s.enum && !s.enum.some((e) => e === c.value)) {
			throw fail(
				key,
				`must be one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}${isSecret(s) ? '' : ` (got ${JSON.stringify(c.value)})`}`,
			);
		}
		out[key] = c.value as IDataObject[string];
	}
	for (const req of schema?.required ?? []) {
		const value = out[req];
		// A file list the editor left at [] has no file in it.
		const noFiles = Array.isArray(value) && !value.length && !!fileKind(schema?.properties[req]);
		if (isEmpty(value) || noFiles) {
			const { text, hint } = missing(req, schema?.properties[req], kind);
			throw fail(req, text, hint);
		}
	}
	return out;
}
