import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { apiRequest, type ApiRequest, type ApiResponse } from '../transport';

export async function getHardware(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const res = await apiRequest.call<
		ILoadOptionsFunctions,
		[ApiRequest],
		Promise<ApiResponse<IDataObject[]>>
	>(this, { method: 'GET', path: '/hardware' });
	return res.body.map((h) => ({
		name: String(h.name),
		value: String(h.sku),
		description: String(h.sku),
	}));
}
