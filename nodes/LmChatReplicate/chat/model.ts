// A Replicate language model as the SDK's chat model: generate() runs a prediction the way
// Prediction → Run does (sync hold first, then polling, remote cancel on abort); stream() reads the
// prediction's Server-Sent Events. All HTTP goes through the package's transport.
import type { IDataObject, IExecuteFunctions, INode, ISupplyDataFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import {
	cancelPrediction,
	createPrediction,
	getPrediction,
	isTerminal,
	pollPrediction,
	type Prediction,
} from '../../shared/lifecycle/predictions';
import { prepareInput } from '../../shared/models/schema';
import type { Target } from '../../shared/models/targets';
import { asNodeError, openEventStream } from '../../shared/transport';
import { buildInput, ChatMappingError, outputText, type ChatSchema } from './mapping';
import { readEvents } from './sse';
import type {
	ChatMessage,
	ChatModelConfig,
	GenerateResult,
	StreamChunk,
	TokenUsage,
	ToolDefinition,
} from './types';

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
}

/** The few context functions the model uses (a supply-data context in n8n). */
export type ChatContext = Pick<
	ISupplyDataFunctions,
	'getNode' | 'getCredentials' | 'helpers' | 'getExecutionCancelSignal'
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

/** One signal that aborts when any of the given ones does; dispose() drops the listeners. */
export function anySignal(signals: Array<AbortSignal | undefined>) {
	const controller = new AbortController();
	const live = signals.filter((s): s is AbortSignal => !!s);
	const onAbort = () => controller.abort();
	for (const s of live) {
		if (s.aborted) controller.abort();
		else s.addEventListener('abort', onAbort, { once: true });
	}
	return {
		signal: controller.signal,
		dispose: () => live.forEach((s) => s.removeEventListener('abort', onAbort)),
	};
}

function logTail(logs: unknown, lines = 10): string | undefined {
	if (typeof logs !== 'string' || !logs.trim()) return undefined;
	return logs.trimEnd().split('\n').slice(-lines).join('\n');
}

function errorDetail(data: string): string {
	try {
		const v = JSON.parse(data) as unknown;
		if (v && typeof v === 'object' && typeof (v as IDataObject).detail === 'string') {
			return (v as IDataObject).detail as string;
		}
		return typeof v === 'string' ? v : data;
	} catch {
		return data;
	}
}

export class ReplicateChatModel {
	readonly provider = 'replicate';
	readonly modelId: string;
	readonly defaultConfig: ChatModelConfig = {};

	constructor(
		private readonly ctx: ChatContext,
		private readonly target: Target,
		private readonly chat: ChatSchema,
		private readonly settings: ModelSettings,
		private readonly itemIndex = 0,
	) {
		this.modelId = target.model || target.createPath;
	}

	private get node(): INode {
		return this.ctx.getNode();
	}

	/**
	 * The transport and prediction helpers take an execute context; a supply context has the same
	 * parts.
	 */
	private get exec(): IExecuteFunctions {
		return this.ctx as unknown as IExecuteFunctions;
	}

	private fail(message: string, description?: string): NodeOperationError {
		return new NodeOperationError(this.node, message, { itemIndex: this.itemIndex, description });
	}

	withTools(tools: ToolDefinition[]): ReplicateChatModel {
		if (!tools.length) return this;
		const names = tools.map((t) => t.name).join(', ');
		if (!this.chat.tools) {
			throw this.fail(
				`${this.modelId} has no tool calling; use it in a chain`,
				`An agent bound tools (${names}) to it, but the model's input schema has no "tools" input. ` +
					'Use it in a Basic LLM Chain, or pick a model that supports tools for the agent.',
			);
		}
		throw this.fail(
			`${this.modelId} declares a "tools" input, but this node cannot read tool calls from it yet`,
			`Replicate documents no tool-call output format for it. Tools bound: ${names}. Use it in a chain.`,
		);
	}

