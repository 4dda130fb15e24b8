// Files API uploads from n8n binary data (streamed), shared by File → Upload and by model file
// inputs.
import type { IBinaryData, IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { apiRequest, type ReplicateContext } from '../transport';
import { hasControlCharacter, StreamedFile, StreamingForm, type ChunkSource } from './multipart';

export const FILES_API_MAX_BYTES = 100 * 1024 * 1024;
/** Replicate's guidance: data URLs for files up to 256 KB, HTTP (Files API) URLs above. */
export const DATA_URI_MAX_BYTES = 256 * 1024;
/** Beyond this a data URI bloats the request too much; use the Files API. */
export const DATA_URI_HARD_LIMIT = 10 * 1000 * 1000;

export interface BinaryInfo {
	binary: IBinaryData;
	size: number;
	mimeType: string;
	fileName: string;
}

const human = (n: number) =>
	n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;

/** Finds the binary property on the item, with its size, or fails naming the property and item. */
export async function binaryInfo(
	ctx: IExecuteFunctions,
	itemIndex: number,
	property: string,
	parameter: string,
): Promise<BinaryInfo> {
	const item = ctx.getInputData()[itemIndex];
	if (!property.trim())
		throw new NodeOperationError(ctx.getNode(), `The "${parameter}" parameter is empty`, {
			itemIndex,
		});
	if (!item?.binary?.[property] && !(item?.json?._files as IDataObject | undefined)?.[property]) {
		const available = Object.keys(item?.binary ?? {});
		throw new NodeOperationError(
			ctx.getNode(),
			`This item has no binary property "${property}" (${parameter})`,
			{
				itemIndex,
				description: available.length
					? `Binary properties on this item: ${available.join(', ')}`
					: 'This item has no binary data. Add a node that reads or downloads a file before this one.',
			},
		);
	}
	const binary = ctx.helpers.assertBinaryData(itemIndex, property);
	checkContentType(
		ctx,
		binary.mimeType ?? '',
		`the MIME type of binary property "${property}"`,
		itemIndex,
	);
	let size = typeof binary.bytes === 'number' ? binary.bytes : undefined;
	if (size === undefined && binary.id)
		size = (await ctx.helpers.getBinaryMetadata(binary.id)).fileSize;
	if (size === undefined)
		size =
			Math.floor((binary.data.length * 3) / 4) -
			(binary.data.endsWith('==') ? 2 : binary.data.endsWith('=') ? 1 : 0);
	return {
		binary,
		size,
		mimeType: binary.mimeType || 'application/octet-stream',
		fileName:
			binary.fileName || `${property}${binary.fileExtension ? `.${binary.fileExtension}` : ''}`,
	};
}

/**
 * Refuses a content type with control characters before anything is sent: it goes into the
 * upload's part headers (and into data URIs). `where` names the option or the binary property.
 */
export function checkContentType(
	ctx: Pick<IExecuteFunctions, 'getNode'>,
	contentType: string,
	where: string,
	itemIndex: number,
) {
	if (!hasControlCharacter(contentType)) return;
	throw new NodeOperationError(
		ctx.getNode(),
		`${where[0].toUpperCase()}${where.slice(1)} contains a control character (such as a line break)`,
		{
			itemIndex,
			description: `Got ${JSON.stringify(contentType)}. A content type is one line such as "image/png"; it is written into the upload's headers.`,
		},
	);
}

export function assertUploadable(
	ctx: IExecuteFunctions,
	info: BinaryInfo,
	itemIndex: number,
	property: string,
) {
	if (info.size > FILES_API_MAX_BYTES) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Binary property "${property}" is ${human(info.size)}; Replicate accepts files up to 100 MB`,
			{
				itemIndex,
				description: 'Host the file elsewhere and pass its URL as the input instead.',
			},
		);
	}
}

export async function dataUri(
	ctx: IExecuteFunctions,
	itemIndex: number,
	property: string,
	info: BinaryInfo,
): Promise<string> {
	if (info.size > DATA_URI_HARD_LIMIT) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Binary property "${property}" is ${human(info.size)}, too large for a data URI`,
			{
				itemIndex,
				description:
					'Set Binary Input Encoding to "Auto" or "Upload to Replicate Files" for files above 10 MB.',
			},
		);
	}
	const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, property);
	return `data:${info.mimeType};base64,${buffer.toString('base64')}`;
}

