// Builds Cog-style OpenAPI documents (what Replicate serves as a version's openapi_schema) and
// validates prediction inputs against them, as the API does before a prediction is created.
import type { JsonObject } from './types';

export interface FieldSpec extends JsonObject {
	type?: string;
	description?: string;
}

export function cogSchema(opts: {
	properties: Record<string, FieldSpec>;
	required?: string[];
	enums?: Record<string, { type: string; values: unknown[]; description?: string }>;
	output: JsonObject;
	/** A trainer's `TrainingInput` (and its `TrainingOutput`, `{weights: uri}` as real trainers have). */
	training?: { properties: Record<string, FieldSpec>; required?: string[] };
}): JsonObject {
	const schemas: JsonObject = {
		Input: {
			type: 'object',
			title: 'Input',
			required: opts.required ?? [],
			properties: opts.properties,
		},
		Output: { title: 'Output', ...opts.output },
	};
	if (opts.training) {
		schemas.TrainingInput = {
			type: 'object',
			title: 'TrainingInput',
			required: opts.training.required ?? [],
			properties: opts.training.properties,
		};
		schemas.TrainingOutput = {
			type: 'object',
			title: 'TrainingOutput',
			required: ['weights'],
			properties: { weights: { type: 'string', title: 'Weights', format: 'uri' } },
		};
	}
	for (const [name, e] of Object.entries(opts.enums ?? {})) {
		schemas[name] = {
			title: name,
			type: e.type,
			enum: e.values,
			description: e.description ?? 'An enumeration.',
		};
	}
	return {
		openapi: '3.0.2',
		info: { title: 'Cog', version: '0.1.0' },
		paths: {},
		components: { schemas },
	};
}

function resolve(doc: JsonObject, field: JsonObject): JsonObject {
	const allOf = field.allOf as JsonObject[] | undefined;
	const ref = (allOf?.[0]?.$ref ?? field.$ref) as string | undefined;
	if (!ref) return field;
	const name = ref.split('/').pop() as string;
	const target = ((doc.components as JsonObject).schemas as JsonObject)[name] as JsonObject;
	return { ...target, ...field, allOf: undefined, $ref: undefined };
}

function typeOk(type: string | undefined, v: unknown): boolean {
	switch (type) {
		case 'string':
			return typeof v === 'string';
		case 'integer':
			return typeof v === 'number' && Number.isInteger(v);
		case 'number':
			return typeof v === 'number' && Number.isFinite(v);
		case 'boolean':
			return typeof v === 'boolean';
		case 'array':
			return Array.isArray(v);
		case 'object':
			return !!v && typeof v === 'object' && !Array.isArray(v);
		default:
			return true;
	}
}

/** Returns the problems found, as "input.<field>: <text>" lines (empty when the input is valid). */
export function validateInput(
	doc: JsonObject,
	input: JsonObject,
	which: 'Input' | 'TrainingInput' = 'Input',
): string[] {
	const schema = (doc.components as JsonObject).schemas as JsonObject;
	const inputSchema = schema[which] as {
		properties: Record<string, JsonObject>;
		required?: string[];
	};
	const problems: string[] = [];
	for (const req of inputSchema.required ?? []) {
		if (input[req] === undefined || input[req] === null) problems.push(`input: ${req} is required`);
	}
	for (const [key, value] of Object.entries(input)) {
		const raw = inputSchema.properties[key];
		if (!raw) {
			problems.push(`input: Additional property ${key} is not allowed`);
			continue;
		}
		if (value === null || value === undefined) continue;
		const field = resolve(doc, raw);
		if (!typeOk(field.type as string | undefined, value)) {
			problems.push(
				`input.${key}: Invalid type. Expected: ${field.type}, given: ${Array.isArray(value) ? 'array' : typeof value}`,
			);
			continue;
		}
		if (field.enum && !(field.enum as unknown[]).includes(value)) {
			problems.push(
				`input.${key}: ${key} must be one of the following: ${(field.enum as unknown[]).map((e) => JSON.stringify(e)).join(', ')}`,
			);
		}
		if (typeof value === 'number') {
			if (typeof field.minimum === 'number' && value < field.minimum)
				problems.push(`input.${key}: Must be greater than or equal to ${field.minimum}`);
			if (typeof field.maximum === 'number' && value > field.maximum)
				problems.push(`input.${key}: Must be less than or equal to ${field.maximum}`);
		}
		if (
			field.type === 'string' &&
			field.format === 'uri' &&
			typeof value === 'string' &&
			!/^(https?:|data:)/.test(value)
		) {
			problems.push(`input.${key}: Does not match format 'uri'`);
		}
	}
	return problems;
}

/** Applies schema defaults for fields the caller left out, as Cog does before predict() runs. */
export function withDefaults(
	doc: JsonObject,
	input: JsonObject,
	which: 'Input' | 'TrainingInput' = 'Input',
): JsonObject {
	const inputSchema = ((doc.components as JsonObject).schemas as JsonObject)[which] as {
		properties: Record<string, JsonObject>;
	};
	const out: JsonObject = { ...input };
	for (const [key, field] of Object.entries(inputSchema.properties)) {
		if (out[key] === undefined && field.default !== undefined) out[key] = field.default;
	}
	return out;
}
