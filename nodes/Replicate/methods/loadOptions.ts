import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { fileInputs, humanise } from '../../common/models/inputs';
import { apiRequest } from '../../common/transport';
import type { InputKind } from '../../common/models/schema';
import { editorSchema } from './editorTarget';

export async function getHardware(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const res = await apiRequest<IDataObject[]>(this, {
		method: 'GET',
		path: '/hardware',
		retry: 'read',
	});
	return res.body.map((h) => ({
		name: String(h.name),
		value: String(h.sku),
		description: String(h.sku),
	}));
}

/**
 * Binary Inputs → Input Name: the chosen model's file inputs (`format: uri` strings and lists of
 * them), in the schema's order. The editor shows an error text in the list when there is nothing to
 * offer; an expression still names any input.
 */
async function fileInputsOf(
	ctx: ILoadOptionsFunctions,
	kind: InputKind,
): Promise<INodePropertyOptions[]> {
	const found = await editorSchema(ctx, kind);
	if ('notice' in found) throw new NodeOperationError(ctx.getNode(), found.notice);
	const files = fileInputs(found.schema);
	if (!files.length) {
		throw new NodeOperationError(
			ctx.getNode(),
			`This ${kind === 'training' ? 'trainer' : 'model'} declares no file inputs (format: uri); an expression can still name an input`,
		);
	}
	return files.map((f) => ({
		name: `${humanise(f.name)}${f.list ? ' (List of Files)' : ''}`,
		value: f.name,
		description: [
			f.name,
			f.required ? 'required' : 'optional',
			f.list ? 'several binary properties, comma-separated' : 'one file',
		].join(' · '),
	}));
}

export async function getFileInputs(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return await fileInputsOf(this, 'model');
}

/** Training → Create's Binary Inputs → Input Name: the trainer's file training inputs. */
export async function getTrainingFileInputs(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	return await fileInputsOf(this, 'training');
}
