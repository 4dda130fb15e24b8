// A small JSON Schema checker for tool-call arguments: the subset that tool schemas use (what
// zod-to-json-schema and n8n's $fromAI tools produce). Keywords it does not know are ignored, so an
// exotic schema is checked less strictly, never more. The first problem found is reported, with the
// path to the value (`arguments.items[2].name`).

type Schema = Record<string, unknown>;

const MAX_DEPTH = 64;

function typeOf(v: unknown): string {
	if (v === null) return 'null';
	if (Array.isArray(v)) return 'array';
	if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
	return typeof v;
}

function matchesType(v: unknown, type: string): boolean {
	const t = typeOf(v);
	if (type === 'number') return t === 'number' || t === 'integer';
	return t === type;
}

function deepEqual(a: unknown, b: unknown): boolean {
	return JSON.stringify(a) === JSON.stringify(b);
}

const isSchema = (s: unknown): s is Schema => !!s && typeof s === 'object' && !Array.isArray(s);

/** `#/definitions/x` or `#/$defs/x` inside the root schema; anything else is not followed. */
function resolveRef(root: Schema, ref: string): Schema | undefined {
	if (!ref.startsWith('#')) return undefined;
	let node: unknown = root;
	for (const raw of ref.slice(1).split('/').filter(Boolean)) {
		const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
		if (!isSchema(node)) return undefined;
		node = node[key];
	}
	return isSchema(node) ? node : undefined;
}

function check(
	v: unknown,
	s: unknown,
	path: string,
	root: Schema,
	depth: number,
): string | undefined {
	if (s === false) return `${path} is not allowed`;
	if (!isSchema(s) || depth > MAX_DEPTH) return undefined;
	if (typeof s.$ref === 'string') {
		const target = resolveRef(root, s.$ref);
		if (target) return check(v, target, path, root, depth + 1);
	}
	const types = Array.isArray(s.type) ? (s.type as string[]) : s.type ? [String(s.type)] : [];
	if (s.nullable === true && v === null) return undefined;
	if (types.length && !types.some((t) => matchesType(v, t))) {
		return `${path} must be ${types.join(' or ')} (got ${typeOf(v)})`;
	}
	if (Array.isArray(s.enum) && !s.enum.some((e) => deepEqual(e, v))) {
		return `${path} must be one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`;
	}
	if ('const' in s && !deepEqual(s.const, v)) return `${path} must be ${JSON.stringify(s.const)}`;
	if (typeof v === 'string') {
		if (typeof s.minLength === 'number' && [...v].length < s.minLength) {
			return `${path} must have at least ${s.minLength} characters`;
		}
		if (typeof s.maxLength === 'number' && [...v].length > s.maxLength) {
			return `${path} must have at most ${s.maxLength} characters`;
		}
		if (typeof s.pattern === 'string') {
			let re: RegExp | undefined;
			try {
				re = new RegExp(s.pattern, 'u');
			} catch {
				re = undefined;
			}
			if (re && !re.test(v)) return `${path} must match ${s.pattern}`;
		}
	}
	if (typeof v === 'number') {
		if (typeof s.minimum === 'number' && v < s.minimum) return `${path} must be ≥ ${s.minimum}`;
		if (typeof s.maximum === 'number' && v > s.maximum) return `${path} must be ≤ ${s.maximum}`;
		if (typeof s.exclusiveMinimum === 'number' && v <= s.exclusiveMinimum) {
			return `${path} must be > ${s.exclusiveMinimum}`;
		}
		if (typeof s.exclusiveMaximum === 'number' && v >= s.exclusiveMaximum) {
			return `${path} must be < ${s.exclusiveMaximum}`;
		}
	}
	if (Array.isArray(v)) {
		if (typeof s.minItems === 'number' && v.length < s.minItems) {
			return `${path} must have at least ${s.minItems} items`;
		}
		if (typeof s.maxItems === 'number' && v.length > s.maxItems) {
			return `${path} must have at most ${s.maxItems} items`;
		}
		const tuple = Array.isArray(s.items) ? (s.items as unknown[]) : undefined;
		for (let i = 0; i < v.length; i++) {
			const itemSchema = tuple ? (tuple[i] ?? s.additionalItems) : s.items;
			const e = check(v[i], itemSchema, `${path}[${i}]`, root, depth + 1);
			if (e) return e;
		}
	}
	if (typeOf(v) === 'object') {
		const o = v as Record<string, unknown>;
		const props = isSchema(s.properties) ? s.properties : {};
		for (const r of Array.isArray(s.required) ? (s.required as string[]) : []) {
			if (!(r in o) || o[r] === undefined) return `${path}.${r} is required`;
		}
		for (const [k, value] of Object.entries(o)) {
			const sub = k in props ? props[k] : s.additionalProperties;
			if (sub === false) return `${path}.${k} is not an argument of this tool`;
			const e = check(value, sub, `${path}.${k}`, root, depth + 1);
			if (e) return e;
		}
	}
	for (const sub of Array.isArray(s.allOf) ? s.allOf : []) {
		const e = check(v, sub, path, root, depth + 1);
		if (e) return e;
	}
	for (const key of ['anyOf', 'oneOf'] as const) {
		const options = Array.isArray(s[key]) ? (s[key] as unknown[]) : [];
		if (!options.length) continue;
		const errors = options.map((o) => check(v, o, path, root, depth + 1));
		const passed = errors.filter((e) => e === undefined).length;
		if (passed === 0) return errors[0];
		if (key === 'oneOf' && passed > 1) return `${path} matches more than one allowed shape`;
	}
	if (s.not !== undefined && check(v, s.not, path, root, depth + 1) === undefined) {
		return `${path} has a shape that is not allowed`;
	}
	return undefined;
}

/** The first way `value` breaks `schema`, or undefined when it conforms (as far as checked). */
export function validate(value: unknown, schema: unknown, path = 'arguments'): string | undefined {
	return check(value, schema, path, isSchema(schema) ? schema : {}, 0);
}
