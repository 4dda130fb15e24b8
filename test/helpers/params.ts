// Builders for node parameters as the n8n editor stores them.
import type { IDataObject } from 'n8n-workflow';

export const rl = (value: string, mode = 'id') => ({ __rl: true, mode, value });

export function runParams(
	model: string,
	input: IDataObject,
	options: IDataObject = {},
	extra: IDataObject = {},
): IDataObject {
	return {
		resource: 'prediction',
		operation: 'run',
		runTarget: 'model',
		model: rl(model),
		version: rl('', 'list'),
		inputMode: 'fields',
		inputFields: { mappingMode: 'defineBelow', value: input },
		options,
		...extra,
	};
}
