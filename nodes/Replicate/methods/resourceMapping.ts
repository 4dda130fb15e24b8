// The Model Inputs field mapper, and Training → Create's Training Inputs.
import type { ILoadOptionsFunctions, ResourceMapperFields } from 'n8n-workflow';

import type { InputKind } from '../../common/models/schema';
import { editorSchema } from './editorTarget';
import { toResourceMapperFields } from './mapperFields';

/** The editor renders the notice as HTML; what the user typed and what Replicate said is text. */
const escape = (text: string) =>
	text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The chosen model's (or deployment's) input schema as fields: types, options, defaults, x-order.
 */
async function fieldsOf(
	ctx: ILoadOptionsFunctions,
	kind: InputKind,
): Promise<ResourceMapperFields> {
	const found = await editorSchema(ctx, kind);
	if ('notice' in found) return { fields: [], emptyFieldsNotice: escape(found.notice) };
	return { fields: toResourceMapperFields(found.schema) };
}

export async function getInputFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	return await fieldsOf(this, 'model');
}

/** Training → Create: the trainer version's `TrainingInput` as fields. */
export async function getTrainingInputFields(
	this: ILoadOptionsFunctions,
): Promise<ResourceMapperFields> {
	return await fieldsOf(this, 'training');
}
