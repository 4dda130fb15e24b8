// n8n's AI Agent passes a chat's images to the model as OpenAI-style content blocks
// ({type: "image_url", image_url: {url: "data:image/png;base64,…"}}), but the SDK's LangChain
// adapter (@n8n/ai-utilities 0.34, in n8n 2.41) keeps only LangChain's standard blocks and drops
// those without a word, so no SDK chat model would ever see the image. The node rewrites them as
// standard image blocks ({type: "image", mimeType, data} or {type: "image", url}) on their way into
// the adapter: on the adapter supplyModel returns and on each one its bindTools returns. Messages
// are copied, never changed in place (the agent and its memory keep theirs).

type Method = (this: unknown, ...args: unknown[]) => unknown;
type Adapter = Record<string, unknown>;

const DATA_URI = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s;

function imageUrlOf(block: unknown): string | undefined {
	if (!block || typeof block !== 'object') return undefined;
	const b = block as Record<string, unknown>;
	if (b.type !== 'image_url') return undefined;
	const inner = b.image_url;
	const url =
		typeof inner === 'string'
			? inner
			: inner && typeof inner === 'object'
				? (inner as Record<string, unknown>).url
				: undefined;
	return typeof url === 'string' ? url : undefined;
}

/** A LangChain standard image block for an image_url block (other blocks unchanged). */
export function standardImage(block: unknown): unknown {
	const url = imageUrlOf(block);
	if (url === undefined) return block;
	const m = DATA_URI.exec(url);
	if (m) return { type: 'image', mimeType: m[1], data: m[2] };
	return { type: 'image', url, mimeType: 'image/*' };
}

function withStandardImages(message: unknown): unknown {
	if (!message || typeof message !== 'object') return message;
	const content = (message as Adapter).content;
	if (!Array.isArray(content) || !content.some((b) => imageUrlOf(b) !== undefined)) return message;
	const copy = Object.assign(
		Object.create(Object.getPrototypeOf(message) as object) as Adapter,
		message,
	);
	copy.content = content.map(standardImage);
	return copy;
}

function wrapMessages(adapter: Adapter, key: string) {
	const original = adapter[key];
	if (typeof original !== 'function') return;
	adapter[key] = function (this: unknown, messages: unknown, ...rest: unknown[]) {
		const fixed = Array.isArray(messages) ? messages.map(withStandardImages) : messages;
		return (original as Method).call(this, fixed, ...rest);
	};
}

/** The adapter, made to pass image_url blocks on as standard image blocks. */
export function keepImages<T>(adapter: T): T {
	if (!adapter || typeof adapter !== 'object') return adapter;
	// Cast: the adapter is n8n's LangChain class (not a dependency here); only the members wrapped
	// below are used, each checked before it is called.
	const a = adapter as unknown as Adapter;
	wrapMessages(a, '_generate');
	wrapMessages(a, '_streamResponseChunks');
	const bind = a.bindTools;
	if (typeof bind === 'function') {
		a.bindTools = function (this: unknown, ...args: unknown[]) {
			return keepImages((bind as Method).apply(this, args));
		};
	}
	return adapter;
}
