// The credential as the transport uses it: the Base URL (checked), the token, a key that tells
// credentials apart for per-process caches, and the contexts requests are sent from.
import type {
	IExecuteFunctions,
	IHookFunctions,
	ILoadOptionsFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';
import { createHash } from 'crypto';
import { NodeOperationError } from 'n8n-workflow';

import { baseUrlProblem, DEFAULT_BASE_URL } from './safety';

export type ReplicateContext =
	IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

export const CREDENTIAL = 'replicateApi';

/** The credential's Base URL and token, and a key that tells credentials apart (for caches). */
export interface Connection {
	base: string;
	token: string;
	key: string;
}

export async function connection(this: ReplicateContext): Promise<Connection> {
	const creds = await this.getCredentials(CREDENTIAL);
	const base = String(creds.baseUrl || DEFAULT_BASE_URL)
		.trim()
		.replace(/\/+$/, '');
	const problem = baseUrlProblem(base);
	if (problem) {
		throw new NodeOperationError(
			this.getNode(),
			`The "Base URL" of the Replicate API credential is not valid: ${problem}`,
			{
				description:
					'Open the credential and set "Base URL" to an http(s) URL without query or fragment, for example https://api.replicate.com/v1.',
			},
		);
	}
	const token = String(creds.apiToken ?? '');
	// The token itself never becomes part of a key: only a digest of it, with the Base URL.
	const key = createHash('sha256').update(`${base}\n${token}`).digest('hex').slice(0, 32);
	return { base, token, key };
}

export async function getBaseUrl(this: ReplicateContext): Promise<string> {
	return (await connection.call(this)).base;
}

export function cancelSignal(ctx: ReplicateContext): AbortSignal | undefined {
	return 'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal() : undefined;
}

/**
 * The context with a `this` whose cancel signal is `signal` (n8n's request helpers abort on the
 * signal of the context they are called with), or none, so a request can outlive a stopped run.
 */
export function withSignal(ctx: ReplicateContext, signal: AbortSignal | undefined) {
	const base = {
		getNode: () => ctx.getNode(),
		getCredentials: (type: string) => ctx.getCredentials(type),
		helpers: ctx.helpers,
	};
	return signal ? { ...base, getExecutionCancelSignal: () => signal } : base;
}
