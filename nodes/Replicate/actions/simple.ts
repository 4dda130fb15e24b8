// One request per item: most Get, Get Many, Delete and Update operations are just this. A factory
// keeps them one declaration each instead of thirty near-copies.
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	INodeProperties,
} from 'n8n-workflow';

import {
	apiRequest,
	apiRequestAllItems,
	type ApiRequest,
	type RetryPolicy,
} from '../../common/transport';
import { returnAllOrLimit } from './common.descriptions';
import { jsonItems, type Operation } from './types';

/** A GET is a read; every other method declares how it may be retried (see RetryPolicy). */
type MethodAndRetry =
	| { method?: 'GET'; retry?: 'read' }
	| { method: Exclude<IHttpRequestMethods, 'GET'>; retry: RetryPolicy };

/** What the operation makes of Replicate's answer. */
export type SimpleResponse =
	/** The JSON answer as it is (the default). */
	| 'body'
	/** A cursor-paginated list, one item per result: adds Return All / Limit. */
	| 'list'
	/** `{ deleted: true }` (Replicate answers 204/202 with no body). */
	| 'deleted'
	/** A plain-text answer (a README) as `{ text }`. */
	| 'text'
	/** The answer reshaped (e.g. search results into one item per model). */
	| { transform: (body: IDataObject) => IDataObject[] };

export type SimpleSpec = MethodAndRetry & {
	resource: string;
	operation: string;
	path(this: IExecuteFunctions, i: number): string;
	fields?: INodeProperties[];
	qs?(this: IExecuteFunctions, i: number): IDataObject;
	body?(this: IExecuteFunctions, i: number): IDataObject;
	response?: SimpleResponse;
	/** Adds a Simplify toggle that applies this to each result. */
	simplify?: (o: IDataObject) => IDataObject;
};

export function withDisplay(
	resource: string,
	operation: string,
	fields: INodeProperties[],
): INodeProperties[] {
	return fields.map((p) => ({
		...p,
		displayOptions: {
			...(p.displayOptions ?? {}),
			show: { resource: [resource], operation: [operation], ...(p.displayOptions?.show ?? {}) },
		},
	}));
}

const simplifyToggle: INodeProperties = {
	displayName: 'Simplify',
	name: 'simplify',
	type: 'boolean',
	default: true,
	description: 'Whether to leave out the large fields (examples, OpenAPI schemas)',
};

/** Replicate's answer to the request of item `i`, shaped as `response` says. */
async function answer(
	ctx: IExecuteFunctions,
	spec: SimpleSpec,
	i: number,
): Promise<IDataObject | IDataObject[]> {
	const path = spec.path.call(ctx, i);
	const qs = spec.qs?.call(ctx, i);
	const response = spec.response ?? 'body';
	if (response === 'list') {
		const returnAll = ctx.getNodeParameter('returnAll', i, false) as boolean;
		const limit = returnAll ? undefined : (ctx.getNodeParameter('limit', i, 50) as number);
		return await apiRequestAllItems<IDataObject>(ctx, { path, qs, itemIndex: i }, limit);
	}
	const request: ApiRequest = {
		method: spec.method ?? 'GET',
		path,
		qs,
		body: spec.body?.call(ctx, i),
		itemIndex: i,
		retry: spec.retry ?? 'read',
	};
	if (response === 'text') {
		const res = await apiRequest<string>(ctx, { ...request, text: true });
		return { text: res.body };
	}
	const res = await apiRequest(ctx, request);
	if (response === 'deleted') return { deleted: true };
	if (response === 'body') return res.body;
	return response.transform(res.body);
}

export function simpleOperation(spec: SimpleSpec): Operation {
	const fields = [
		...(spec.fields ?? []),
		...(spec.response === 'list' ? returnAllOrLimit : []),
		...(spec.simplify ? [simplifyToggle] : []),
	];
	const simplify = spec.simplify;
	return {
		description: withDisplay(spec.resource, spec.operation, fields),
		async execute(i) {
			let result = await answer(this, spec, i);
			if (simplify && this.getNodeParameter('simplify', i, true)) {
				result = Array.isArray(result) ? result.map(simplify) : simplify(result);
			}
			return jsonItems(result);
		},
	};
}
