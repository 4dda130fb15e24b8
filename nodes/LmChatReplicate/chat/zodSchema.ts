// Tools reach the model with Zod schemas (n8n's Calculator, Code and node tools use Zod 3). The SDK's
// converter (getParametersJsonSchema) recognises a Zod schema with `instanceof` against its own copy
// of Zod, and n8n 2.41's tools are built with another copy, so it hands them back unconverted. This
// reads a Zod 3 schema's definition (`_def.typeName`) into the JSON Schema the protocol shows and
// checks; what it does not know becomes `{}` (any value), never a stricter schema.

type Def = Record<string, unknown> & { typeName?: string; description?: string };
type Json = Record<string, unknown>;

const MAX_DEPTH = 32;

function defOf(schema: unknown): Def | undefined {
	if (!schema || typeof schema !== 'object') return undefined;
	const def = (schema as { _def?: unknown })._def;
	return def && typeof def === 'object' ? (def as Def) : undefined;
}

/** Whether the value is a Zod schema (of any copy of Zod). */
export function isZod(schema: unknown): boolean {
	return !!defOf(schema) && typeof (schema as { safeParse?: unknown }).safeParse === 'function';
}

function withDescription(out: Json, def: Def): Json {
	return typeof def.description === 'string' ? { ...out, description: def.description } : out;
}

function checks(def: Def): Array<{ kind: string; value?: unknown; inclusive?: boolean }> {
	return Array.isArray(def.checks) ? (def.checks as Array<{ kind: string }>) : [];
}

/** Whether an object property may be left out. */
function optional(schema: unknown): boolean {
	const name = defOf(schema)?.typeName;
	return name === 'ZodOptional' || name === 'ZodDefault';
}

function convert(schema: unknown, depth: number): Json {
	const def = defOf(schema);
	if (!def || depth > MAX_DEPTH) return {};
	const inner = (key: string) => convert(def[key], depth + 1);
	switch (def.typeName) {
		case 'ZodObject': {
			const shape = typeof def.shape === 'function' ? (def.shape as () => Json)() : {};
			const properties: Json = {};
			const required: string[] = [];
			for (const [key, value] of Object.entries(shape)) {
				properties[key] = convert(value, depth + 1);
				if (!optional(value)) required.push(key);
			}
			const strict = defOf(def.catchall)?.typeName === 'ZodNever' && def.unknownKeys === 'strict';
			return withDescription(
				{
					type: 'object',
					properties,
					...(required.length ? { required } : {}),
					...(strict ? { additionalProperties: false } : {}),
				},
				def,
			);
		}
		case 'ZodString': {
			const out: Json = { type: 'string' };
			for (const c of checks(def)) {
				if (c.kind === 'min') out.minLength = c.value;
				if (c.kind === 'max') out.maxLength = c.value;
			}
			return withDescription(out, def);
		}
		case 'ZodNumber': {
			const out: Json = { type: 'number' };
			for (const c of checks(def)) {
				if (c.kind === 'int') out.type = 'integer';
				if (c.kind === 'min') out[c.inclusive === false ? 'exclusiveMinimum' : 'minimum'] = c.value;
				if (c.kind === 'max') out[c.inclusive === false ? 'exclusiveMaximum' : 'maximum'] = c.value;
			}
			return withDescription(out, def);
		}
		case 'ZodBoolean':
			return withDescription({ type: 'boolean' }, def);
		case 'ZodNull':
			return withDescription({ type: 'null' }, def);
		case 'ZodArray':
			return withDescription({ type: 'array', items: inner('type') }, def);
		case 'ZodEnum':
			return withDescription({ type: 'string', enum: def.values }, def);
		case 'ZodNativeEnum':
			return withDescription({ enum: Object.values((def.values as Json) ?? {}) }, def);
		case 'ZodLiteral':
			return withDescription({ const: def.value }, def);
		case 'ZodUnion':
		case 'ZodDiscriminatedUnion': {
			const options = Array.isArray(def.options)
				? def.options
				: [...((def.options as Map<unknown, unknown>)?.values?.() ?? [])];
			return withDescription({ anyOf: options.map((o) => convert(o, depth + 1)) }, def);
		}
		case 'ZodRecord':
			return withDescription({ type: 'object', additionalProperties: inner('valueType') }, def);
		case 'ZodNullable':
			return withDescription({ anyOf: [inner('innerType'), { type: 'null' }] }, def);
		case 'ZodOptional':
		case 'ZodDefault':
		case 'ZodReadonly':
		case 'ZodCatch':
			return withDescription(inner('innerType'), def);
		case 'ZodEffects':
			return withDescription(inner('schema'), def);
		case 'ZodPipeline':
			return inner('in');
		case 'ZodLazy':
			return typeof def.getter === 'function'
				? convert((def.getter as () => unknown)(), depth + 1)
				: {};
		default:
			return withDescription({}, def);
	}
}

/** The JSON Schema of a Zod schema (Zod 3 definitions; a Zod 4 schema converts itself). */
export function zodToJson(schema: unknown): Json {
	const own = (schema as { toJSONSchema?: unknown } | undefined)?.toJSONSchema;
	if (typeof own === 'function') {
		try {
			const out = (own as () => unknown).call(schema);
			if (out && typeof out === 'object') return out as Json;
		} catch {
			// fall through to the definition
		}
	}
	return convert(schema, 0);
}
