// Validates emulator responses against Replicate's own OpenAPI document (test/fixtures/replicate-openapi.json).
// A violation is recorded on the emulator; the test suites fail on any.
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type Json = Record<string, unknown>;

/** Replicate's OpenAPI document, stored in the repository (test/fixtures/README.md says where it comes from). */
export const SPEC_PATH = join(__dirname, '../fixtures/replicate-openapi.json');
export const SPEC_SHA256 = '4500bf86453ef1ab65a9e133929ce97f468cff9aa62ab7512d00fd588abb8b39';

function loadSpecText(): string {
	if (!existsSync(SPEC_PATH)) {
		throw new Error(
			`Replicate OpenAPI document not found at ${SPEC_PATH}: it is part of the repository (test/fixtures/README.md).`,
		);
	}
	const text = readFileSync(SPEC_PATH, 'utf8');
	const sum = createHash('sha256').update(text).digest('hex');
	if (sum !== SPEC_SHA256) {
		throw new Error(
			`Replicate OpenAPI document at ${SPEC_PATH} has sha256 ${sum}, expected ${SPEC_SHA256} (test/fixtures/README.md).`,
		);
	}
	return text;
}

/** OpenAPI 3.0's `nullable: true` (which Replicate's 3.1 document still uses) becomes a JSON Schema type union. */
function convertNullable(node: unknown): unknown {
	if (Array.isArray(node)) return node.map(convertNullable);
	if (!node || typeof node !== 'object') return node;
	const out: Json = {};
	for (const [k, v] of Object.entries(node as Json)) out[k] = convertNullable(v);
	// The spec's prediction `version` is oneOf [string, enum "hidden"]: "hidden", which Replicate really
	// returns for official models, matches both branches and so fails oneOf. The intent is anyOf.
	if (Array.isArray(out.oneOf)) {
		out.anyOf = out.oneOf;
		delete out.oneOf;
	}
	if (out.nullable === true) {
		if (typeof out.type === 'string') out.type = [out.type, 'null'];
		else if (out.enum) out.enum = [...(out.enum as unknown[]), null];
		delete out.nullable;
	}
	return out;
}

/** Local refs (#/components/...) point into the registered document. */
function rewriteRefs(node: unknown): unknown {
	if (Array.isArray(node)) return node.map(rewriteRefs);
	if (!node || typeof node !== 'object') return node;
	const out: Json = {};
	for (const [k, v] of Object.entries(node as Json)) {
		out[k] =
			k === '$ref' && typeof v === 'string' && v.startsWith('#/')
				? `replicate${v}`
				: rewriteRefs(v);
	}
	return out;
}

export class SpecValidator {
	private readonly ajv: Ajv2020;
	private readonly spec: Json;
	private readonly cache = new Map<string, ((data: unknown) => boolean) | null>();

	constructor() {
		this.spec = convertNullable(JSON.parse(loadSpecText())) as Json;
		this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
		addFormats(this.ajv);
		this.ajv.addSchema({ $id: 'replicate', components: this.spec.components }, 'replicate');
	}

	/** Spec path templates for operation lookup, e.g. /models/{model_owner}/{model_name}. */
	private findOperation(method: string, path: string): { template: string; op: Json } | undefined {
		const paths = this.spec.paths as Record<string, Record<string, Json>>;
		for (const [template, ops] of Object.entries(paths)) {
			const re = new RegExp('^' + template.replace(/\{[^}]+\}/g, '[^/]+') + '$');
			if (re.test(path) && ops[method.toLowerCase()])
				return { template, op: ops[method.toLowerCase()] };
		}
		return undefined;
	}

	/**
	 * Returns an error text when a JSON response breaks the spec; undefined when it conforms or the
	 * spec documents no JSON schema for that status.
	 */
	check(method: string, apiPath: string, status: number, body: unknown): string | undefined {
		const found = this.findOperation(method, apiPath);
		if (!found) return undefined;
		const responses = found.op.responses as Record<string, Json>;
		const response = responses[String(status)];
		if (!response) {
			if (status >= 400) return undefined; // error statuses the spec leaves undocumented
			return `${method} ${found.template}: status ${status} is not documented (documented: ${Object.keys(responses).join(', ')})`;
		}
		const content = response.content as Record<string, Json> | undefined;
		const schema = content?.['application/json']?.schema;
		if (!schema) return undefined;
		const key = `${method} ${found.template} ${status}`;
		let validate = this.cache.get(key);
		if (validate === undefined) {
			validate = this.ajv.compile(rewriteRefs(schema) as Json);
			this.cache.set(key, validate);
		}
		if (!validate) return undefined;
		if (validate(body)) return undefined;
		const errors = (
			validate as unknown as { errors: Array<{ instancePath: string; message: string }> }
		).errors;
		return `${key}: ${errors.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`;
	}
}
