// In-process editor calls: the n8n editor asks the server for list searches, option lists and the
// field mapper with the node's current parameters; the server runs our method with n8n-core's
// LoadOptionsContext. This does the same, so tests see what the editor sees.
import { LoadOptionsContext } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type INodeListSearchResult,
	type INodePropertyOptions,
	type IWorkflowExecuteAdditionalData,
	type ResourceMapperFields,
} from 'n8n-workflow';

import { Replicate } from '../../nodes/Replicate/Replicate.node';
import { nodeTypes, stub, TestCredentialsHelper } from './n8n';

export interface EditorCall {
	parameters: IDataObject;
	credentials: Record<string, ICredentialDataDecryptedObject>;
}

function context(call: EditorCall, path: string): LoadOptionsContext {
	const node: INode = {
		id: 'a1b2c3d4-0000-4000-8000-0000000000e1',
		name: 'Replicate',
		type: '@n8n-nodes-replicate/n8n-nodes-replicate.replicate',
		typeVersion: 1,
		position: [0, 0],
		parameters: call.parameters as INode['parameters'],
		credentials: { replicateApi: { id: 'cred1', name: 'Replicate test' } },
	};
	const workflow = new Workflow({
		id: 'wfTestEditor0001',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
	});
	const additionalData = stub<IWorkflowExecuteAdditionalData>();
	additionalData.credentialsHelper = new TestCredentialsHelper(call.credentials);
	additionalData.currentNodeParameters =
		call.parameters as IWorkflowExecuteAdditionalData['currentNodeParameters'];
	additionalData.restApiUrl = 'http://127.0.0.1:5678/rest';
	additionalData.instanceBaseUrl = 'http://127.0.0.1:5678/';
	additionalData.variables = {};
	return new LoadOptionsContext(workflow, node, additionalData, path);
}

const methods = new Replicate().methods;

export async function listSearch(
	method: keyof typeof methods.listSearch,
	call: EditorCall,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const fn = methods.listSearch[method] as (
		this: LoadOptionsContext,
		filter?: string,
		paginationToken?: string,
	) => Promise<INodeListSearchResult>;
	return await fn.call(context(call, 'parameters.model'), filter, paginationToken);
}

export async function loadOptions(
	method: keyof typeof methods.loadOptions,
	call: EditorCall,
): Promise<INodePropertyOptions[]> {
	return await methods.loadOptions[method].call(context(call, 'parameters.hardware'));
}

export async function resourceMapping(
	method: keyof typeof methods.resourceMapping,
	call: EditorCall,
): Promise<ResourceMapperFields> {
	return await methods.resourceMapping[method].call(context(call, 'parameters.inputFields'));
}