	/** The checked model input of a conversation; fails before any request when it cannot be built. */
	input(messages: ChatMessage[], config: ChatModelConfig = {}): IDataObject {
		const s = this.settings;
		try {
			const raw = buildInput(this.chat, messages, {
				temperature: config.temperature ?? s.temperature,
				maxTokens: config.maxTokens ?? s.maxTokens,
				topP: config.topP ?? s.topP,
				stop: [...(s.stop ?? []), ...(config.stopSequences ?? []), ...(config.stop ?? [])],
			});
			return prepareInput(this.node, this.chat.schema, raw, this.itemIndex);
		} catch (error) {
			if (error instanceof ChatMappingError) throw this.fail(error.message, error.description);
			throw asNodeError(this.exec, error, this.itemIndex);
		}
	}

	private body(input: IDataObject): IDataObject {
		return this.target.version ? { version: this.target.version, input } : { input };
	}

	private async create(input: IDataObject, syncSeconds?: number): Promise<Prediction> {
		try {
			return await createPrediction(this.exec, {
				path: this.target.createPath,
				body: this.body(input),
				syncSeconds,
				itemIndex: this.itemIndex,
			});
		} catch (error) {
			if (error instanceof NodeApiError && error.httpCode === '422') {
				throw this.fail(
					`Replicate rejected the input for ${this.modelId}: ${error.description ?? error.message}`,
					'Check the options (temperature, max tokens, top p, stop sequences) against the model.',
				);
			}
			throw asNodeError(this.exec, error, this.itemIndex);
		}
	}

	/** Cancels the prediction on Replicate (best effort) and fails with "stopped". */
	private async stopped(p: Prediction): Promise<never> {
		if (isTerminal(p))
			throw this.fail(`Stopped; prediction ${p.id} had already ended (${p.status})`);
		await cancelPrediction(this.exec, p.id, this.itemIndex).catch(() => undefined);
		throw this.fail(`Stopped; prediction ${p.id} was canceled on Replicate`);
	}

	/** Polls until terminal; cancels and fails on abort or when the time is up. */
	private async settle(p: Prediction, signal: AbortSignal, deadline: number, firstMs: number) {
		if (isTerminal(p)) return p;
		const r = await pollPrediction(this.exec, p, {
			itemIndex: this.itemIndex,
			deadline,
			signal,
			firstDelayMs: firstMs,
			maxDelayMs: 2000,
		});
		if (r.stopped) return await this.stopped(r.prediction);
		if (r.timedOut) {
			await cancelPrediction(this.exec, p.id, this.itemIndex).catch(() => undefined);
			throw this.fail(
				`${this.modelId} did not answer within ${this.settings.timeoutMs / 1000} s; prediction ${p.id} was canceled`,
				'Raise the Timeout option.',
			);
		}
		return r.prediction;
	}

	/** The failure a terminal, unsuccessful prediction deserves. */
	private failure(p: Prediction, detail?: string): NodeOperationError {
		if (p.status === 'canceled' || p.status === 'aborted') {
			return this.fail(`Prediction ${p.id} of ${this.modelId} was ${p.status} on Replicate`);
		}
		const tail = logTail(p.logs);
		return this.fail(
			`${this.modelId} failed (prediction ${p.id}): ${detail ?? String(p.error ?? 'no error text')}`,
			tail ? `Last lines of the model's logs:\n${tail}` : undefined,
		);
	}

	private result(p: Prediction, text: string): GenerateResult {
		const usage = usageFromMetrics(p.metrics);
		return {
			id: p.id,
			finishReason: 'stop',
			...(usage ? { usage } : {}),
			message: { role: 'assistant', content: [{ type: 'text', text }] },
			providerMetadata: { replicate: { predictionId: p.id, model: p.model, metrics: p.metrics } },
		};
	}

	private signals(config?: ChatModelConfig) {
		return anySignal([this.ctx.getExecutionCancelSignal?.(), config?.signal, config?.abortSignal]);
	}

