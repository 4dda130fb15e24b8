// What the editor and the errors call a model input, and which inputs take files.
import type { InputSchema, JsonSchema } from './schema';

// A Map: a word such as "constructor" must not find Object's own properties.
const ACRONYMS = new Map([
	['api', 'API'],
	['cfg', 'CFG'],
	['fps', 'FPS'],
	['gpu', 'GPU'],
	['id', 'ID'],
	['json', 'JSON'],
	['llm', 'LLM'],
	['lora', 'LoRA'],
	['uri', 'URI'],
	['url', 'URL'],
]);

/** `aspect_ratio` → "Aspect Ratio", `image_url` → "Image URL" (the Model Inputs field's label). */
export function humanise(name: string): string {
	return name
		.split(/[_\s-]+/)
		.filter(Boolean)
		.map((w) => ACRONYMS.get(w.toLowerCase()) ?? w.charAt(0).toUpperCase() + w.slice(1))
		.join(' ');
}

/** An input as errors name it: the editor's label and the API name, `"Num Outputs" (num_outputs)`. */
export function inputLabel(name: string): string {
	const label = humanise(name);
	return label && label !== name ? `"${label}" (${name})` : `"${name}"`;
}

/** The schema and its anyOf/oneOf/allOf branches (an optional input may be `anyOf: [uri, null]`). */
function branches(s: JsonSchema): JsonSchema[] {
	const more = (['anyOf', 'oneOf', 'allOf'] as const).flatMap((k) =>
		Array.isArray(s[k]) ? (s[k] as JsonSchema[]) : [],
	);
	return [s, ...more].filter((b) => b && typeof b === 'object');
}

const isUri = (s: JsonSchema) => branches(s).some((b) => b.format === 'uri');

/**
 * How an input takes files: `file` for a `format: uri` string (Cog's `Path`), `files` for an array
 * of them (`list[Path]`); undefined for any other input.
 */
export function fileKind(s: JsonSchema | undefined): 'file' | 'files' | undefined {
	if (!s) return undefined;
	for (const b of branches(s)) {
		if (b.type === 'array' && b.items && typeof b.items === 'object' && isUri(b.items))
			return 'files';
	}
	return isUri(s) && !branches(s).some((b) => b.type === 'array') ? 'file' : undefined;
}

export interface FileInput {
	name: string;
	list: boolean;
	required: boolean;
}

/** The model's file inputs, in the schema's order. */
export function fileInputs(schema: InputSchema): FileInput[] {
	return schema.order.flatMap((name) => {
		const kind = fileKind(schema.properties[name]);
		return kind ? [{ name, list: kind === 'files', required: schema.required.includes(name) }] : [];
	});
}
