import type { IDataObject } from 'n8n-workflow';

import { apiRequest } from '../../transport';
import type { Operation } from '../types';

export const get: Operation = {
	description: [],
	async execute(itemIndex) {
		return (await apiRequest.call(this, { method: 'GET', path: '/account', itemIndex })).body as IDataObject;
	},
};
