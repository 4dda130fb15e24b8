// Images in a conversation go to the model's image input, chosen from its schema: `image`,
// `image_input` or `images`, a single URI or a list. They are sent the way Run sends binary inputs
// on "Auto": as a data URI up to 256 KB, above that uploaded to the Files API (up to 100 MB) and sent
// as the file's URL. A single-image input takes the latest image of the conversation; a list takes
// all of them in order.
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	checkContentType,
	DATA_URI_MAX_BYTES,
	FILES_API_MAX_BYTES,
	uploadBytes,
	type UploadContext,
} from '../../common/files/files';
import type { InputSchema } from '../../common/models/schema';
import type { Message as ChatMessage } from '@n8n/ai-node-sdk';

export interface ImageInput {
	name: string;
	list: boolean;
}

/** The inputs, in order of preference, that take the conversation's images. */
export const IMAGE_INPUTS = ['image', 'image_input', 'images'];

export function imageInput(schema: InputSchema): ImageInput | undefined {
	for (const name of IMAGE_INPUTS) {
		const p = schema.properties[name];
		if (!p) continue;
		if (p.type === 'array') return { name, list: true };
		if (p.type === 'string' || p.type === undefined) return { name, list: false };
	}
	return undefined;
}

export interface ChatImage {
	mediaType: string;
	/** The bytes, when the message carried them (base64, a data URI or raw). */
	bytes?: Buffer;
	/** A URL the message pointed at instead; Replicate fetches it. */
	url?: string;
	/** The message it came from (1-based), for errors. */
	message: number;
}

const DATA_URI = /^data:([^;,]*)(;[^,]*)?,(.*)$/s;

function readImage(data: unknown, meta: unknown, media: string, message: number): ChatImage {
	const metaUrl =
		meta && typeof meta === 'object' ? (meta as IDataObject).url : (undefined as unknown);
	const raw = data instanceof Uint8Array || (typeof data === 'string' && data) ? data : metaUrl;
	if (raw instanceof Uint8Array) return { mediaType: media, bytes: Buffer.from(raw), message };
	const text = typeof raw === 'string' ? raw.trim() : '';
	const uri = DATA_URI.exec(text);
	if (uri) {
		const base64 = (uri[2] ?? '').includes(';base64');
		const bytes = base64
			? Buffer.from(uri[3], 'base64')
			: Buffer.from(decodeURIComponent(uri[3]), 'utf8');
		return { mediaType: uri[1] || media, bytes, message };
	}
	if (/^https?:\/\//i.test(text)) return { mediaType: media, url: text, message };
	return { mediaType: media, bytes: Buffer.from(text, 'base64'), message };
}

/** The images of a conversation, in order. */
export function chatImages(messages: ChatMessage[]): ChatImage[] {
	const out: ChatImage[] = [];
	messages.forEach((m, i) => {
		for (const part of m.content) {
			if (part.type !== 'file' || !(part.mediaType ?? '').startsWith('image/')) continue;
			const image = readImage(part.data, part.providerMetadata, part.mediaType ?? '', i + 1);
			if (image.url || image.bytes?.length) out.push(image);
		}
	});
	return out;
}

const human = (n: number) =>
	n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;

/** The values the image input gets: data URIs, Files API URLs, or the URLs the messages gave. */
export async function imageValues(
	ctx: UploadContext,
	images: ChatImage[],
	list: boolean,
	itemIndex: number,
): Promise<string[]> {
	const chosen = list ? images : images.slice(-1);
	const out: string[] = [];
	for (const image of chosen) {
		checkContentType(
			ctx,
			image.mediaType,
			`the media type of the image in message ${image.message}`,
			itemIndex,
		);
		if (image.url) {
			out.push(image.url);
			continue;
		}
		const bytes = image.bytes as Buffer;
		if (bytes.length > FILES_API_MAX_BYTES) {
			throw new NodeOperationError(
				ctx.getNode(),
				`The image in message ${image.message} is ${human(bytes.length)}; Replicate accepts files up to 100 MB`,
				{ itemIndex, description: 'Send a smaller image.' },
			);
		}
		if (bytes.length <= DATA_URI_MAX_BYTES) {
			out.push(`data:${image.mediaType};base64,${bytes.toString('base64')}`);
			continue;
		}
		const ext = image.mediaType.split('/')[1]?.replace(/[^a-z0-9]/gi, '') || 'bin';
		const file = await uploadBytes(ctx, itemIndex, `the image in message ${image.message}`, {
			size: bytes.length,
			fileName: `chat-image-${image.message}.${ext}`,
			contentType: image.mediaType,
			source: async () => bytes,
		});
		out.push(String((file.urls as IDataObject | undefined)?.get ?? ''));
	}
	return out;
}
