import type { INodeProperties } from 'n8n-workflow';

import { cancelPrediction } from '../../../common/lifecycle/predictions';
import { jsonItems, type Operation } from '../types';
import { predictionIdField } from './descriptions';
import { readPredictionId } from '../../../common/readers';

const description: INodeProperties[] = [
	{
		...predictionIdField,
		displayOptions: { show: { resource: ['prediction'], operation: ['cancel'] } },
	},
];

export const cancel: Operation = {
	description,
	async execute(i) {
		const prediction = await cancelPrediction(this, readPredictionId(this, i), i);
		return jsonItems(prediction);
	},
};
