// Which binary properties of an item go into which file inputs of the model: the Binary Inputs
// entries (an Input Name and one or more binary properties, comma-separated) and binary data put in
// a field itself ({{ $binary.data }}). Everything is checked before any upload or prediction.
import type { IBinaryData, IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { assertUploadable, binaryInfo, type BinaryInfo } from '../../../common/files/files';
import { fileInputs, inputLabel } from '../../../common/models/inputs';
import type { InputSchema } from '../../../common/models/schema';
import { fail } from './options';

export interface FileSource {
	/** The model input (API name). */
	input: string;
	/** The item's binary property. */
	property: string;
	info: BinaryInfo;
}

const FIELD = 'Input Binary Field';

/**
 * Binary data as an expression gives it ({{ $binary.data }}): n8n leaves out the bytes, so what is
 * left is its type, name and size, and the id of the stored bytes in filesystem, database or S3 mode.
 */
function isBinaryData(v: unknown): v is IDataObject {
	if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
	const b = v as IDataObject;
	return typeof b.mimeType === 'string' && Object.keys(b).every((k) => BINARY_KEYS.has(k));
}

const BINARY_KEYS = new Set([
	'data',
	'id',
	'mimeType',
	'fileType',
	'fileName',
	'directory',
	'fileExtension',
	'fileSize',
	'bytes',
]);

/**
 * The item's binary properties that this binary data can be: the one with its id, else the ones
 * whose type, name and size all match.
 */
function propertiesOf(ctx: IExecuteFunctions, i: number, v: IDataObject): string[] {
	const item = ctx.getInputData()[i];
	const all = {
		...(((item?.json?._files as IDataObject | undefined) ?? {}) as Record<string, IBinaryData>),
		...(item?.binary ?? {}),
	};
	const same = (b: IBinaryData) =>
		v.id !== undefined || b.id !== undefined
			? b.id === v.id
			: Object.entries(v).every(([k, x]) => b[k] === x);
	return Object.entries(all)
		.filter(([, b]) => b && typeof b === 'object' && same(b))
		.map(([name]) => name);
}

/** "model", or "trainer" for a trainer's training inputs. */
const whose = (schema: InputSchema | undefined) =>
	schema?.kind === 'training' ? 'trainer' : 'model';

function known(schema: InputSchema): string {
	const files = fileInputs(schema);
	return files.length
		? `File inputs of this ${whose(schema)}: ${files.map((f) => `${inputLabel(f.name)}${f.list ? ' (a list)' : ''}`).join(', ')}`
		: `This ${whose(schema)} declares no file inputs; its inputs: ${schema.order.join(', ')}`;
}

/**
 * The (input, binary property) pairs of item `i`, with each binary's size, in order. Fields that
 * hold binary data are taken out of `raw` (their files are sent like Binary Inputs).
 */
export async function binarySources(
	ctx: IExecuteFunctions,
	i: number,
	schema: InputSchema | undefined,
	raw: IDataObject,
): Promise<FileSource[]> {
	const pairs: Array<{ input: string; property: string }> = [];
	const entries = (ctx.getNodeParameter('binaryInputs.files', i, []) as IDataObject[]) ?? [];
	for (const entry of entries) {
		const input = String(entry.input ?? '').trim();
		if (!input) fail(ctx, i, 'A Binary Inputs entry has an empty "Input Name"');
		if (schema && !schema.properties[input])
			fail(ctx, i, `Binary Inputs: the ${whose(schema)} has no input "${input}"`, known(schema));
		const properties = String(entry.binaryProperty ?? '')
			.split(',')
			.map((p) => p.trim())
			.filter(Boolean);
		if (!properties.length)
			fail(ctx, i, `The "${FIELD}" of the Binary Input for ${inputLabel(input)} is empty`);
		for (const property of properties) pairs.push({ input, property });
	}
	for (const [input, value] of Object.entries(raw)) {
		const list = Array.isArray(value) ? value : [value];
		if (!list.length || !list.every(isBinaryData)) continue;
		for (const b of list) {
			const found = propertiesOf(ctx, i, b);
			if (found.length !== 1) {
				fail(
					ctx,
					i,
					found.length
						? `Invalid ${schema?.kind ?? 'model'} input ${inputLabel(input)}: the binary data in it could be any of ${found.join(', ')} (same type, name and size)`
						: `Invalid ${schema?.kind ?? 'model'} input ${inputLabel(input)}: it holds binary data that is not on this item`,
					found.length
						? `Name the binary property in a Binary Input (Input Name "${input}") instead.`
						: "Only this node's input item can be sent: use {{ $binary.<property> }}, or a Binary Input.",
				);
			}
			pairs.push({ input, property: found[0] });
		}
		delete raw[input];
	}
	for (const input of new Set(pairs.map((p) => p.input))) {
		const given = pairs.filter((p) => p.input === input).map((p) => p.property);
		if (given.length > 1 && schema && schema.properties[input]?.type !== 'array') {
			fail(
				ctx,
				i,
				`Invalid ${schema?.kind ?? 'model'} input ${inputLabel(input)}: it takes one file, and ${given.length} binary properties were given (${given.join(', ')})`,
				'Give one binary property, or pick an input that takes a list of files.',
			);
		}
	}
	const sources: FileSource[] = [];
	for (const { input, property } of pairs) {
		const info = await binaryInfo(ctx, i, property, FIELD);
		assertUploadable(ctx, info, i, property);
		sources.push({ input, property, info });
	}
	return sources;
}