export interface UploadOptions {
	fileName?: string;
	contentType?: string;
	metadata?: IDataObject;
}

/**
 * Uploads the binary property to the Files API, streaming from n8n's binary store (see uploadBytes
 * for the checks).
 */
export async function uploadBinary(
	ctx: IExecuteFunctions,
	itemIndex: number,
	property: string,
	info: BinaryInfo,
	options: UploadOptions = {},
): Promise<IDataObject> {
	assertUploadable(ctx, info, itemIndex, property);
	return await uploadBytes(ctx, itemIndex, `"${property}"`, {
		size: info.size,
		fileName: options.fileName || info.fileName,
		contentType: options.contentType || info.mimeType,
		metadata: options.metadata,
		source: async () =>
			info.binary.id
				? ((await ctx.helpers.getBinaryStream(
						info.binary.id,
						256 * 1024,
					)) as AsyncIterable<Uint8Array>)
				: await ctx.helpers.getBinaryDataBuffer(itemIndex, property),
	});
}

/** What an upload needs of n8n's context (an execute or a supply-data context). */
export type UploadContext = ReplicateContext & Pick<IExecuteFunctions, 'logger'>;

export interface UploadSource {
	size: number;
	fileName: string;
	contentType: string;
	metadata?: IDataObject;
	/** The bytes, read anew for each attempt. */
	source: () => Promise<ChunkSource>;
}

/**
 * Uploads bytes to the Files API and checks the size and the `checksums.sha256` Replicate reports
 * (the one checksum its OpenAPI document names) against the bytes sent, hashed while streaming. A
 * mismatch deletes the upload and fails the item; an answer without a sha256 is accepted and noted
 * in n8n's log. `label` names the file in errors.
 */
export async function uploadBytes(
	ctx: UploadContext,
	itemIndex: number,
	label: string,
	file: UploadSource,
): Promise<IDataObject> {
	const { fileName, contentType } = file;
	let last: StreamedFile | undefined;
	const body = async () => {
		last = new StreamedFile(await file.source(), file.size, contentType, fileName);
		const form = new StreamingForm();
		form.append('content', last);
		form.append('filename', fileName);
		form.append('type', contentType);
		form.append('metadata', JSON.stringify(file.metadata ?? {}));
		return form;
	};
	const res = await apiRequest<IDataObject>(ctx, {
		method: 'POST',
		path: '/files',
		body,
		itemIndex,
		retry: 'create',
		timeoutMs: 15 * 60_000,
	});
	const stored = res.body;
	const sent = last as StreamedFile;
	const sha256 = sent.sha256.digest('hex');
	const checksums = stored.checksums as IDataObject | undefined;
	const reported =
		typeof checksums?.sha256 === 'string' ? checksums.sha256.toLowerCase() : undefined;
	const problems: string[] = [];
	if (sent.sent !== file.size)
		problems.push(`${sent.sent} of ${file.size} bytes were read from n8n's binary store`);
	if (typeof stored.size === 'number' && stored.size !== sent.sent)
		problems.push(`${sent.sent} bytes were sent and Replicate stored ${stored.size}`);
	if (reported !== undefined && reported !== sha256)
		problems.push(`the sha256 of the bytes sent is ${sha256} and Replicate reported ${reported}`);
	if (problems.length) {
		// Leave nothing half-right behind: remove the upload, then fail.
		await apiRequest(ctx, {
			method: 'DELETE',
			path: `/files/${String(stored.id)}`,
			itemIndex,
			retry: 'delete',
		}).catch(() => undefined);
		throw new NodeOperationError(ctx.getNode(), `The upload of ${label} did not arrive intact`, {
			itemIndex,
			description: `${problems.join('; ')}. The uploaded file was deleted.`,
		});
	}
	if (reported === undefined) {
		ctx.logger.warn(
			`Replicate reported no checksums.sha256 for uploaded file ${String(stored.id)}; only its size was checked.`,
		);
	}
	return stored;
}
