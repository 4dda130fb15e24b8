// The one home of parameter readers: every parameter and option of the three nodes is read here or
// through these (values, resource locators, JSON objects, options, models, deployments, prediction
// IDs, path segments, URLs). Each takes only the context it uses, so every node's context fits.
import type { IDataObject, IExecuteFunctions, ILoadOptionsFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { parseDeploymentRef, parseModelRef, type ModelRef } from './models/modelRef';

/** What a reader needs of a context: the node (for errors) and its parameters. */
export type ParameterContext = Pick<IExecuteFunctions, 'getNode' | 'getNodeParameter'>;

/** A plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A number given as a number or as a non-blank numeric string (from an expression); else NaN. */
export function numberFrom(value: unknown): number {
	if (typeof value === 'number') return value;
	return typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
}

/** `o[key]` when it is a JSON object, else undefined: answers are not trusted to have a shape. */
export function objectAt(o: IDataObject | null | undefined, key: string): IDataObject | undefined {
	const value = o?.[key];
	return isJsonObject(value) ? value : undefined;
}

/** The text of a parameter value: a resource locator's value, or the value itself, trimmed. */
export function locatorText(value: unknown): string {
	return String((isJsonObject(value) ? value.value : value) ?? '').trim();
}

/** A resource-locator (or plain) parameter of item `itemIndex`, as text. */
export function readLocator(ctx: ParameterContext, name: string, itemIndex: number): string {
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
	ctx: Pick<IExecuteFunctions, 'getNode'>,
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

/**
 * An option of item `itemIndex`'s Options collection as it is set (an expression can give any
 * type: callers check it), or `fallback` when it is not set.
 */
export function readOption(
	ctx: ParameterContext,
	itemIndex: number,
	name: string,
	fallback: unknown,
): unknown {
	return ctx.getNodeParameter(`options.${name}`, itemIndex, fallback) ?? fallback;
}

/** An option whose value is one of `choices` (the `fallback` when not set); else an error naming it. */
export function readChoice<T extends string>(
	ctx: ParameterContext,
	itemIndex: number,
	option: { name: string; displayName: string },
	choices: readonly T[],
	fallback: T,
): T {
	const value = readOption(ctx, itemIndex, option.name, fallback);
	const choice = choices.find((c) => c === value);
	if (choice === undefined) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The "${option.displayName}" option must be one of ${choices.join(', ')} (got ${JSON.stringify(value)})`,
			{ itemIndex },
		);
	}
	return choice;
}

/**
 * A model parameter (`owner/name[:version]` or a URL); throws a clear error naming the parameter.
 */
export function readModelParameter(
	ctx: ParameterContext,
	itemIndex: number,
	name = 'model',
	displayName = 'Model',
): ModelRef {
	const raw = readLocator(ctx, name, itemIndex);
	if (!raw)
		throw new NodeOperationError(ctx.getNode(), `The "${displayName}" parameter is empty`, {
			itemIndex,
			description: 'Pick a model from the list, or enter owner/name.',
		});
	const ref = parseModelRef(raw);
	if (!ref) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The "${displayName}" parameter "${raw}" is not a model reference`,
			{
				itemIndex,
				description:
					'Use owner/name (for example black-forest-labs/flux-schnell), owner/name:version, or a replicate.com model URL.',
			},
		);
	}
	return ref;
}

/** Reads the Model (and optional Version) parameters; throws a clear error naming the parameter. */
export function readModelRef(ctx: ParameterContext, itemIndex: number): ModelRef {
	const ref = readModelParameter(ctx, itemIndex);
	const picked = readOptional(ctx, 'version', itemIndex, 'Version');
	// "latest" is the Version list's first entry: run the model's latest version.
	const version = picked === 'latest' ? '' : picked;
	if (version) {
		if (!/^[A-Za-z0-9][\w.-]*$/.test(version))
			throw new NodeOperationError(
				ctx.getNode(),
				`The "Version" parameter "${version}" is not a version ID`,
				{ itemIndex },
			);
		ref.version = version;
	}
	return ref;
}

