import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { binaryInfo, FILES_API_MAX_BYTES, uploadBinary } from '../../helpers/files';
import { downloadFile } from '../../helpers/output';
import { apiRequest, getBaseUrl, rebase, type ApiRequest, type ApiResponse } from '../../transport';
import { fileLocator, jsonObject, segment } from '../locators';
import { operationOptions, simpleOperation, withDisplay } from '../simple';
import type { Operation } from '../types';

const R = 'file';
const filePath = function (this: IExecuteFunctions, i: number) {
	return `/files/${segment(this, 'fileId', 'File', i)}`;
};

const upload: Operation = {
	description: withDisplay(R, 'upload', [
		{ displayName: 'Input Binary Field', name: 'binaryProperty', type: 'string', default: 'data', required: true, description: 'The binary property of the incoming item to upload' },
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				{ displayName: 'Content Type', name: 'contentType', type: 'string', default: '', placeholder: 'e.g. image/png', description: 'Defaults to the binary data\'s MIME type' },
				{ displayName: 'File Name', name: 'fileName', type: 'string', default: '', description: 'Defaults to the binary data\'s file name' },
				{ displayName: 'Metadata (JSON)', name: 'metadata', type: 'json', default: '{}', description: 'Your own key-value data, stored with the file' },
			],
		},
	]),
	async execute(i) {
		const property = String(this.getNodeParameter('binaryProperty', i, 'data')).trim();
		const options = this.getNodeParameter('options', i, {}) as IDataObject;
		const metadata = jsonObject(this, 'Metadata (JSON)', options.metadata, i) as IDataObject;
		const info = await binaryInfo(this, i, property, 'Input Binary Field');
		return await uploadBinary(this, i, property, info, { fileName: String(options.fileName ?? '').trim() || undefined, contentType: String(options.contentType ?? '').trim() || undefined, metadata });
	},
};

const download: Operation = {
	description: withDisplay(R, 'download', [
		fileLocator,
		{ displayName: 'Put Output File in Field', name: 'binaryProperty', type: 'string', default: 'data', description: 'The binary property to put the file in' },
	]),
	async execute(i) {
		const path = filePath.call(this, i);
		const property = String(this.getNodeParameter('binaryProperty', i, 'data')).trim() || 'data';
		const file = (await apiRequest.call<IExecuteFunctions, [ApiRequest], Promise<ApiResponse<IDataObject>>>(this, { method: 'GET', path, itemIndex: i })).body;
		const urls = (file.urls ?? {}) as IDataObject;
		// urls.get is chosen by the upstream: its path, on the credential's Base URL.
		const base = await getBaseUrl.call(this);
		const url = `${rebase(String(urls.get || `${base}${path}`), base).replace(/\/$/, '')}/download`;
		const size = typeof file.size === 'number' ? file.size : undefined;
		const binary = await downloadFile(this, url, 0, i, { maxBytes: Math.max(size ?? 0, FILES_API_MAX_BYTES), deadline: Date.now() + 15 * 60_000 }, {
			name: String(file.name ?? '') || String(file.id),
			mime: String(file.content_type ?? '') || 'application/octet-stream',
		});
		if (size !== undefined && binary.bytes !== undefined && binary.bytes !== size) {
			throw new NodeOperationError(this.getNode(), `The download of file ${file.id} ended short: ${binary.bytes} of ${size} bytes [item ${i}]`, { itemIndex: i });
		}
		return [{ json: file, binary: { [property]: binary } }];
	},
};

export const operations = {
	upload,
	get: simpleOperation({ resource: R, operation: 'get', path: filePath, fields: [fileLocator] }),
	getMany: simpleOperation({ resource: R, operation: 'getMany', list: true, path: () => '/files' }),
	delete: simpleOperation({ resource: R, operation: 'delete', method: 'DELETE', path: filePath, fields: [fileLocator], deleted: true }),
	download,
};

export const description: INodeProperties[] = [
	operationOptions(
		R,
		[
			{ name: 'Delete', value: 'delete', action: 'Delete a file' },
			{ name: 'Download', value: 'download', action: 'Download a file', description: 'Download a file into binary data' },
			{ name: 'Get', value: 'get', action: 'Get a file' },
			{ name: 'Get Many', value: 'getMany', action: 'Get many files' },
			{ name: 'Upload', value: 'upload', action: 'Upload a file', description: 'Upload binary data to Replicate Files (up to 100 MB, kept 24 hours)' },
		],
		'upload',
	),
	...Object.values(operations).flatMap((o) => o.description),
];
