// In-process n8n: runs our nodes through n8n-core's WorkflowExecute with a real execution context,
// real parameter resolution, credentials applied through the credential's `authenticate`, binary
// data in filesystem mode (streamed to disk, as in a default n8n 2.x), and errors as n8n makes them.
import { Container } from '@n8n/di';
import { BinaryDataService, ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	createRunExecutionData,
	ICredentialsHelper,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type ICredentialType,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IWorkflowExecuteAdditionalData,
	type IBinaryData,
	type IDataObject,
	type INodeProperties,
	type IWorkflowSettings,
} from 'n8n-workflow';

import { ReplicateApi } from '../../credentials/ReplicateApi.credentials';
import { Replicate } from '../../nodes/Replicate/Replicate.node';
import { ReplicateTrigger } from '../../nodes/ReplicateTrigger/ReplicateTrigger.node';

/**
 * What jest-mock-extended's mock() gives, without Jest (so benchmarks can use this harness too):
 * every property not assigned is a function returning undefined; `then` stays undefined.
 */
export function stub<T>(): T {
	const assigned: Record<string | symbol, unknown> = {};
	return new Proxy(assigned, {
		get: (target, key) =>
			key in target ? target[key] : key === 'then' ? undefined : (target[key] = () => undefined),
		set: (target, key, value) => {
			target[key] = value;
			return true;
		},
	}) as T;
}

const PACKAGE = '@n8n-nodes-replicate/n8n-nodes-replicate';
const NODE_TYPES: Record<string, INodeType> = {
	[`${PACKAGE}.replicate`]: new Replicate(),
	[`${PACKAGE}.replicateTrigger`]: new ReplicateTrigger(),
};
const CREDENTIAL_TYPES: Record<string, ICredentialType> = { replicateApi: new ReplicateApi() };

export function registerNodeType(name: string, type: INodeType) {
	NODE_TYPES[`${PACKAGE}.${name}`] = type;
}

export const nodeTypes: INodeTypes = {
	getByName: (type) => NODE_TYPES[type],
	getByNameAndVersion: (type) => NODE_TYPES[type],
	getKnownTypes: () => ({}),
};

/**
 * Applies a credential's `authenticate` the way n8n's CredentialsHelper (packages/cli) does, which
 * n8n-core calls from httpRequestWithAuthentication with the workflow and node: a function is
 * called; a generic block has every key and value under each target (headers, qs, body, auth)
 * resolved with n8n's expression engine (`workflow.expression.getSimpleParameterValue` with
 * `$credentials`) and written into the caller's request options themselves. So a broken
 * `authenticate` in credentials/ fails the tests that send requests.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly data: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}
	getParentTypes() {
		return [];
	}
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const auth = CREDENTIAL_TYPES[typeName]?.authenticate;
		if (!auth) return requestOptions;
		if (typeof auth === 'function') return await auth(credentials, requestOptions);
		if (!workflow || !node)
			throw new Error('n8n passes the workflow and node for a generic authenticate');
		const resolve = (value: unknown) => {
			if (typeof value !== 'string' || !value.startsWith('=')) return value;
			const resolved = workflow.expression.getSimpleParameterValue(
				node,
				value,
				'internal',
				{ $credentials: credentials },
				undefined,
				'',
			);
			return resolved ? String(resolved) : '';
		};
		// As n8n does: the caller's own objects receive the credential (a node that reused its headers
		// object for another request would leak the token; the transport builds a fresh one per request).
		requestOptions.headers ??= {};
		const options = requestOptions as unknown as Record<string, IDataObject | undefined>;
		for (const [target, entries] of Object.entries(auth.properties)) {
			const into = (options[target] ??= {});
			for (const [key, value] of Object.entries(entries as IDataObject))
				into[String(resolve(key))] = resolve(value) as IDataObject[string];
		}
		return requestOptions;
	}
	async preAuthentication() {
		return undefined;
	}
	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used in tests');
	}
	async getDecrypted(
		_a: unknown,
		nodeCredentials: { name: string | null },
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const found = this.data[type];
		if (!found) throw new Error(`No test credentials of type ${type}`);
		const defaults = Object.fromEntries(
			(CREDENTIAL_TYPES[type]?.properties ?? []).map((p: INodeProperties) => [p.name, p.default]),
		);
		return { ...defaults, ...found } as ICredentialDataDecryptedObject;
	}
	async updateCredentials() {}
	async updateCredentialsOauthTokenData() {}
	getCredentialsProperties(type: string) {
		return CREDENTIAL_TYPES[type]?.properties ?? [];
	}
}

let binaryReady: Promise<void> | undefined;
/** Filesystem binary mode, like a default n8n 2.x instance (N8N_DEFAULT_BINARY_DATA_MODE from the env). */
export function initBinaryData(): Promise<void> {
	return (binaryReady ??= Container.get(BinaryDataService).init());
}

