// The webhook signing secret: the credential's, or Replicate's default one (fetched, then kept).
import { createHash } from 'crypto';
import type { IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

import { apiRequest, CREDENTIAL, getBaseUrl } from '../transport';

export async function fetchDefaultSecret(ctx: IHookFunctions | IWebhookFunctions): Promise<string> {
	const res = await apiRequest(ctx, {
		method: 'GET',
		path: '/webhooks/default/secret',
		retry: 'read',
	});
	return String(res.body.key ?? '');
}

/**
 * Replicate's default secret per account, kept in this process only (each n8n process fetches its
 * own copy; nothing is shared between processes or credentials). Keyed by the Base URL and a hash
 * of the API token, so two credentials never see each other's secret. Concurrent misses share one
 * fetch.
 */
const DEFAULT_SECRETS = new Map<string, { at: number; secret: Promise<string> }>();
const SECRET_TTL_MS = 3_600_000;
/** A cached secret that fails to verify a delivery is re-fetched, at most this often. */
const REFRESH_AFTER_MS = 60_000;
const MAX_CACHED = 200;

async function cacheKey(ctx: IWebhookFunctions, token: string): Promise<string> {
	const base = await getBaseUrl.call(ctx);
	return createHash('sha256').update(`${base}\n${token}`).digest('hex');
}

export interface SecretLookup {
	secret: string;
	/** Where the secret came from (said in the log line of a rejected delivery). */
	source: 'credential' | 'account default';
	/**
	 * For a cached default secret: fetches it again (Replicate may have rotated it) and returns the
	 * new one, or undefined when the cached copy is too fresh to be worth another request.
	 */
	refresh?: () => Promise<string | undefined>;
}

async function cachedDefaultSecret(ctx: IWebhookFunctions, token: string): Promise<SecretLookup> {
	const key = await cacheKey(ctx, token);
	const load = () => {
		if (DEFAULT_SECRETS.size >= MAX_CACHED) DEFAULT_SECRETS.clear();
		const entry = { at: Date.now(), secret: fetchDefaultSecret(ctx) };
		DEFAULT_SECRETS.set(key, entry);
		entry.secret.catch(() => {
			if (DEFAULT_SECRETS.get(key) === entry) DEFAULT_SECRETS.delete(key);
		});
		return entry;
	};
	let entry = DEFAULT_SECRETS.get(key);
	if (!entry || Date.now() - entry.at > SECRET_TTL_MS) entry = load();
	const used = entry;
	return {
		secret: await used.secret,
		source: 'account default',
		refresh: async () => {
			const current = DEFAULT_SECRETS.get(key);
			if (current && current !== used) return await current.secret;
			if (Date.now() - used.at < REFRESH_AFTER_MS) return undefined;
			return await load().secret;
		},
	};
}

/**
 * The credential's Webhook Signing Secret; else, for the trigger, the one its activation kept in
 * static data; else Replicate's default secret from the per-process cache (fetched on a miss).
 */
export async function signingSecret(
	ctx: IWebhookFunctions,
	useStaticData = true,
): Promise<SecretLookup> {
	const creds = await ctx.getCredentials(CREDENTIAL);
	const own = String(creds.webhookSecret ?? '').trim();
	if (own) return { secret: own, source: 'credential' };
	if (useStaticData) {
		const data = ctx.getWorkflowStaticData('node');
		if (typeof data.signingSecret === 'string' && data.signingSecret)
			return { secret: data.signingSecret, source: 'account default' };
		const found = await cachedDefaultSecret(ctx, String(creds.apiToken ?? ''));
		data.signingSecret = found.secret;
		return found;
	}
	return await cachedDefaultSecret(ctx, String(creds.apiToken ?? ''));
}
