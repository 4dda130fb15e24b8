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
	type ApiResponse,
	type RetryPolicy,
} from '../transport';
import { returnAllOrLimit } from './common.descriptions';
import type { Operation } from './types';

/** A GET is a read; every other method declares how it may be retried (see RetryPolicy). */
type MethodAndRetry =
	| { method?: 'GET'; retry?: 'read' }
	| { method: Exclude<IHttpRequestMethods, 'GET'>; retry: RetryPolicy };

export type SimpleSpec = MethodAndRetry & {
	resource: string;
	operation: string;
	path(this: IExecuteFunctions, i: number): string;
	fields?: INodeProperties[];
	qs?(this: IExecuteFunctions, i: number): IDataObject;
	body?(this: IExecuteFunctions, i: number): IDataObject;
	/** A cursor-paginated list: adds Return All / Limit. */
	list?: boolean;
	/** Answer `{ deleted: true }` (Replicate answers 204/202 with no body). */
	deleted?: boolean;
	/** Adds a Simplify toggle that applies this to each result. */
	simplify?: (o: IDataObject) => IDataObject;
	text?: boolean;
	/** Reshapes the answer (e.g. search results into one item per model). */
	transform?: (body: IDataObject) => IDataObject[];
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

export function simpleOperation(spec: SimpleSpec): Operation {
	const fields = [...(spec.fields ?? []), ...(spec.list ? returnAllOrLimit : [])];
	if (spec.simplify) {
		fields.push({
			displayName: 'Simplify',
			name: 'simplify',
			type: 'boolean',
			default: true,
			description: 'Whether to leave out the large fields (examples, OpenAPI schemas)',
		});
	}
	return {
		description: withDisplay(spec.resource, spec.operation, fields),
		async execute(i) {
			const path = spec.path.call(this, i);
			const qs = spec.qs?.call(this, i);
			let result: IDataObject | IDataObject[];
			if (spec.list) {
				const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
				const limit = returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number);
				result = await apiRequestAllItems.call<
					IExecuteFunctions,
					[Omit<ApiRequest, 'method' | 'retry'>, number | undefined],
					Promise<IDataObject[]>
				>(this, { path, qs, itemIndex: i }, limit);
			} else {
				const method = spec.method ?? 'GET';
				const res = await apiRequest.call<
					IExecuteFunctions,
					[ApiRequest],
					Promise<ApiResponse<IDataObject>>
				>(this, {
					method,
					path,
					qs,
					body: spec.body?.call(this, i),
					itemIndex: i,
					text: spec.text,
					retry: spec.retry ?? 'read',
				});
				result = spec.deleted
					? { deleted: true }
					: spec.text
						? { text: res.body as unknown as string }
						: spec.transform
							? spec.transform(res.body)
							: res.body;
			}
			if (spec.simplify && this.getNodeParameter('simplify', i, true)) {
				const simplify = spec.simplify;
				result = Array.isArray(result) ? result.map((o) => simplify(o)) : simplify(result);
			}
			return result;
		},
	};
}

/** An operation as the node panel lists it: its action sentence and a description are required. */
export interface OperationOption {
	name: string;
	value: string;
	action: string;
	description: string;
}

export function operationOptions(
	resource: string,
	options: OperationOption[],
	def: string,
): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resource] } },
		options,
		default: def,
	};
}