export async function readBinary(binary: IBinaryData): Promise<Buffer> {
	return await Container.get(BinaryDataService).getAsBuffer(binary);
}

export interface RunOptions {
	parameters: IDataObject;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	input?: INodeExecutionData[];
	continueOnFail?: boolean;
	nodeName?: string;
	type?: string;
	settings?: IWorkflowSettings;
	/** Called with the cancelable run, e.g. to stop the execution part-way. */
	onStart?: (run: { cancel(): void }) => void;
	additionalData?: Partial<IWorkflowExecuteAdditionalData>;
	runExecutionData?: ReturnType<typeof createRunExecutionData>;
	workflowId?: string;
	/** Node settings as the editor stores them (retryOnFail, maxTries, waitBetweenTries, …). */
	nodeSettings?: Partial<INode>;
}

let executionCounter = 0;

export interface RunResult {
	run: IRun;
	items: INodeExecutionData[];
	/** The node's error message when the execution failed. */
	error?: Error & { description?: string; context?: IDataObject; httpCode?: string };
	node: INode;
}

export async function runNode(opts: RunOptions): Promise<RunResult> {
	await initBinaryData();
	const node: INode = {
		id: 'a1b2c3d4-0000-4000-8000-000000000001',
		name: opts.nodeName ?? 'Replicate',
		type: opts.type ?? `${PACKAGE}.replicate`,
		typeVersion: 1,
		position: [0, 0],
		parameters: opts.parameters as INode['parameters'],
		credentials: { replicateApi: { id: 'cred1', name: 'Replicate test' } },
		...(opts.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		...(opts.nodeSettings ?? {}),
	};
	const workflow = new Workflow({
		id: opts.workflowId ?? 'wfTestReplicate01',
		name: 'test',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
		settings: opts.settings,
	});
	const done = new Promise<IRun>((resolve) => {
		const hooks = new ExecutionLifecycleHooks('manual', '1', stub());
		hooks.addHandler('workflowExecuteAfter', (fullRun) => resolve(fullRun));
		const additionalData = stub<IWorkflowExecuteAdditionalData>();
		additionalData.hooks = hooks;
		additionalData.currentNodeParameters = undefined;
		additionalData.credentialsHelper = new TestCredentialsHelper(opts.credentials ?? {});
		additionalData.executionId = String(++executionCounter); // each run is its own execution, as in n8n
		additionalData.restApiUrl = 'http://127.0.0.1:5678/rest';
		additionalData.instanceBaseUrl = 'http://127.0.0.1:5678/';
		additionalData.webhookBaseUrl = 'http://127.0.0.1:5678/webhook';
		additionalData.webhookWaitingBaseUrl = 'http://127.0.0.1:5678/webhook-waiting';
		additionalData.webhookTestBaseUrl = 'http://127.0.0.1:5678/webhook-test';
		additionalData.formWaitingBaseUrl = 'http://127.0.0.1:5678/form-waiting';
		additionalData.variables = {};
		Object.assign(additionalData, opts.additionalData ?? {});
		const runExecutionData =
			opts.runExecutionData ??
			createRunExecutionData({
				executionData: {
					nodeExecutionStack: [
						{ node, data: { main: [opts.input ?? [{ json: {} }]] }, source: null },
					],
				},
			});
		const exec = new WorkflowExecute(additionalData, 'manual', runExecutionData);
		const cancelable = exec.processRunExecutionData(workflow);
		opts.onStart?.({ cancel: () => cancelable.cancel() });
		cancelable.catch(() => undefined);
	});
	const run = await done;
	const taskData = run.data.resultData.runData[node.name]?.[0];
	const items = taskData?.data?.main?.[0] ?? [];
	const error = (taskData?.error ?? run.data.resultData.error) as RunResult['error'];
	assertNoSecrets(opts.credentials, run, error);
	return { run, items, error, node };
}

/**
 * Every run of the whole suite passes through here: the API token must not appear in the run data
 * (outputs, errors, metadata) nor anywhere in the error object, its cause included.
 */
function assertNoSecrets(credentials: RunOptions['credentials'], ...things: unknown[]) {
	const tokens = Object.values(credentials ?? {})
		.map((c) => String(c.apiToken ?? ''))
		.filter((t) => t.length >= 8);
	const seen = new WeakSet<object>();
	const text = things
		.map((t) =>
			JSON.stringify(t, (_k, v: unknown) => {
				if (v && typeof v === 'object') {
					if (seen.has(v)) return undefined;
					seen.add(v);
					if (v instanceof Error)
						return Object.fromEntries(
							Object.getOwnPropertyNames(v).map((k) => [
								k,
								(v as unknown as Record<string, unknown>)[k],
							]),
						);
				}
				return v;
			}),
		)
		.join('\n');
	for (const token of tokens) {
		if (text.includes(token)) throw new Error('The API token appears in the run data or error');
	}
}

export function replicateCredentials(baseUrl: string, token: string, extra: IDataObject = {}) {
	return { replicateApi: { apiToken: token, baseUrl, ...extra } as ICredentialDataDecryptedObject };
}

export interface WebhookCall {
	parameters: IDataObject;
	type?: string;
	headers: Record<string, string>;
	rawBody: Buffer;
	path?: string;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	staticData?: IDataObject;
	nodeId?: string;
	/** The waiting execution's data (a resume of "Wait for Webhook"): what n8n hands the webhook. */
	runExecutionData?: IRun['data'];
	nodeName?: string;
	/** n8n's mode: 'webhook' for a Production URL, 'manual' for a Test URL. */
	mode?: 'webhook' | 'manual';
	/** Return what webhook() throws as `error` (otherwise the call rejects). */
	captureError?: boolean;
}

export interface LogLine {
	level: string;
	message: string;
	meta?: unknown;
}

export interface WebhookResult {
	status: number;
	body: unknown;
	/** What the node wrote to n8n's log during the call. */
	logs: LogLine[];
	/** What webhook() threw (n8n then answers 500 and records it as the trigger's error). */
	error?: Error & { description?: string };
	response: Awaited<ReturnType<NonNullable<INodeType['webhook']>>>;
	staticData: IDataObject;
}

/** What n8n's JSON body parser leaves in req.body (the node reads the raw bytes). */
function parsedBody(raw: Buffer): unknown {
	try {
		return JSON.parse(raw.toString() || '{}');
	} catch {
		return {};
	}
}

/** Calls a node's webhook() through n8n-core's real WebhookContext with a request and a response. */
export async function callWebhook(call: WebhookCall): Promise<WebhookResult> {
	await initBinaryData();
	const { WebhookContext } = await import('n8n-core');
	const node: INode = {
		id: call.nodeId ?? 'a1b2c3d4-0000-4000-8000-000000000002',
		name: call.nodeName ?? 'Node',
		type: call.type ?? `${PACKAGE}.replicateTrigger`,
		typeVersion: 1,
		position: [0, 0],
		parameters: call.parameters as INode['parameters'],
		credentials: { replicateApi: { id: 'cred1', name: 'Replicate test' } },
	};
	const staticData = call.staticData ?? {};
	const workflow = new Workflow({
		id: 'wfTestWebhook001',
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes,
		staticData: { [`node:${node.name}`]: staticData } as IDataObject,
	});
	const sent = { status: 200, body: undefined as unknown };
	const res = {
		status(code: number) {
			sent.status = code;
			return res;
		},
		json(body: unknown) {
			sent.body = body;
			return res;
		},
		send(body: unknown) {
			sent.body = body;
			return res;
		},
		end() {
			return res;
		},
	};
	const req = {
		headers: Object.fromEntries(Object.entries(call.headers).map(([k, v]) => [k.toLowerCase(), v])),
		rawBody: call.rawBody,
		body: parsedBody(call.rawBody),
		path: call.path ?? '/webhook',
		query: {},
		params: {},
	};
	const additionalData = stub<IWorkflowExecuteAdditionalData>();
	additionalData.credentialsHelper = new TestCredentialsHelper(call.credentials ?? {});
	additionalData.httpRequest = req as never;
	additionalData.httpResponse = res as never;
	additionalData.executionId = '1';
	const description = NODE_TYPES[node.type].description.webhooks?.[0];
	const ctx = new WebhookContext(
		workflow,
		node,
		additionalData,
		call.mode ?? 'webhook',
		{
			httpMethod: 'POST',
			node: node.name,
			path: 'webhook',
			webhookDescription: description!,
			workflowId: workflow.id,
			workflowExecuteAdditionalData: additionalData,
		} as never,
		[],
		call.runExecutionData ?? null,
	);
	const logs: LogLine[] = [];
	const line = (level: string) => (message: string, meta?: unknown) =>
		void logs.push({ level, message, meta });
	// n8n-core memoizes the logger on first use; defined first, the node writes here instead.
	Object.defineProperty(ctx, 'logger', {
		value: { error: line('error'), warn: line('warn'), info: line('info'), debug: line('debug') },
	});
	let response: WebhookResult['response'] = {};
	let error: WebhookResult['error'];
	try {
		response = await NODE_TYPES[node.type].webhook!.call(ctx as never);
	} catch (e) {
		if (!call.captureError) throw e;
		error = e as Error;
	}
	return {
		status: sent.status,
		body: sent.body,
		logs,
		error,
		response,
		staticData: workflow.staticData[`node:${node.name}`] as IDataObject,
	};
}
