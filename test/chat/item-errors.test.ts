// A chat model's option errors reach the user through n8n's own sub-node path: n8n-core's
// getInputConnectionData catches what supplyData throws, records it on the sub-node and fails the
// parent with "Error in sub-node …", the sub-node's message as description and the item the parent
// asked for as itemIndex. So the message itself carries no "[item i]" (the Replicate node's router
// adds that; a sub-node has no router). Real WorkflowExecute, no HTTP: the options fail first.
jest.mock(
	'@n8n/ai-node-sdk',
	() => ({ supplyModel: (_ctx: unknown, model: unknown) => ({ response: model }) }),
	{ virtual: true },
);

import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	createRunExecutionData,
	NodeConnectionTypes,
	NodeOperationError,
	Workflow,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type IRun,
	type ISupplyDataFunctions,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { LmChatReplicate, readSettings } from '../../nodes/LmChatReplicate/LmChatReplicate.node';
import {
	nodeTypes,
	registerNodeType,
	replicateCredentials,
	stub,
	TestCredentialsHelper,
} from '../harness/n8n';

/** A chain-like parent: asks for the model for every item whose json.ask is true. */
class AskingChain implements INodeType {
	description = {
		displayName: 'Asking Chain',
		name: 'askingChain',
		group: ['transform'],
		version: 1,
		description: 'test parent',
		defaults: { name: 'Chain' },
		inputs: [
			NodeConnectionTypes.Main,
			{
				type: NodeConnectionTypes.AiLanguageModel,
				displayName: 'Model',
				maxConnections: 1,
				required: true,
			},
		],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	} as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		for (let i = 0; i < items.length; i++)
			if (items[i].json.ask)
				await this.getInputConnectionData(NodeConnectionTypes.AiLanguageModel, i);
		return [items];
	}
}

registerNodeType('lmChatReplicate', new LmChatReplicate());
registerNodeType('askingChain', new AskingChain());

async function runChain(options: IDataObject, input: IDataObject[]) {
	const chat: INode = {
		id: 'a1b2c3d4-0000-4000-8000-000000000021',
		name: 'Replicate Chat Model',
		type: '@n8n-nodes-replicate/n8n-nodes-replicate.lmChatReplicate',
		typeVersion: 1,
		position: [0, 200],
		parameters: {
			source: 'model',
			model: { __rl: true, mode: 'id', value: 'acme/llm' },
			options,
		} as INode['parameters'],
		credentials: { replicateApi: { id: 'cred1', name: 'Replicate test' } },
	};
	const chain: INode = {
		id: 'a1b2c3d4-0000-4000-8000-000000000022',
		name: 'Chain',
		type: '@n8n-nodes-replicate/n8n-nodes-replicate.askingChain',
		typeVersion: 1,
		position: [200, 0],
		parameters: {},
	};
	const workflow = new Workflow({
		id: 'wfTestChatItems1',
		name: 'chat items',
		nodes: [chain, chat],
		connections: {
			[chat.name]: {
				[NodeConnectionTypes.AiLanguageModel]: [
					[{ node: chain.name, type: NodeConnectionTypes.AiLanguageModel, index: 0 }],
				],
			},
		},
		active: false,
		nodeTypes,
	});
	const run = await new Promise<IRun>((resolve) => {
		const hooks = new ExecutionLifecycleHooks('manual', '1', stub());
		hooks.addHandler('workflowExecuteAfter', (fullRun) => resolve(fullRun));
		const additionalData = stub<IWorkflowExecuteAdditionalData>();
		additionalData.hooks = hooks;
		additionalData.currentNodeParameters = undefined;
		additionalData.credentialsHelper = new TestCredentialsHelper(
			replicateCredentials('http://127.0.0.1:9', 'r8_unused'),
		);
		additionalData.executionId = 'chat-items';
		additionalData.variables = {};
		const data = createRunExecutionData({
			executionData: {
				nodeExecutionStack: [
					{ node: chain, data: { main: [input.map((json) => ({ json }))] }, source: null },
				],
			},
		});
		const exec = new WorkflowExecute(additionalData, 'manual', data);
		exec.processRunExecutionData(workflow).catch(() => undefined);
	});
	const error = run.data.resultData.runData.Chain?.[0]?.error as NodeOperationError | undefined;
	const own = run.data.resultData.runData['Replicate Chat Model']?.[0]?.error as
		NodeOperationError | undefined;
	return { error, own };
}

