import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { apiRequest } from '../../shared/transport';

export async function getHardware(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const res = await apiRequest<IDataObject[]>(this, {
		method: 'GET',
		path: '/hardware',
		retry: 'read',
	});
	return res.body.map((h) => ({
		name: String(h.name),
		value: String(h.sku),
		description: String(h.sku),
	}));
}
