// Helpers of the editor methods: a model's input schema as mapper fields, and the Version list's
// "latest" entry. (Not in methods/index: every export there must be an editor method.)
import type { FieldType, ResourceMapperField } from 'n8n-workflow';

import { fileKind, humanise } from '../../common/models/inputs';
import { isSecret, type InputSchema, type JsonSchema } from '../../common/models/schema';

/** Replicate's version IDs are 64 hexadecimal characters (a SHA-256). */
export const VERSION_ID = /^[a-f0-9]{64}$/i;
/** The Version list's entry that stands for "the model's latest version". */
export const LATEST = 'latest';

function fieldType(s: JsonSchema): FieldType {
	if (Array.isArray(s.enum)) return 'options';
	switch (s.type) {
		case 'integer':
		case 'number':
			return 'number';
		case 'boolean':
			return 'boolean';
		case 'array':
			return 'array';
		case 'object':
			return 'object';
		default:
			return 'string';
	}
}

/**
 * Fields for the mapper. The label is the humanised property name: Cog copies the property name
 * into the `title` of a referenced enum schema, and descriptions do not fit in a label.
 *
 * A file input is never marked required here, even when the model requires it: n8n checks a
 * required mapper field in the editor and at activation and cannot know that a Binary Input (or a
 * binary expression in the field) fills it, so it would block the run. The node checks it before
 * anything is sent (prepareInput).
 */
export function toResourceMapperFields(schema: InputSchema): ResourceMapperField[] {
	return schema.order.map((id) => {
		const s = schema.properties[id];
		if (isSecret(s)) {
			// The mapper has no password fields (n8n 2.8–2.41): a secret is entered under Secret Inputs,
			// a password field, and is shown here only so the user knows it exists.
			return {
				id,
				displayName: `${humanise(id)} (Secret: Set It Under Secret Inputs)`,
				required: false,
				defaultMatch: false,
				canBeUsedToMatch: false,
				display: true,
				readOnly: true,
				type: 'string',
			};
		}
		const required = schema.required.includes(id) && !fileKind(s);
		const field: ResourceMapperField = {
			id,
			displayName: humanise(id),
			required,
			defaultMatch: false,
			canBeUsedToMatch: false,
			display: true,
			type: fieldType(s),
		};
		if (Array.isArray(s.enum)) {
			field.options = s.enum.map((v) => ({ name: String(v), value: v as string | number }));
		}
		const def = s.default;
		if (def !== undefined && (typeof def !== 'object' || def === null)) {
			field.defaultValue = def as string | number | boolean;
		} else if (def !== undefined) {
			field.defaultValue = JSON.stringify(def);
		} else if (!required && (s.type === 'array' || s.type === 'object')) {
			// The editor shows these in a JSON editor, which marks an empty text as an error. Left as
			// it is, the run leaves the input out (helpers/schema.ts).
			field.defaultValue = s.type === 'array' ? '[]' : '{}';
		}
		return field;
	});
}