describe('option errors of the chat model, through n8n', () => {
	test.each([
		[
			{ timeout: '={{ $json.t }}' },
			'The "Timeout (Seconds)" option must be between 1 and 3600 (got 0)',
		],
		[
			{ syncWait: '={{ $json.t }}' },
			'The "Sync Wait (Seconds)" option must be a whole number from 1 to 60 (got 0)',
		],
		[
			{ temperature: '={{ "hot" + $json.t }}' },
			'The "Sampling Temperature" option must be a number',
		],
	])(
		'%j on item 2: the parent fails for item 2 with the option error as its details',
		async (options, message) => {
			const { error, own } = await runChain(options, [{ t: 30 }, { t: 30 }, { t: 0, ask: true }]);
			expect(error?.message).toBe('Error in sub-node Replicate Chat Model');
			expect(error?.context?.itemIndex).toBe(2);
			expect(error?.description).toBe(message);
			// the sub-node keeps its own error, for the same item
			expect(own?.message).toBe(message);
			expect(own?.context?.itemIndex).toBe(2);
		},
	);
});

describe('readSettings', () => {
	const ctx = (options: IDataObject) =>
		({
			getNode: () => ({ name: 'Replicate Chat Model' }) as INode,
			getNodeParameter: () => options,
		}) as unknown as ISupplyDataFunctions;

	const refusal = (options: IDataObject) => {
		try {
			readSettings(ctx(options), 4);
		} catch (e) {
			expect(e).toBeInstanceOf(NodeOperationError);
			expect((e as NodeOperationError).context.itemIndex).toBe(4);
			expect((e as NodeOperationError).message).not.toMatch(/\[item/);
			return (e as NodeOperationError).message;
		}
		throw new Error('accepted');
	};

	test('defaults, and values from expressions', () => {
		expect(readSettings(ctx({}), 0)).toEqual({
			temperature: undefined,
			maxTokens: undefined,
			topP: undefined,
			stop: undefined,
			timeoutMs: 300_000,
			syncSeconds: 60,
			streaming: true,
			toolCalling: 'auto',
		});
		expect(
			readSettings(
				ctx({ timeout: '3600', syncWait: '1', temperature: '0', stopSequences: 'a\r\n\nb' }),
				0,
			),
		).toMatchObject({ timeoutMs: 3_600_000, syncSeconds: 1, temperature: 0, stop: ['a', 'b'] });
	});

	test.each([
		[{ timeout: 0 }, /"Timeout \(Seconds\)" option must be between 1 and 3600 \(got 0\)$/],
		[{ timeout: 3601 }, /between 1 and 3600 \(got 3601\)$/],
		[{ timeout: -1 }, /between 1 and 3600/],
		[{ timeout: 'soon' }, /^The "Timeout \(Seconds\)" option must be a number$/],
		[{ timeout: 'Infinity' }, /"Timeout \(Seconds\)" option must be a number$/],
		[
			{ syncWait: 1.5 },
			/"Sync Wait \(Seconds\)" option must be a whole number from 1 to 60 \(got 1.5\)$/,
		],
		[{ syncWait: 61 }, /from 1 to 60 \(got 61\)$/],
		[{ topP: 'x' }, /^The "Top P" option must be a number$/],
		[{ maxTokens: '1e400' }, /^The "Maximum Number of Tokens" option must be a number$/],
	])('%j is refused with itemIndex and no [item] text', (options, message) => {
		expect(refusal(options)).toMatch(message);
	});
});
