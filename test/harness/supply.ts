// A real n8n-core SupplyDataContext for the chat model node: parameters resolved by n8n,
// credentials applied through the credential's authenticate block, the execution's abort signal.
import { SupplyDataContext } from 'n8n-core';
import {
	createRunExecutionData,
	NodeConnectionTypes,
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { LmChatReplicate } from '../../nodes/LmChatReplicate/LmChatReplicate.node';
import { nodeTypes, registerNodeType, stub, TestCredentialsHelper } from './n8n';

registerNodeType('lmChatReplicate', new LmChatReplicate());

export interface SupplyOptions {
	parameters: IDataObject;
	credentials: Record<string, ICredentialDataDecryptedObject>;
}

export function supplyContext(opts: SupplyOptions) {
	const node: INode = {
		id: 'a1b2c3d4-0000-4000-8000-000000000016',
		name: 'Replicate Chat Model',
		type: '@n8n-nodes-replicate/n8n-nodes-replicate.lmChatReplicate',
		typeVersion: 1,
		position: [0, 0],
		parameters: opts.parameters as INode['parameters'],
		credentials: { replicateApi: { id: 'cred1', name: 'Replicate test' } },
	};
	const workflow = new Workflow({
		id: 'wfTestChat0001',
		name: 'chat',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
	});
	const additionalData = stub<IWorkflowExecuteAdditionalData>();
	additionalData.credentialsHelper = new TestCredentialsHelper(opts.credentials);
	additionalData.executionId = '1';
	additionalData.currentNodeParameters = undefined;
	additionalData.variables = {};
	const abort = new AbortController();
	const input = { main: [[{ json: {} }]] };
	const ctx = new SupplyDataContext(
		workflow,
		node,
		additionalData,
		'manual',
		createRunExecutionData({}),
		0,
		[{ json: {} }],
		input,
		NodeConnectionTypes.AiLanguageModel,
		{ node, data: input, source: null },
		[],
		abort.signal,
	);
	return { ctx, abort, node };
}
