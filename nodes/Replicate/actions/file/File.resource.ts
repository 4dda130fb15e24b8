import type { IExecuteFunctions } from 'n8n-workflow';

import { fileLocator } from '../locators';
import { simpleOperation } from '../simple';
import { defineResource } from '../types';
import { upload } from './upload.operation';
import { segment } from '../../../common/readers';

const R = 'file';
const filePath = function (this: IExecuteFunctions, i: number) {
	return `/files/${segment(this, 'fileId', 'File', i)}`;
};

export const file = defineResource({
	name: 'File',
	defaultOperation: 'upload',
	operations: {
		delete: {
			name: 'Delete',
			action: 'Delete a file',
			description: 'Delete a file from Replicate Files',
			operation: simpleOperation({
				resource: R,
				operation: 'delete',
				method: 'DELETE',
				retry: 'delete',
				path: filePath,
				fields: [fileLocator],
				response: 'deleted',
			}),
		},
		get: {
			name: 'Get',
			action: 'Get a file',
			description: "Get a file's metadata, checksums and URLs",
			operation: simpleOperation({
				resource: R,
				operation: 'get',
				path: filePath,
				fields: [fileLocator],
			}),
		},
		getMany: {
			name: 'Get Many',
			action: 'Get many files',
			description: 'List the files you uploaded',
			operation: simpleOperation({
				resource: R,
				operation: 'getMany',
				response: 'list',
				path: () => '/files',
			}),
		},
		upload: {
			name: 'Upload',
			action: 'Upload a file',
			description: 'Upload binary data to Replicate Files (up to 100 MB, kept 24 hours)',
			operation: upload,
		},
	},
});
