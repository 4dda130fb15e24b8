// What a Run points at (a model, a model version or a deployment) resolved to the create endpoint and
// the version's OpenAPI schema. Versions are immutable, so their schemas are cached across executions;
// a model's latest version is re-read after a minute.
import type { IDataObject, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { apiRequest, asNodeError, type ApiRequest, type ApiResponse, type ReplicateContext } from '../transport';
import type { ModelRef } from './modelRef';

export interface Target {
	/** Endpoint that creates the prediction. */
	createPath: string;
	/** The `version` body field for POST /predictions. */
	version?: string;
	/** `owner/name` of the model that runs. */
	model: string;
	openapi?: IDataObject | null;
}

const VERSION_CACHE = new Map<string, IDataObject | null>();
const MODEL_CACHE = new Map<string, { at: number; model: IDataObject }>();
const MODEL_TTL_MS = 60_000;

const get = async (ctx: ReplicateContext, path: string, itemIndex?: number) =>
	(await apiRequest.call<ReplicateContext, [ApiRequest], Promise<ApiResponse<IDataObject>>>(ctx, { method: 'GET', path, itemIndex })).body;

/** A 404 on what a Run points at, as an error that names it (Replicate's own says only "Not found."). */
async function named<T>(
	ctx: ReplicateContext,
	what: string,
	itemIndex: number | undefined,
	load: () => Promise<T>,
): Promise<T> {
	try {
		return await load();
	} catch (error) {
		if (!(error instanceof NodeApiError) || error.httpCode !== '404') throw asNodeError(ctx, error, itemIndex);
		const item = itemIndex === undefined ? '' : ` [item ${itemIndex}]`;
		throw new NodeApiError(ctx.getNode(), { status: 404 } as JsonObject, {
			message: `${what} was not found on Replicate${item}`,
			description:
				'Check the owner/name (as in replicate.com/owner/name) or pick it from the list. ' +
				"A private one is visible only with its owner's API token.",
			httpCode: '404',
			itemIndex,
		});
	}
}

export async function versionSchema(ctx: ReplicateContext, model: string, version: string, itemIndex?: number): Promise<IDataObject | null> {
	const key = `${model}:${version}`;
	if (VERSION_CACHE.has(key)) return VERSION_CACHE.get(key) as IDataObject | null;
	const path = `/models/${model}/versions/${encodeURIComponent(version)}`;
	const v = await named(ctx, `Version ${version} of ${model}`, itemIndex, () => get(ctx, path, itemIndex));
	const schema = (v.openapi_schema as IDataObject | null) ?? null;
	if (VERSION_CACHE.size > 500) VERSION_CACHE.clear();
	VERSION_CACHE.set(key, schema);
	return schema;
}

export async function getModel(ctx: ReplicateContext, owner: string, name: string, itemIndex?: number): Promise<IDataObject> {
	const key = `${owner}/${name}`;
	const cached = MODEL_CACHE.get(key);
	if (cached && Date.now() - cached.at < MODEL_TTL_MS) return cached.model;
	const path = `/models/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
	const model = await named(ctx, `Model ${key}`, itemIndex, () => get(ctx, path, itemIndex));
	if (MODEL_CACHE.size > 500) MODEL_CACHE.clear();
	MODEL_CACHE.set(key, { at: Date.now(), model });
	return model;
}

export async function resolveModel(ctx: ReplicateContext, ref: ModelRef, itemIndex?: number): Promise<Target> {
	const model = `${ref.owner}/${ref.name}`;
	if (ref.version) {
		return { createPath: '/predictions', version: ref.version, model, openapi: await versionSchema(ctx, model, ref.version, itemIndex) };
	}
	const m = await getModel(ctx, ref.owner, ref.name, itemIndex);
	const latest = m.latest_version as IDataObject | null | undefined;
	if (m.is_official) {
		return { createPath: `/models/${model}/predictions`, model, openapi: (latest?.openapi_schema as IDataObject | undefined) ?? null };
	}
	if (!latest?.id) {
		throw new NodeOperationError(ctx.getNode(), `The model ${model} has no versions to run${itemIndex === undefined ? '' : ` [item ${itemIndex}]`}`, {
			itemIndex,
			description: 'Push a version to it, or pick another model.',
		});
	}
	if (latest.openapi_schema) VERSION_CACHE.set(`${model}:${latest.id}`, latest.openapi_schema as IDataObject);
	return { createPath: '/predictions', version: latest.id as string, model, openapi: (latest.openapi_schema as IDataObject | undefined) ?? null };
}

export async function resolveDeployment(ctx: ReplicateContext, owner: string, name: string, itemIndex?: number): Promise<Target> {
	const path = `/deployments/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
	const d = await named(ctx, `Deployment ${owner}/${name}`, itemIndex, () => get(ctx, path, itemIndex));
	const release = (d.current_release ?? {}) as IDataObject;
	const model = String(release.model ?? '');
	const openapi = model && release.version ? await versionSchema(ctx, model, String(release.version), itemIndex) : null;
	return { createPath: `/deployments/${owner}/${name}/predictions`, model, openapi };
}
