// What a Run points at (a model, a model version or a deployment) resolved to the create endpoint
// and the version's OpenAPI schema. Versions are immutable, so their schemas are cached across
// executions; a model's latest version is re-read after a minute.
import type { IDataObject, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { apiRequest, asNodeError, connection, type ReplicateContext } from '../transport';
import { parseOwnerName, type ModelRef } from './modelRef';
import { objectAt } from '../readers';

export interface Target {
	/** Endpoint that creates the prediction. */
	createPath: string;
	/** The `version` body field for POST /predictions. */
	version?: string;
	/** `owner/name` of the model that runs. */
	model: string;
	openapi?: IDataObject | null;
}

// Caches per process, keyed by the Base URL and a digest of the token: one account's private
// models never answer another's lookups. A miss in flight is shared (single flight).
const VERSION_CACHE = new Map<string, Promise<IDataObject | null>>();
const MODEL_CACHE = new Map<string, { at: number; model: Promise<IDataObject> }>();
const MODEL_TTL_MS = 60_000;
const MAX_ENTRIES = 500;

const get = async (ctx: ReplicateContext, path: string, itemIndex?: number) =>
	(
		await apiRequest(ctx, {
			method: 'GET',
			path,
			itemIndex,
			retry: 'read',
		})
	).body;

/**
 * A 404 on what a Run points at, as an error that names it (Replicate's own says only "Not
 * found.").
 */
async function named<T>(
	ctx: ReplicateContext,
	what: string,
	itemIndex: number | undefined,
	load: () => Promise<T>,
): Promise<T> {
	try {
		return await load();
	} catch (error) {
		if (!(error instanceof NodeApiError) || error.httpCode !== '404')
			throw asNodeError(ctx, error, itemIndex);
		const notFound = new NodeApiError(ctx.getNode(), { status: 404 } as JsonObject, {
			message: `${what} was not found on Replicate`,
			description:
				'Check the owner/name (as in replicate.com/owner/name) or pick it from the list. ' +
				"A private one is visible only with its owner's API token.",
			httpCode: '404',
			itemIndex,
		});
		notFound.context.aboutInput = true; // the item named it: the router says which item
		throw notFound;
	}
}

const seg = (v: string) => encodeURIComponent(v);

export async function versionSchema(
	ctx: ReplicateContext,
	model: string,
	version: string,
	itemIndex?: number,
): Promise<IDataObject | null> {
	const { key: who } = await connection.call(ctx);
	const key = `${who} ${model}:${version}`;
	let entry = VERSION_CACHE.get(key);
	const ref = parseOwnerName(model);
	if (!ref) return null; // not a model Replicate could have named
	if (!entry) {
		const { owner, name } = ref;
		const path = `/models/${seg(owner)}/${seg(name)}/versions/${seg(version)}`;
		entry = named(ctx, `Version ${version} of ${model}`, itemIndex, () =>
			get(ctx, path, itemIndex),
		).then((v) => (v.openapi_schema as IDataObject | null) ?? null);
		if (VERSION_CACHE.size >= MAX_ENTRIES) VERSION_CACHE.clear();
		VERSION_CACHE.set(key, entry);
		entry.catch(() => VERSION_CACHE.get(key) === entry && VERSION_CACHE.delete(key));
	}
	return await entry;
}

export async function getModel(
	ctx: ReplicateContext,
	owner: string,
	name: string,
	itemIndex?: number,
): Promise<IDataObject> {
	const { key: who } = await connection.call(ctx);
	const key = `${who} ${owner}/${name}`;
	const cached = MODEL_CACHE.get(key);
	if (cached && Date.now() - cached.at < MODEL_TTL_MS) return await cached.model;
	const path = `/models/${seg(owner)}/${seg(name)}`;
	const model = named(ctx, `Model ${owner}/${name}`, itemIndex, () => get(ctx, path, itemIndex));
	if (MODEL_CACHE.size >= MAX_ENTRIES) MODEL_CACHE.clear();
	const entry = { at: Date.now(), model };
	MODEL_CACHE.set(key, entry);
	model.then(
		(m) => {
			const latest = objectAt(m, 'latest_version');
			const schema = objectAt(latest, 'openapi_schema');
			if (latest?.id && schema && !VERSION_CACHE.has(`${who} ${owner}/${name}:${latest.id}`)) {
				VERSION_CACHE.set(`${who} ${owner}/${name}:${latest.id}`, Promise.resolve(schema));
			}
		},
		() => MODEL_CACHE.get(key) === entry && MODEL_CACHE.delete(key),
	);
	return await model;
}

/**
 * The OpenAPI schema of an existing prediction's version (for file detection and text joining), or
 * null when it cannot be had (no model or version given, the lookup failed).
 */
export async function schemaOfPrediction(
	ctx: ReplicateContext,
	p: IDataObject,
	itemIndex?: number,
): Promise<IDataObject | null> {
	const model = String(p.model ?? '');
	const version = String(p.version ?? '');
	const ref = parseOwnerName(model);
	if (!ref) return null;
	try {
		if (version && version !== 'hidden') return await versionSchema(ctx, model, version, itemIndex);
		const m = await getModel(ctx, ref.owner, ref.name, itemIndex);
		return objectAt(objectAt(m, 'latest_version'), 'openapi_schema') ?? null;
	} catch {
		return null;
	}
}

export async function resolveModel(
	ctx: ReplicateContext,
	ref: ModelRef,
	itemIndex?: number,
): Promise<Target> {
	const model = `${ref.owner}/${ref.name}`;
	if (ref.version) {
		return {
			createPath: '/predictions',
			version: ref.version,
			model,
			openapi: await versionSchema(ctx, model, ref.version, itemIndex),
		};
	}
	const m = await getModel(ctx, ref.owner, ref.name, itemIndex);
	const latest = objectAt(m, 'latest_version');
	const openapi = objectAt(latest, 'openapi_schema') ?? null;
	if (m.is_official) {
		return {
			createPath: `/models/${seg(ref.owner)}/${seg(ref.name)}/predictions`,
			model,
			openapi,
		};
	}
	if (!latest?.id) {
		throw new NodeOperationError(ctx.getNode(), `The model ${model} has no versions to run`, {
			itemIndex,
			description: 'Push a version to it, or pick another model.',
		});
	}
	return {
		createPath: '/predictions',
		version: String(latest.id),
		model,
		openapi,
	};
}

export async function resolveDeployment(
	ctx: ReplicateContext,
	owner: string,
	name: string,
	itemIndex?: number,
): Promise<Target> {
	const path = `/deployments/${seg(owner)}/${seg(name)}`;
	const d = await named(ctx, `Deployment ${owner}/${name}`, itemIndex, () =>
		get(ctx, path, itemIndex),
	);
	const release = objectAt(d, 'current_release') ?? {};
	const model = String(release.model ?? '');
	const openapi =
		model && release.version
			? await versionSchema(ctx, model, String(release.version), itemIndex)
			: null;
	return { createPath: `/deployments/${seg(owner)}/${seg(name)}/predictions`, model, openapi };
}

/** The version a model reference names, or the model's latest; fails when the model has none. */
export async function versionOrLatest(
	ctx: ReplicateContext,
	ref: ModelRef,
	itemIndex: number,
	purpose: 'deploy' | 'train',
): Promise<string> {
	const version = ref.version ?? (await resolveModel(ctx, ref, itemIndex)).version;
	if (!version)
		throw new NodeOperationError(
			ctx.getNode(),
			`The model ${ref.owner}/${ref.name} has no version to ${purpose}`,
			{ itemIndex },
		);
	return version;
}
