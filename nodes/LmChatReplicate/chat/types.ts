// The shapes this package exchanges with @n8n/ai-node-sdk, written out here because the SDK is an
// optional peer that is only loaded inside supplyData (n8n < 2.16 has none). They follow the SDK's
// public types (Message, StreamChunk, GenerateResult, ChatModelConfig, Tool) structurally.

export type MessageRole = 'system' | 'user' | 'assistant' | 'tool';

export interface MessagePart {
	type: string;
	text?: string;
	toolCallId?: string;
	toolName?: string;
	input?: string;
	result?: unknown;
	isError?: boolean;
	mediaType?: string;
	data?: string | Uint8Array;
	providerMetadata?: Record<string, unknown>;
}

export interface ChatMessage {
	role: MessageRole;
	content: MessagePart[];
	name?: string;
	id?: string;
}

export interface TokenUsage {
	promptTokens: number;
	completionTokens: number;
	totalTokens: number;
	additionalMetadata?: Record<string, unknown>;
}

export type FinishReason = 'stop' | 'length' | 'content-filter' | 'tool-calls' | 'error' | 'other';

export interface GenerateResult {
	id?: string;
	finishReason?: FinishReason;
	usage?: TokenUsage;
	message: ChatMessage;
	providerMetadata?: Record<string, unknown>;
}

export type StreamChunk =
	| { type: 'text-delta'; id?: string; delta: string }
	| { type: 'tool-call-delta'; id?: string; name?: string; argumentsDelta?: string }
	| { type: 'content'; id?: string; content: MessagePart }
	| { type: 'finish'; finishReason: FinishReason; usage?: TokenUsage }
	| { type: 'error'; error: unknown };

export interface ChatModelConfig {
	maxTokens?: number;
	temperature?: number;
	topP?: number;
	stopSequences?: string[];
	timeout?: number;
	abortSignal?: AbortSignal;
	/** What LangChain passes as call options (the SDK forwards them as the config). */
	signal?: AbortSignal;
	stop?: string[];
}

export interface ToolDefinition {
	type: string;
	name: string;
}

/** The part of the SDK this package uses. */
export interface AiNodeSdk {
	supplyModel(ctx: unknown, model: unknown): { response: unknown };
}
