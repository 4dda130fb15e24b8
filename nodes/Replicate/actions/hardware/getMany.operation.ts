import type { IDataObject } from 'n8n-workflow';

import { apiRequest } from '../../transport';
import type { Operation } from '../types';

export const getMany: Operation = {
	description: [],
	async execute(itemIndex) {
		// Replicate answers with a bare array here, not a page.
		return (await apiRequest.call(this, { method: 'GET', path: '/hardware', itemIndex })).body as unknown as IDataObject[];
	},
};
