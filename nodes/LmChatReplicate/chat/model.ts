// A Replicate language model as the SDK's chat model. generate() and stream() run their prediction
// through the shared lifecycle (nodes/common/lifecycle): sync hold, polling or the event stream, the
// Timeout, cancel on a stop. This file only maps messages in and the outcome out.
import type {
	ChatModel,
	ChatModelConfig,
	GenerateResult,
	Message,
	StreamChunk,
	TokenUsage,
} from '@n8n/ai-node-sdk';
import type { IDataObject, INode, ISupplyDataFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { Prediction } from '../../common/lifecycle/predictions';
import { pollSchedules } from '../../common/lifecycle/schedule';
import { anySignal, streamJob } from '../../common/lifecycle/stream';
import { run, start, type Job, type Outcome } from '../../common/lifecycle/wait';
import { prepareInput } from '../../common/models/schema';
import type { Target } from '../../common/models/targets';
import { asNodeError } from '../../common/transport';
import { chatImages, imageValues } from './images';
import { buildInput, ChatMappingError, outputText, type ChatSchema } from './mapping';
import { toolSpecs, type BoundTool, type SchemaOf, type ToolSpec } from './tools';
import { chunksOf, generateTurn, streamTurn, type Finished } from './turn';

/** Auto: a model's own tool format when its schema documents one (none does today), else Prompted. */
export type ToolCalling = 'auto' | 'prompted' | 'off';

/**
 * The SDK's call config, and what n8n's LangChain adapter passes beside it: LangChain's call options
 * (`signal`, `stop`) are forwarded as the config.
 */
export type CallConfig = ChatModelConfig & { signal?: AbortSignal; stop?: string[] };

export interface ModelSettings {
	temperature?: number;
	maxTokens?: number;
	topP?: number;
	stop?: string[];
	/** Longest wait for an answer; the prediction is canceled after it. */
	timeoutMs: number;
	/** Seconds Replicate may hold the create request (Prefer: wait) in generate(). */
	syncSeconds: number;
	/** Whether stream() reads the prediction's event stream (else it answers in one piece). */
	streaming: boolean;
	toolCalling?: ToolCalling;
}

/** The few context functions the model uses (a supply-data context in n8n). */
export type ChatContext = Pick<
	ISupplyDataFunctions,
	'getNode' | 'getCredentials' | 'helpers' | 'getExecutionCancelSignal' | 'logger'
>;

/** Metrics Replicate reports for language models, as the SDK's token usage. */
export function usageFromMetrics(metrics: unknown): TokenUsage | undefined {
	if (!metrics || typeof metrics !== 'object') return undefined;
	const m = metrics as IDataObject;
	const num = (v: unknown) =>
		typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
	const input = num(m.input_token_count);
	const output = num(m.output_token_count);
	if (input === undefined && output === undefined) return undefined;
	const extra: Record<string, unknown> = {};
	for (const k of ['predict_time', 'total_time', 'tokens_per_second', 'time_to_first_token']) {
		if (num(m[k]) !== undefined) extra[k] = m[k];
	}
	return {
		promptTokens: input ?? 0,
		completionTokens: output ?? 0,
		totalTokens: (input ?? 0) + (output ?? 0),
		...(Object.keys(extra).length ? { additionalMetadata: extra } : {}),
	};
}

export class ReplicateChatModel implements ChatModel<CallConfig> {
	readonly provider = 'replicate';
	readonly modelId: string;
	readonly defaultConfig: CallConfig = {};

	constructor(
		private readonly ctx: ChatContext,
		private readonly target: Target,
		private readonly chat: ChatSchema,
		private readonly settings: ModelSettings,
		private readonly itemIndex = 0,
		/** The SDK's converter of tool schemas (Zod → JSON Schema). */
		private readonly schemaOf?: SchemaOf,
		/** Tools bound by an agent (prompted tool calling). */
		private readonly tools: ToolSpec[] = [],
	) {
		this.modelId = target.model || target.createPath;
	}

	private get node(): INode {
		return this.ctx.getNode();
	}

	private fail(message: string, description?: string): NodeOperationError {
		return new NodeOperationError(this.node, message, { itemIndex: this.itemIndex, description });
	}

	withTools(tools: BoundTool[]): ReplicateChatModel {
		if (!tools.length) return this;
		if (this.settings.toolCalling === 'off') {
			throw this.fail(
				`Tool Calling is off for ${this.modelId}; use it in a chain`,
				`An agent bound tools (${tools.map((t) => t.name).join(', ')}) to it. Set the Tool ` +
					'Calling option to "Auto" or "Prompted", or use the model in a Basic LLM Chain.',
			);
		}
		const provider = tools.find((t) => t.type !== 'function');
		if (provider) {
			throw this.fail(
				`"${provider.name}" is a provider's built-in tool, which ${this.modelId} cannot run`,
				'Remove it from the agent; tools that n8n runs (Calculator, Code, HTTP Request …) work.',
			);
		}
		const specs = [...this.tools, ...toolSpecs(tools, this.schemaOf)];
		const { ctx, target, chat, settings, itemIndex, schemaOf } = this;
		return new ReplicateChatModel(ctx, target, chat, settings, itemIndex, schemaOf, specs);
	}

	/**
	 * The checked model input of a conversation, its images sent or uploaded; fails before any
	 * prediction when it cannot be built.
	 */
	async input(messages: Message[], config: CallConfig = {}): Promise<IDataObject> {
		const s = this.settings;
		try {
			const found = this.chat.image ? chatImages(messages) : [];
			const images = found.length
				? await imageValues(this.ctx, found, !!this.chat.image?.list, this.itemIndex)
				: [];
			const raw = buildInput(
				this.chat,
				messages,
				{
					temperature: config.temperature ?? s.temperature,
					maxTokens: config.maxTokens ?? s.maxTokens,
					topP: config.topP ?? s.topP,
					stop: [...(s.stop ?? []), ...(config.stopSequences ?? []), ...(config.stop ?? [])],
				},
				{ tools: this.tools.length ? this.tools : undefined, images },
			);
			return prepareInput(this.node, this.chat.schema, raw, this.itemIndex);
		} catch (error) {
			if (error instanceof ChatMappingError) throw this.fail(error.message, error.description);
			throw asNodeError(this.ctx, error, this.itemIndex);
		}
	}

	private body(input: IDataObject): IDataObject {
		return this.target.version ? { version: this.target.version, input } : { input };
	}

	private job(signal: AbortSignal): Job {
		return { ctx: this.ctx, itemIndex: this.itemIndex, signal, cancelOnTimeout: true };
	}

	/**
	 * Every error of generate() and stream() as the Replicate node gives it: redacted, and Replicate's
	 * refusal of the input (422) said as such.
	 */
	private asError(error: unknown): NodeApiError | NodeOperationError {
		if (error instanceof NodeApiError && error.httpCode === '422') {
			error = this.fail(
				`Replicate rejected the input for ${this.modelId}: ${error.description ?? error.message}`,
				'Check the options (temperature, max tokens, top p, stop sequences) against the model.',
			);
		}
		return asNodeError(this.ctx, error, this.itemIndex);
	}

	/**
	 * The error of an outcome. Its description starts with the message's line (which names the model
	 * and the prediction): n8n's chat shows an agent's error by its description alone.
	 */
	private outcomeError(message: string, detail?: string): NodeOperationError {
		return this.fail(message, detail ? `${message}\n\n${detail}` : message);
	}

	/** The finished prediction of a successful outcome, or the error the outcome deserves. */
	private succeeded(outcome: Outcome): Prediction {
		const p = outcome.prediction;
		switch (outcome.status) {
			case 'succeeded':
				return p;
			case 'timedOut':
				throw this.outcomeError(
					`${this.modelId} did not answer within ${this.settings.timeoutMs / 1000} s; prediction ${p.id} ${outcome.canceled ? 'was canceled' : 'could not be canceled on Replicate'}`,
					'Raise the Timeout option.',
				);
			case 'canceled':
				throw this.outcomeError(
					`Prediction ${p.id} of ${this.modelId} was ${p.status} on Replicate`,
				);
			case 'failed':
				throw this.outcomeError(
					`${this.modelId} failed (prediction ${p.id}): ${outcome.error}`,
					outcome.logsTail ? `Last lines of the model's logs:\n${outcome.logsTail}` : undefined,
				);
		}
	}

	private finished(p: Prediction, text: string): Finished {
		const usage = usageFromMetrics(p.metrics);
		return {
			id: p.id,
			text,
			...(usage ? { usage } : {}),
			providerMetadata: { replicate: { predictionId: p.id, model: p.model, metrics: p.metrics } },
		};
	}

	private signals(config?: CallConfig) {
		return anySignal([this.ctx.getExecutionCancelSignal?.(), config?.signal, config?.abortSignal]);
	}

	/** One prediction per model turn (a second only to correct a malformed tool call once). */
	async generate(messages: Message[], config?: CallConfig): Promise<GenerateResult> {
		return await generateTurn(messages, this.tools, async (m) => await this.runOnce(m, config));
	}

	private async runOnce(messages: Message[], config?: CallConfig): Promise<Finished> {
		const input = await this.input(messages, config);
		const { signal, dispose } = this.signals(config);
		const { timeoutMs, syncSeconds } = this.settings;
		try {
			const outcome = await run(this.job(signal), {
				path: this.target.createPath,
				body: this.body(input),
				syncSeconds: Math.max(1, Math.min(syncSeconds, Math.ceil(timeoutMs / 1000))),
				timeoutMs,
				schedule: pollSchedules.chat,
			});
			const p = this.succeeded(outcome);
			return this.finished(p, outputText(p.output));
		} catch (error) {
			throw this.asError(error);
		} finally {
			dispose();
		}
	}

	async *stream(messages: Message[], config?: CallConfig): AsyncGenerator<StreamChunk> {
		if (!this.settings.streaming) {
			yield* chunksOf(await this.generate(messages, config));
			return;
		}
		let last = '';
		try {
			for await (const chunk of streamTurn(messages, this.tools, (m) =>
				this.streamOnce(m, config),
			)) {
				if (chunk.type === 'text-delta' && chunk.delta) last = chunk.delta;
				yield chunk;
			}
		} catch (error) {
			// n8n's chat shows a failure as "Error: …" right after the text streamed so far: end that
			// text first, so the answer and the error are not glued together.
			if (last && !last.endsWith('\n')) yield { type: 'text-delta', delta: '\n\n' };
			throw this.asError(error);
		}
	}

	/** One prediction read as it streams: yields its output text as it comes. */
	private async *streamOnce(
		messages: Message[],
		config?: CallConfig,
	): AsyncGenerator<string, Finished> {
		const input = await this.input(messages, config);
		const { signal, dispose } = this.signals(config);
		try {
			const job = this.job(signal);
			const created = await start(
				job,
				{ path: this.target.createPath, body: this.body(input) },
				this.settings.timeoutMs,
			);
			let sent = '';
			for await (const e of streamJob(job, created.prediction, { deadline: created.deadline })) {
				if (e.type === 'output') {
					sent += e.text;
					yield e.text;
					continue;
				}
				const p = this.succeeded(e.outcome);
				// The final state has the whole output: what the stream did not bring comes now.
				const full = outputText(p.output);
				if (full.length > sent.length && full.startsWith(sent)) yield full.slice(sent.length);
				return this.finished(p, full.startsWith(sent) ? full : sent);
			}
			throw this.fail(`The stream of ${this.modelId} ended without an outcome`);
		} catch (error) {
			throw this.asError(error);
		} finally {
			dispose();
		}
	}
}