	async generate(messages: ChatMessage[], config?: ChatModelConfig): Promise<GenerateResult> {
		const input = this.input(messages, config);
		const { signal, dispose } = this.signals(config);
		try {
			if (signal.aborted) throw this.fail('Stopped before the prediction was created');
			const deadline = Date.now() + this.settings.timeoutMs;
			const hold = Math.min(this.settings.syncSeconds, Math.ceil(this.settings.timeoutMs / 1000));
			const created = await this.create(input, Math.max(1, hold));
			if (signal.aborted) await this.stopped(created);
			const p = await this.settle(created, signal, deadline, 250);
			if (p.status !== 'succeeded') throw this.failure(p);
			return this.result(p, outputText(p.output));
		} finally {
			dispose();
		}
	}

	async *stream(messages: ChatMessage[], config?: ChatModelConfig): AsyncGenerator<StreamChunk> {
		if (!this.settings.streaming) {
			const r = await this.generate(messages, config);
			const text = r.message.content.map((c) => c.text ?? '').join('');
			if (text) yield { type: 'text-delta', delta: text };
			yield { type: 'finish', finishReason: 'stop', ...(r.usage ? { usage: r.usage } : {}) };
			return;
		}
		const input = this.input(messages, config);
		const { signal, dispose } = this.signals(config);
		let prediction: Prediction | undefined;
		let done = false;
		try {
			if (signal.aborted) throw this.fail('Stopped before the prediction was created');
			const deadline = Date.now() + this.settings.timeoutMs;
			prediction = await this.create(input);
			if (signal.aborted) await this.stopped(prediction);
			const url = (prediction.urls as IDataObject | undefined)?.stream;
			let sent = '';
			let reason: string | undefined;
			let errorText: string | undefined;
			if (typeof url === 'string' && url && !isTerminal(prediction)) {
				const stream = await openEventStream(this.ctx, url, signal, this.itemIndex).catch(
					async (error: unknown) => {
						if (signal.aborted) return await this.stopped(prediction as Prediction);
						throw error;
					},
				);
				try {
					for await (const e of readEvents(stream.body)) {
						if (e.event === 'output') {
							sent += e.data;
							if (e.data) yield { type: 'text-delta', delta: e.data };
						} else if (e.event === 'error') {
							errorText = errorDetail(e.data);
						} else if (e.event === 'done') {
							reason = readReason(e.data);
							break;
						}
					}
				} catch {
					// Aborted (handled below), or the connection broke: the prediction's final state,
					// read next, has the whole output, so the rest of the text still arrives.
				} finally {
					stream.close();
				}
				if (signal.aborted) await this.stopped(prediction);
			}
			// The final state carries the metrics (and the rest of the output when the stream broke off).
			const p = await this.settle(
				isTerminal(prediction) ? prediction : await this.refresh(prediction),
				signal,
				Math.max(deadline, Date.now() + 30_000),
				reason === undefined ? 500 : 100,
			);
			prediction = p;
			done = true;
			if (p.status !== 'succeeded' || reason === 'error' || errorText !== undefined) {
				throw this.failure(p.status === 'succeeded' ? { ...p, status: 'failed' } : p, errorText);
			}
			const full = outputText(p.output);
			if (full.length > sent.length && full.startsWith(sent)) {
				yield { type: 'text-delta', delta: full.slice(sent.length) };
			}
			const usage = usageFromMetrics(p.metrics);
			yield { type: 'finish', finishReason: 'stop', ...(usage ? { usage } : {}) };
		} finally {
			dispose();
			// The consumer stopped reading (or something failed) while the model still ran.
			if (prediction && !done && !isTerminal(prediction)) {
				await cancelPrediction(this.exec, prediction.id, this.itemIndex).catch(() => undefined);
			}
		}
	}

	private async refresh(p: Prediction): Promise<Prediction> {
		return await getPrediction(this.exec, p.id, this.itemIndex);
	}
}

/** `done` data: `{}` on success, `{"reason": "canceled" | "error"}` otherwise. */
function readReason(data: string): string {
	try {
		const v = JSON.parse(data) as IDataObject;
		return typeof v?.reason === 'string' ? v.reason : '';
	} catch {
		return '';
	}
}
