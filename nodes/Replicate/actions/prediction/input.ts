// The target (model, version or deployment) and the checked model input of an item: fields or
// JSON plus binary inputs, everything checkable locally checked before any upload or prediction.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { dataUri, DATA_URI_MAX_BYTES, uploadBinary } from '../../../common/files/files';
import { inputSchema, prepareInput, type InputKind } from '../../../common/models/schema';
import {
	readDeploymentRef,
	readJsonObject,
	readModelRef,
	readOption,
} from '../../../common/readers';
import { resolveDeployment, resolveModel, type Target } from '../../../common/models/targets';
import type { Batch } from '../types';
import { binarySources } from './binaryInputs';
import { fail } from './options';

export function memo<T>(batch: Batch, key: string, fn: () => Promise<T>): Promise<T> {
	let p = batch.memo.get(key) as Promise<T> | undefined;
	if (!p) {
		p = fn();
		batch.memo.set(key, p);
		p.catch(() => batch.memo.delete(key));
	}
	return p;
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

/** The Secret Inputs entries of item `i` (password fields): input name → value. */
function readSecretInputs(ctx: IExecuteFunctions, i: number): IDataObject {
	const out: IDataObject = {};
	const entries = (ctx.getNodeParameter('secretInputs.values', i, []) as IDataObject[]) ?? [];
	for (const e of entries) {
		const name = String(e.name ?? '').trim();
		if (!name) fail(ctx, i, 'A Secret Inputs entry has an empty "Input Name"');
		out[name] = e.value as IDataObject[string];
	}
	return out;
}

/**
 * The input of item `i` (a model's, or with `kind` training a trainer's): fields or JSON, secret
 * inputs, plus binary inputs, checked against the version's schema. Everything that can be checked
 * locally is checked before any upload, prediction or training.
 */
export async function readInput(
	ctx: IExecuteFunctions,
	i: number,
	target: Target,
	kind: InputKind = 'model',
): Promise<IDataObject> {
	const mode = ctx.getNodeParameter('inputMode', i, 'fields') as string;
	const raw: IDataObject =
		mode === 'json'
			? parseJsonInput(ctx, i)
			: { ...((ctx.getNodeParameter('inputFields.value', i, {}) as IDataObject | null) ?? {}) };
	Object.assign(raw, readSecretInputs(ctx, i));
	const schema = inputSchema(target.openapi, kind);
	const infos = await binarySources(ctx, i, schema, raw);
	const fileFields = [...new Set(infos.map((f) => f.input))];
	for (const field of fileFields)
		raw[field] =
			schema?.properties[field]?.type === 'array' ? ['data:,placeholder'] : 'data:,placeholder';
	const input = prepareInput(ctx.getNode(), schema, raw, i, fileFields);

	// Training data (a zip of images) always goes through the Files API.
	const encoding =
		kind === 'training' ? 'upload' : String(readOption(ctx, i, 'binaryEncoding', 'auto'));
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
