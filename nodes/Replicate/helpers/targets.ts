// What a Run points at (a model, a model version or a deployment) resolved to the create endpoint and
// the version's OpenAPI schema. Versions are immutable, so their schemas are cached across executions;
// a model's latest version is re-read after a minute.
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { apiRequest, type ApiRequest, type ApiResponse, type ReplicateContext } from '../transport';
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
	(await apiRequest.call<ReplicateContext, [ApiRequest], Promise<ApiResponse<IDataObject>>>(ctx, { method: 'GET', path, itemIndex, retry: 'read' })).body;

export async function versionSchema(ctx: ReplicateContext, model: string, version: string, itemIndex?: number): Promise<IDataObject | null> {
	const key = `${model}:${version}`;
	if (VERSION_CACHE.has(key)) return VERSION_CACHE.get(key) as IDataObject | null;
	const v = await get(ctx, `/models/${model}/versions/${encodeURIComponent(version)}`, itemIndex);
	const schema = (v.openapi_schema as IDataObject | null) ?? null;
	if (VERSION_CACHE.size > 500) VERSION_CACHE.clear();
	VERSION_CACHE.set(key, schema);
	return schema;
}

export async function getModel(ctx: ReplicateContext, owner: string, name: string, itemIndex?: number): Promise<IDataObject> {
	const key = `${owner}/${name}`;
	const cached = MODEL_CACHE.get(key);
	if (cached && Date.now() - cached.at < MODEL_TTL_MS) return cached.model;
	const model = await get(ctx, `/models/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`, itemIndex);
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
	const d = await get(ctx, `/deployments/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`, itemIndex);
	const release = (d.current_release ?? {}) as IDataObject;
	const model = String(release.model ?? '');
	const openapi = model && release.version ? await versionSchema(ctx, model, String(release.version), itemIndex) : null;
	return { createPath: `/deployments/${owner}/${name}/predictions`, model, openapi };
}
