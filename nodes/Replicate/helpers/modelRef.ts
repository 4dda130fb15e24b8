// Parsing what users type for a model, version, deployment or prediction.
import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeParameterResourceLocator,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export interface ModelRef {
	owner: string;
	name: string;
	version?: string;
}

const REF = /^([A-Za-z0-9][\w.-]*)\/([A-Za-z0-9][\w.-]*)(?::([A-Za-z0-9][\w.-]*))?$/;

/** `owner/name`, `owner/name:version`, or a replicate.com URL (`…/owner/name[/versions/<id>]`). */
export function parseModelRef(raw: string): ModelRef | undefined {
	const value = raw.trim();
	const url =
		/^https?:\/\/[^/]+\/([^/?#]+)\/([^/?#]+)(?:\/versions\/([^/?#]+))?\/?(?:[?#].*)?$/.exec(value);
	if (url) return { owner: url[1], name: url[2], version: url[3] };
	const m = REF.exec(value);
	return m ? { owner: m[1], name: m[2], version: m[3] } : undefined;
}

function rlcValue(
	ctx: IExecuteFunctions | ILoadOptionsFunctions,
	name: string,
	itemIndex?: number,
): string {
	const v =
		itemIndex === undefined
			? (ctx as ILoadOptionsFunctions).getNodeParameter(name, '', { extractValue: true })
			: (ctx as IExecuteFunctions).getNodeParameter(name, itemIndex, '', { extractValue: true });
	if (v && typeof v === 'object') return String((v as INodeParameterResourceLocator).value ?? '');
	return String(v ?? '').trim();
}

/** Reads the Model (and optional Version) parameters; throws a clear error naming the parameter. */
export function readModelRef(ctx: IExecuteFunctions, itemIndex: number): ModelRef {
	const raw = rlcValue(ctx, 'model', itemIndex);
	if (!raw)
		throw new NodeOperationError(ctx.getNode(), 'The "Model" parameter is empty', {
			itemIndex,
			description: 'Pick a model from the list, or enter owner/name.',
		});
	const ref = parseModelRef(raw);
	if (!ref) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The "Model" parameter "${raw}" is not a model reference`,
			{
				itemIndex,
				description:
					'Use owner/name (for example black-forest-labs/flux-schnell), owner/name:version, or a replicate.com model URL.',
			},
		);
	}
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
		return rlcValue(ctx, name, itemIndex);
	} catch (error) {
		if (isParameterAbsent(error)) return '';
		throw new NodeOperationError(
			ctx.getNode(),
			`The "${label}" parameter could not be resolved: ${(error as Error).message} [item ${itemIndex}]`,
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
	const raw = rlcValue(ctx, 'deployment', itemIndex);
	const m =
		/^(?:https?:\/\/[^/]+\/deployments\/)?([A-Za-z0-9][\w.-]*)\/([A-Za-z0-9][\w.-]*)\/?$/.exec(raw);
	if (!m) {
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
	return { owner: m[1], name: m[2] };
}

/** A prediction ID, or its API or web URL. */
export function readPredictionId(
	ctx: IExecuteFunctions,
	itemIndex: number,
	parameter = 'predictionId',
): string {
	const raw = rlcValue(ctx, parameter, itemIndex);
	const m = /^(?:https?:\/\/[^\s]*\/(?:predictions|p)\/)?([a-z0-9]{10,64})(?:\/cancel)?\/?$/i.exec(
		raw,
	);
	if (!m) {
		throw new NodeOperationError(
			ctx.getNode(),
			raw
				? `The "Prediction ID" parameter "${raw}" is not a prediction ID`
				: 'The "Prediction ID" parameter is empty',
			{
				itemIndex,
				description:
					'Use the id of a prediction (for example gm3qorzdhgbfurvjtvhg6dckhu) or its URL.',
			},
		);
	}
	return m[1];
}
