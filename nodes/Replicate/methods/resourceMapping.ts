// The Model Inputs field mapper.
import type { ILoadOptionsFunctions, ResourceMapperFields } from 'n8n-workflow';

import { editorSchema } from './editorTarget';
import { toResourceMapperFields } from './mapperFields';

/** The editor renders the notice as HTML; what the user typed and what Replicate said is text. */
const escape = (text: string) =>
	text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The chosen model's (or deployment's) input schema as fields: types, options, defaults, x-order.
 */
export async function getInputFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const found = await editorSchema(this);
	if ('notice' in found) return { fields: [], emptyFieldsNotice: escape(found.notice) };
	return { fields: toResourceMapperFields(found.schema) };
}
