import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { binaryInfo, checkContentType, uploadBinary } from '../../../common/files/files';
import { readJsonObject } from '../../../common/readers';
import { withDisplay } from '../simple';
import { jsonItems, type Operation } from '../types';

const description: INodeProperties[] = withDisplay('file', 'upload', [
	{
		displayName: 'Input Binary Field',
		name: 'binaryProperty',
		type: 'string',
		default: 'data',
		required: true,
		description: 'The binary property of the incoming item to upload',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Content Type',
				name: 'contentType',
				type: 'string',
				default: '',
				placeholder: 'e.g. image/png',
				description: "Defaults to the binary data's MIME type",
			},
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				description: "Defaults to the binary data's file name",
			},
			{
				displayName: 'Metadata (JSON)',
				name: 'metadata',
				type: 'json',
				default: '{}',
				description: 'Your own key-value data, stored with the file',
			},
		],
	},
]);

/** File → Upload: the item's binary data to Replicate Files. */
export const upload: Operation = {
	description,
	async execute(i) {
		const property = String(this.getNodeParameter('binaryProperty', i, 'data')).trim();
		const options = this.getNodeParameter('options', i, {}) as IDataObject;
		const metadata = readJsonObject(this, 'Metadata (JSON)', options.metadata, i);
		const contentType = String(options.contentType ?? '').trim() || undefined;
		if (contentType) checkContentType(this, contentType, 'the "Content Type" option', i);
		const info = await binaryInfo(this, i, property, 'Input Binary Field');
		const file = await uploadBinary(this, i, property, info, {
			fileName: String(options.fileName ?? '').trim() || undefined,
			contentType,
			metadata,
		});
		return jsonItems(file);
	},
};
