// The credential's test as n8n runs it when a user clicks "Test" (packages/cli
// CredentialsTester.testCredentials, declarative branch, read in n8n 2.8.4 and 2.41.1): the
// credential's `test` request becomes the routing of a throw-away node run by n8n-core's RoutingNode
// with the decrypted credential, and the outcome is read the same way: a response code matching a
// rule gives the rule's message, another error status its status text, an error without a response
// its code or message. (With n8n-workflow 2.8, which this repository builds against, an HTTP error
// loses its `cause`, so the rules never match and n8n's own message shows: as in n8n 2.8.4. The
// rules themselves are checked in a real n8n 2.41.1 by test/e2e/gateway.e2e.ts.)
import { ExecuteContext, RoutingNode } from 'n8n-core';
import {
	createRunExecutionData,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialTestRequest,
	type INode,
	type INodeType,
	type INodeTypes,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { ReplicateApi } from '../../credentials/ReplicateApi.credentials';
import { stub, TestCredentialsHelper } from './n8n';

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

export async function testCredential(
	data: ICredentialDataDecryptedObject,
): Promise<CredentialTestResult> {
	const credential = new ReplicateApi();
	const test = credential.test as ICredentialTestRequest;
	const defaults = Object.fromEntries(
		credential.properties.map((p) => [p.name, p.default]),
	) as ICredentialDataDecryptedObject;
	const decrypted = {
		id: 'cred1',
		name: 'Replicate test',
		type: credential.name,
		data: { ...defaults, ...data },
	};
	const nodeType: INodeType = {
		description: {
			displayName: 'Temp',
			name: 'temp',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: { name: 'Temp' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: credential.name, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					default: '',
					routing: { request: test.request },
				},
			],
		},
	};
	const nodeTypes: INodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
		getKnownTypes: () => ({}),
	};
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: 'temp',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [credential.name]: { id: decrypted.id, name: decrypted.name } },
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const additionalData = stub<IWorkflowExecuteAdditionalData>();
	additionalData.credentialsHelper = new TestCredentialsHelper({
		[credential.name]: decrypted.data,
	});
	additionalData.currentNodeParameters = node.parameters;
	const inputData = { main: [[{ json: {} }]] };
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		createRunExecutionData(),
		0,
		[],
		inputData,
		{ node, data: {}, source: null },
		[],
	);
	try {
		await new RoutingNode(context, nodeType, decrypted).runNode();
	} catch (e) {
		const error = e as Error & {
			cause?: { response?: { status: number; statusText?: string }; code?: string };
		};
		const response = error.cause?.response;
		if (response) {
			const rule = test.rules?.find(
				(r) => r.type === 'responseCode' && r.properties.value === response.status,
			);
			if (rule && rule.type === 'responseCode')
				return { status: 'Error', message: rule.properties.message };
			return {
				status: 'Error',
				message: response.statusText || `Received HTTP status code: ${response.status}`,
			};
		}
		if (error.cause?.code) return { status: 'Error', message: error.cause.code };
		return { status: 'Error', message: error.message };
	}
	return { status: 'OK', message: 'Connection successful!' };
}
