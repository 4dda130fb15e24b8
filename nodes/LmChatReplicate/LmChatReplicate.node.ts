import type { ChatModel as SdkChatModel } from '@n8n/ai-node-sdk';
import type {
	IDataObject,
	INodeProperties,
	INodeType,
	ISupplyDataFunctions,
	SupplyData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { deploymentLocator, modelLocator } from '../common/models/pickers';
import { resolveDeployment, resolveModel } from '../common/models/targets';
import { ChatMappingError, chatSchema } from './chat/mapping';
import {
	ReplicateChatModel as ChatModel,
	type ModelSettings,
	type ToolCalling,
} from './chat/model';
import { toolCallingOption } from './chat/options';
import { keepImages } from './chat/passthrough';
import type { SchemaOf } from './chat/tools';
import { searchDeployments, searchLanguageModels } from './listSearch';
import { type DescribedForBuilder } from '../common/builderHints';
import { readDeploymentRef, readModelRef } from '../common/readers';

/** The first n8n release that ships @n8n/ai-node-sdk (this node is tested on 2.41.1). */
export const MIN_N8N_VERSION = '2.16';

/**
 * The part of n8n's AI node SDK this package calls at run time. Written with this package's
 * n8n-workflow types: the SDK's own declaration names its newer n8n-workflow release's.
 */
export interface Sdk {
	supplyModel(ctx: ISupplyDataFunctions, model: SdkChatModel): SupplyData;
	/** Converts a bound tool's schema (Zod or JSON) to JSON Schema; optional, checked where used. */
	getParametersJsonSchema?: SchemaOf;
}

/**
 * n8n's AI node SDK, loaded only when the node runs: n8n before 2.16 has none. (Its types come from
 * the devDependency, `import type` only: nothing of it is required when the package loads.)
 */
export async function loadSdk(ctx: ISupplyDataFunctions, itemIndex: number): Promise<Sdk> {
	let loaded: unknown;
	try {
		loaded = await import('@n8n/ai-node-sdk');
	} catch {
		loaded = undefined;
	}
	// supplyModel is required, and checked here; getParametersJsonSchema is used when present.
	const sdk = loaded as Partial<Sdk> | undefined;
	if (typeof sdk?.supplyModel !== 'function') {
		throw new NodeOperationError(
			ctx.getNode(),
			`Replicate Chat Model needs n8n ${MIN_N8N_VERSION} or newer`,
			{
				itemIndex,
				description:
					"It plugs into n8n's AI nodes through n8n's AI node SDK (@n8n/ai-node-sdk), which this " +
					'n8n does not have. Update n8n; the Replicate and Replicate Trigger nodes work without it.',
			},
		);
	}
	return sdk as Sdk;
}

function numberOption(
	ctx: ISupplyDataFunctions,
	o: IDataObject,
	name: string,
	label: string,
	i: number,
) {
	if (o[name] === undefined || o[name] === null || o[name] === '') return undefined;
	const n = Number(o[name]);
	if (!Number.isFinite(n)) {
		throw new NodeOperationError(ctx.getNode(), `The "${label}" option must be a number`, {
			itemIndex: i,
		});
	}
	return n;
}

/**
 * Options as model settings; values are checked against the model's schema before each request.
 * Errors carry the item in `itemIndex` only: n8n fails the parent node with "Error in sub-node …",
 * this message as its details and the same item (a sub-node's errors pass no router adding text).
 */
export function readSettings(ctx: ISupplyDataFunctions, i: number): ModelSettings {
	const o = (ctx.getNodeParameter('options', i, {}) as IDataObject) ?? {};
	const timeout = numberOption(ctx, o, 'timeout', 'Timeout (Seconds)', i) ?? 300;
	if (timeout < 1 || timeout > 3600) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The "Timeout (Seconds)" option must be between 1 and 3600 (got ${timeout})`,
			{ itemIndex: i },
		);
	}
	const syncWait = numberOption(ctx, o, 'syncWait', 'Sync Wait (Seconds)', i) ?? 60;
	if (!Number.isInteger(syncWait) || syncWait < 1 || syncWait > 60) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The "Sync Wait (Seconds)" option must be a whole number from 1 to 60 (got ${syncWait})`,
			{ itemIndex: i },
		);
	}
	const stop = String(o.stopSequences ?? '')
		.split(/\r?\n/)
		.filter((s) => s !== '');
	return {
		temperature: numberOption(ctx, o, 'temperature', 'Sampling Temperature', i),
		maxTokens: numberOption(ctx, o, 'maxTokens', 'Maximum Number of Tokens', i),
		topP: numberOption(ctx, o, 'topP', 'Top P', i),
		stop: stop.length ? stop : undefined,
		timeoutMs: timeout * 1000,
		syncSeconds: syncWait,
		streaming: o.streaming !== false,
		toolCalling: readToolCalling(o.toolCalling),
	};
}

function readToolCalling(v: unknown): ToolCalling {
	return v === 'prompted' || v === 'off' ? v : 'auto';
}

const baseModel = modelLocator();

