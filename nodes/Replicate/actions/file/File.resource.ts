import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { binaryInfo, uploadBinary } from '../../helpers/files';
import { fileLocator, jsonObject, segment } from '../locators';
import { operationOptions, simpleOperation, withDisplay } from '../simple';
import type { Operation } from '../types';

const R = 'file';
const filePath = function (this: IExecuteFunctions, i: number) {
	return `/files/${segment(this, 'fileId', 'File', i)}`;
};

const upload: Operation = {
	description: withDisplay(R, 'upload', [
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
	]),
	async execute(i) {
		const property = String(this.getNodeParameter('binaryProperty', i, 'data')).trim();
		const options = this.getNodeParameter('options', i, {}) as IDataObject;
		const metadata = jsonObject(this, 'Metadata (JSON)', options.metadata, i) as IDataObject;
		const info = await binaryInfo(this, i, property, 'Input Binary Field');
		return await uploadBinary(this, i, property, info, {
			fileName: String(options.fileName ?? '').trim() || undefined,
			contentType: String(options.contentType ?? '').trim() || undefined,
			metadata,
		});
	},
};

export const operations = {
	upload,
	get: simpleOperation({ resource: R, operation: 'get', path: filePath, fields: [fileLocator] }),
	getMany: simpleOperation({ resource: R, operation: 'getMany', list: true, path: () => '/files' }),
	delete: simpleOperation({
		resource: R,
		operation: 'delete',
		method: 'DELETE',
		retry: 'delete',
		path: filePath,
		fields: [fileLocator],
		deleted: true,
	}),
};

export const description: INodeProperties[] = [
	operationOptions(
		R,
		[
			{
				name: 'Delete',
				value: 'delete',
				action: 'Delete a file',
				description: 'Delete a file from Replicate Files',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a file',
				description: "Get a file's metadata, checksums and URLs",
			},
			{
				name: 'Get Many',
				value: 'getMany',
				action: 'Get many files',
				description: 'List the files you uploaded',
			},
			{
				name: 'Upload',
				value: 'upload',
				action: 'Upload a file',
				description: 'Upload binary data to Replicate Files (up to 100 MB, kept 24 hours)',
			},
		],
		'upload',
	),
	...Object.values(operations).flatMap((o) => o.description),
];
