// Parsing what users type for a model, version, deployment or prediction: the one reader of
// `owner/name`.
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readLocator } from '../readers';

export interface ModelRef {
	owner: string;
	name: string;
	version?: string;
}

/** A name as Replicate allows it (an owner, model, deployment or version): no "." or ".." alone. */
const NAME = '[A-Za-z0-9][\\w.-]*';
const OWNER_NAME = new RegExp(`^(${NAME})\\/(${NAME})$`);
const REF = new RegExp(`^(${NAME})\\/(${NAME})(?::(${NAME}))?$`);
const MODEL_URL = new RegExp(
	`^https?:\\/\\/[^/]+\\/(${NAME})\\/(${NAME})(?:\\/versions\\/(${NAME}))?\\/?(?:[?#].*)?$`,
);
const DEPLOYMENT_URL = new RegExp(`^https?:\\/\\/[^/]+\\/deployments\\/(${NAME}\\/${NAME})\\/?$`);

/** `owner/name` exactly (a deployment, a training's destination, a prediction's model). */
export function parseOwnerName(raw: string): { owner: string; name: string } | undefined {
	const m = OWNER_NAME.exec(raw.trim());
	return m ? { owner: m[1], name: m[2] } : undefined;
}

/** `owner/name`, `owner/name:version`, or a replicate.com URL (`…/owner/name[/versions/<id>]`). */
export function parseModelRef(raw: string): ModelRef | undefined {
	const value = raw.trim();
	const m = MODEL_URL.exec(value) ?? REF.exec(value);
	return m ? { owner: m[1], name: m[2], version: m[3] } : undefined;
}

/** A deployment's `owner/name`, or its replicate.com URL (`…/deployments/owner/name`). */
export function parseDeploymentRef(raw: string): { owner: string; name: string } | undefined {
	const value = raw.trim().replace(/\/$/, '');
	return parseOwnerName(DEPLOYMENT_URL.exec(value)?.[1] ?? value);
}

/**
 * A model parameter (`owner/name[:version]` or a URL); throws a clear error naming the parameter.
 */
export function readModelParameter(
	ctx: IExecuteFunctions,
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
export function readModelRef(ctx: IExecuteFunctions, itemIndex: number): ModelRef {
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
	ctx: IExecuteFunctions,
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
	ctx: IExecuteFunctions,
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
	ctx: IExecuteFunctions,
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