/** Run's model locator, listing Replicate's language models. */
const modelField: INodeProperties = {
	...baseModel,
	description: 'A language model: owner/name, owner/name:version, or its replicate.com URL',
	displayOptions: { show: { source: ['model'] } },
	modes: (baseModel.modes ?? []).map((mode) =>
		mode.name === 'list'
			? {
					...mode,
					placeholder: 'Select a language model…',
					typeOptions: { searchListMethod: 'searchLanguageModels', searchable: true },
				}
			: mode,
	),
};

export class LmChatReplicate implements INodeType {
	description: DescribedForBuilder = {
		displayName: 'Replicate Chat Model',
		name: 'lmChatReplicate',
		icon: { light: 'file:../../icons/replicate.svg', dark: 'file:../../icons/replicate.dark.svg' },
		group: ['transform'],
		version: 1,
		description: 'Use a language model hosted on Replicate in AI chains and agents',
		subtitle: '={{ $parameter["source"] === "deployment" ? "Deployment" : "Model" }}',
		defaults: { name: 'Replicate Chat Model' },
		inputs: [],
		outputs: [NodeConnectionTypes.AiLanguageModel],
		outputNames: ['Model'],
		credentials: [{ name: 'replicateApi', required: true }],
		builderHint: {
			searchHint:
				'A language model hosted on Replicate, as the chat model of a Basic LLM Chain or an AI Agent (connect its Model output to their Chat Model input). It answers with text; to generate images, audio or video use the Replicate node (Prediction → Run).',
		},
		properties: [
			{
				displayName: `Needs n8n ${MIN_N8N_VERSION} or newer. Connect it to a chain (Basic LLM Chain) or an AI Agent; with an agent's tools it calls them by prompting (see Tool Calling).`,
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Source',
				name: 'source',
				type: 'options',
				options: [
					{
						name: 'Model',
						value: 'model',
						description: 'A public or private model (optionally a version)',
					},
					{ name: 'Deployment', value: 'deployment', description: 'One of your deployments' },
				],
				default: 'model',
			},
			modelField,
			deploymentLocator({ displayOptions: { show: { source: ['deployment'] } } }),
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Maximum Number of Tokens',
						name: 'maxTokens',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 512,
						description:
							"Sent as the model's max_tokens (or max_new_tokens / max_completion_tokens) input, when it has one",
					},
					{
						displayName: 'Sampling Temperature',
						name: 'temperature',
						type: 'number',
						typeOptions: { minValue: 0, numberPrecision: 2 },
						default: 0.7,
						description: 'Sent as the temperature input, when the model has one',
					},
					{
						displayName: 'Stop Sequences',
						name: 'stopSequences',
						type: 'string',
						typeOptions: { rows: 3 },
						default: '',
						description:
							'One per line. Sent as the stop_sequences (or stop) input, when the model has one.',
					},
					{
						displayName: 'Stream Tokens',
						name: 'streaming',
						type: 'boolean',
						default: true,
						description:
							"Whether to read the prediction's event stream when n8n streams the answer (else the answer arrives in one piece)",
					},
					{
						displayName: 'Sync Wait (Seconds)',
						name: 'syncWait',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 60 },
						default: 60,
						description:
							'Without streaming: Replicate holds the create request up to this long and answers with the finished prediction (Prefer: wait); longer runs are then polled. A stop during the hold takes effect when it ends.',
					},
					{
						displayName: 'Timeout (Seconds)',
						name: 'timeout',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 3600 },
						default: 300,
						description:
							'Longest wait for an answer; the prediction is canceled on Replicate after it',
					},
					toolCallingOption,
					{
						displayName: 'Top P',
						name: 'topP',
						type: 'number',
						typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
						default: 1,
						description: 'Sent as the top_p input, when the model has one',
					},
				],
			},
		],
	};

	methods = { listSearch: { searchLanguageModels, searchDeployments } };

	async supplyData(this: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
		const sdk = await loadSdk(this, itemIndex);
		const source = this.getNodeParameter('source', itemIndex, 'model') as string;
		const settings = readSettings(this, itemIndex);
		let target;
		if (source === 'deployment') {
			const d = readDeploymentRef(this, itemIndex);
			target = await resolveDeployment(this, d.owner, d.name, itemIndex);
		} else {
			target = await resolveModel(this, readModelRef(this, itemIndex), itemIndex);
		}
		let chat;
		try {
			chat = chatSchema(target.openapi);
		} catch (error) {
			const e = error as Error;
			throw new NodeOperationError(this.getNode(), `${target.model || 'The model'}: ${e.message}`, {
				itemIndex,
				description: e instanceof ChatMappingError ? e.description : undefined,
			});
		}
		const model = new ChatModel(
			this,
			target,
			chat,
			settings,
			itemIndex,
			sdk.getParametersJsonSchema,
		);
		const supplied = sdk.supplyModel(this, model);
		// n8n 2.41's adapter drops the agent's image blocks; see chat/passthrough.ts.
		keepImages(supplied.response);
		return supplied;
	}
}
