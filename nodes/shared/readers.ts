// Readers for parameter values, one each: a resource locator's value and a JSON object.
import type { IDataObject, IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** A plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `o[key]` when it is a JSON object, else undefined: answers are not trusted to have a shape. */
/** A number given as a number or as a non-blank numeric string (from an expression); else NaN. */
export function numberFrom(value: unknown): number {
	if (typeof value === 'number') return value;
	return typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
}

export function objectAt(o: IDataObject | null | undefined, key: string): IDataObject | undefined {
	const value = o?.[key];
	return isJsonObject(value) ? value : undefined;
}

/** The text of a parameter value: a resource locator's value, or the value itself, trimmed. */
export function locatorText(value: unknown): string {
	return String((isJsonObject(value) ? value.value : value) ?? '').trim();
}

/** A resource-locator (or plain) parameter of item `itemIndex`, as text. */
export function readLocator(ctx: IExecuteFunctions, name: string, itemIndex: number): string {
	return locatorText(ctx.getNodeParameter(name, itemIndex, '', { extractValue: true }));
}

/** The same for the editor's methods, which have no item. */
export function readEditorLocator(ctx: ILoadOptionsFunctions, name: string): string {
	return locatorText(ctx.getNodeParameter(name, '', { extractValue: true }));
}

/**
 * A JSON-object parameter (an object, or text holding one; empty means `{}`); fails naming the
 * parameter by its displayName. `example` is shown in the error when the value is not an object.
 */
export function readJsonObject(
	ctx: IExecuteFunctions,
	displayName: string,
	value: unknown,
	itemIndex: number,
	example?: string,
): IDataObject {
	if (isJsonObject(value)) return value;
	const text = String(value ?? '').trim() || '{}';
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (e) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The "${displayName}" parameter is not valid JSON: ${(e as Error).message}`,
			{ itemIndex },
		);
	}
	if (!isJsonObject(parsed)) {
		const like = example ? `, like ${example}` : '';
		throw new NodeOperationError(
			ctx.getNode(),
			`The "${displayName}" parameter must be a JSON object${like}`,
			{ itemIndex },
		);
	}
	return parsed;
}