/**
 * Errors n8n raises for a parameter that is not stored or not part of this node's current form:
 * only these mean "not set". An expression that fails is never taken for an empty value.
 */
export function isParameterAbsent(error: unknown): boolean {
	const message = (error as Error | undefined)?.message ?? '';
	return /^(Could not get parameter|Could not find property)$/.test(message);
}

/** An optional parameter: empty when it is not shown here; an expression that fails surfaces. */
export function readOptional(
	ctx: ParameterContext,
	name: string,
	itemIndex: number,
	label = name,
): string {
	try {
		return readLocator(ctx, name, itemIndex);
	} catch (error) {
		if (isParameterAbsent(error)) return '';
		throw new NodeOperationError(
			ctx.getNode(),
			`The "${label}" parameter could not be resolved: ${(error as Error).message}`,
			{
				itemIndex,
				description: 'Fix the expression, or clear the parameter to use the latest version.',
			},
		);
	}
}

export function readDeploymentRef(
	ctx: ParameterContext,
	itemIndex: number,
): { owner: string; name: string } {
	const raw = readLocator(ctx, 'deployment', itemIndex);
	const ref = parseDeploymentRef(raw);
	if (!ref) {
		throw new NodeOperationError(
			ctx.getNode(),
			raw
				? `The "Deployment" parameter "${raw}" is not a deployment reference`
				: 'The "Deployment" parameter is empty',
			{
				itemIndex,
				description: 'Use owner/name of a deployment, for example acme/my-app-image-generator.',
			},
		);
	}
	return ref;
}

/**
 * A prediction (or training) ID, or its API or web URL; errors name the parameter's displayName.
 */
export function readPredictionId(
	ctx: ParameterContext,
	itemIndex: number,
	parameter = 'predictionId',
	displayName = 'Prediction ID',
): string {
	const raw = readLocator(ctx, parameter, itemIndex);
	const m = /^(?:https?:\/\/[^\s]*\/(?:predictions|p)\/)?([a-z0-9]{10,64})(?:\/cancel)?\/?$/i.exec(
		raw,
	);
	if (!m) {
		throw new NodeOperationError(
			ctx.getNode(),
			raw
				? `The "${displayName}" parameter "${raw}" is not a prediction ID`
				: `The "${displayName}" parameter is empty`,
			{
				itemIndex,
				description:
					'Use the id of a prediction (for example gm3qorzdhgbfurvjtvhg6dckhu) or its URL.',
			},
		);
	}
	return m[1];
}

/** `.` and `..` would address another endpoint (the URL parser resolves them). */
export const isDotSegment = (v: string) => /^(?:\.|%2e){1,2}$/i.test(v);

/**
 * A path segment read from a parameter; fails naming the parameter and item when empty or
 * malformed.
 */
export function segment(
	ctx: ParameterContext,
	name: string,
	label: string,
	i: number,
	pattern = /^[\w.-]+$/,
): string {
	const v = readLocator(ctx, name, i);
	if (!v || !pattern.test(v) || isDotSegment(v)) {
		throw new NodeOperationError(
			ctx.getNode(),
			v ? `The "${label}" parameter "${v}" is not valid` : `The "${label}" parameter is empty`,
			{ itemIndex: i },
		);
	}
	return encodeURIComponent(v);
}

/** `owner/name` of a model parameter, for a path (versions in the reference are ignored here). */
export function modelPath(ctx: ParameterContext, i: number): string {
	const ref = readModelParameter(ctx, i);
	return `${encodeURIComponent(ref.owner)}/${encodeURIComponent(ref.name)}`;
}

export function httpUrl(
	ctx: Pick<IExecuteFunctions, 'getNode'>,
	label: string,
	value: unknown,
	i: number,
	kind: 'parameter' | 'option' = 'parameter',
): string | undefined {
	const v = String(value ?? '').trim();
	if (!v) return undefined;
	let ok = false;
	try {
		ok = /^https?:$/.test(new URL(v).protocol);
	} catch {
		ok = false;
	}
	if (!ok)
		throw new NodeOperationError(
			ctx.getNode(),
			`The "${label}" ${kind} "${v}" is not an http(s) URL`,
			{ itemIndex: i },
		);
	return v;
}
