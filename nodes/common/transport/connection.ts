// The credential as the transport uses it: the Base URL (checked), the token and an optional extra
// header (both sent by the credential's authenticate block, only where the token may go), a key that
// tells credentials apart for per-process caches, and the contexts requests are sent from.
import type { IExecuteFunctions } from 'n8n-workflow';
import { createHash } from 'crypto';
import { NodeOperationError } from 'n8n-workflow';

import { baseUrlProblem, DEFAULT_BASE_URL } from './baseUrl';

/**
 * What a request needs of n8n's context: the node, the credential, the request helpers and, where
 * the context has one, the execution's cancel signal. Every context a node runs in has these (execute,
 * supply-data, load-options, hook, webhook), so no caller casts its own.
 */
export type ReplicateContext = Pick<IExecuteFunctions, 'getNode' | 'getCredentials'> & {
	helpers: Pick<IExecuteFunctions['helpers'], 'httpRequest' | 'httpRequestWithAuthentication'>;
	getExecutionCancelSignal?(): AbortSignal | undefined;
};

export const CREDENTIAL = 'replicateApi';

/** What the transport reads the credential with. */
export type CredentialContext = Pick<IExecuteFunctions, 'getNode' | 'getCredentials'>;

/** The credential's Base URL and secrets, and a key that tells credentials apart (for caches). */
export interface Connection {
	base: string;
	token: string;
	key: string;
	/** The extra header's name (lower case), when the credential has one. */
	extraHeader?: string;
	/** Everything redacted from errors: the token and the extra header's value. */
	secrets: string[];
}

/** An HTTP header name (RFC 9110 token). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the extra header may not set: the token's own, and what frames the request. */
const RESERVED =
	/^(authorization|host|content-length|content-type|transfer-encoding|connection|cookie)$/i;

export async function connection(this: CredentialContext): Promise<Connection> {
	const creds = await this.getCredentials(CREDENTIAL);
	const base = String(creds.baseUrl || DEFAULT_BASE_URL)
		.trim()
		.replace(/\/+$/, '');
	const invalid = (field: string, problem: string, description: string) =>
		new NodeOperationError(
			this.getNode(),
			`The "${field}" of the Replicate API credential is not valid: ${problem}`,
			{ description },
		);
	const problem = baseUrlProblem(base);
	if (problem) {
		throw invalid(
			'Base URL',
			problem,
			'Open the credential and set "Base URL" to an http(s) URL without query or fragment, for example https://api.replicate.com/v1.',
		);
	}
	const token = String(creds.apiToken ?? '');
	const name = String(creds.extraHeaderName ?? '').trim();
	const value = String(creds.extraHeaderSecret ?? '');
	const fix = 'Open the credential and correct the extra header, or clear "Extra Header Name".';
	if (name && !TOKEN.test(name)) throw invalid('Extra Header Name', 'it is not a header name', fix);
	if (name && RESERVED.test(name))
		throw invalid('Extra Header Name', `the node sets ${name} itself`, fix);
	if (name && /[\r\n\0]/.test(value))
		throw invalid('Extra Header Value', 'it contains a line break or NUL', fix);
	// The token itself never becomes part of a key: only a digest of it, with the Base URL. (The
	// extra header does not change what the token may see, nor its rate limits.)
	const key = createHash('sha256').update(`${base}\n${token}`).digest('hex').slice(0, 32);
	return {
		base,
		token,
		key,
		extraHeader: name ? name.toLowerCase() : undefined,
		secrets: name ? [token, value] : [token],
	};
}

export async function getBaseUrl(this: CredentialContext): Promise<string> {
	return (await connection.call(this)).base;
}

export function cancelSignal(ctx: ReplicateContext): AbortSignal | undefined {
	return ctx.getExecutionCancelSignal?.();
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
