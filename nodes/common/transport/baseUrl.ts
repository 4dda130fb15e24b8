// The credential's Base URL: Replicate's API (https://api.replicate.com/v1) or anything in front of
// it at any path (a gateway such as Cloudflare AI Gateway's …/replicate, a proxy at its root, a
// local emulator). Checked before any request; URLs the API hands back are moved onto it.

export const DEFAULT_BASE_URL = 'https://api.replicate.com/v1';

/** Why the Base URL is unusable, or undefined when it is fine. */
export function baseUrlProblem(raw: string): string | undefined {
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		return 'it is not a URL (it needs a scheme, like https://api.replicate.com/v1)';
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:')
		return `its scheme is ${url.protocol} (use https: or http:)`;
	if (!url.hostname) return 'it has no host';
	if (url.search || raw.includes('?')) return 'it has a query (?…); the API path is appended to it';
	if (url.hash || raw.includes('#')) return 'it has a fragment (#…)';
	if (url.username || url.password)
		return 'it contains a user name or password; put the token in "API Token"';
	return undefined;
}

/**
 * An absolute URL the upstream chose (a `next` cursor, `urls.get`), moved onto the Base URL: its
 * path and query are kept and the origin becomes the Base URL's. Replicate's own URLs start with
 * `/v1`, which becomes the Base URL's path: a gateway at https://gw.example/replicate serves
 * /v1/predictions as /replicate/predictions, a proxy mounted at its root as /predictions. A URL
 * already on the Base URL's origin is used as it is.
 */
export function rebase(url: string, base: string): string {
	const u = new URL(url);
	const b = new URL(base);
	if (u.origin === b.origin) return u.href;
	const basePath = b.pathname.replace(/\/+$/, '');
	let path = u.pathname;
	const underBase = basePath !== '' && (path === basePath || path.startsWith(`${basePath}/`));
	const v1 = /^\/v1(?=\/|$)/.exec(path);
	if (!underBase && v1) path = `${basePath}${path.slice(v1[0].length)}` || '/';
	return `${b.origin}${path}${u.search}`;
}

/** Replicate's web site, not its API: a Base URL there answers pages, not JSON. */
const WEB_HOSTS = /^(?:www\.)?replicate\.com$/i;

/**
 * What to add to a 404's error when the Base URL may be the cause: it is Replicate's web address or
 * an API path other than /v1, or the 404 is not one of Replicate's problem answers (which carry a
 * `detail` or `title`), so whatever answered is not Replicate's API.
 */
export function baseUrlNote(base: string, body: unknown): string | undefined {
	const b = new URL(base);
	const replicateProblem =
		!!body &&
		typeof body === 'object' &&
		!Array.isArray(body) &&
		['detail', 'title'].some((k) => typeof (body as Record<string, unknown>)[k] === 'string');
	const webAddress =
		WEB_HOSTS.test(b.hostname) ||
		(b.hostname === 'api.replicate.com' && !/^\/v1\/?$/.test(b.pathname));
	if (replicateProblem && !webAddress) return undefined;
	return `Nothing was found at the credential's Base URL (${base}), which may not lead to Replicate's API: use https://api.replicate.com/v1, or a gateway's Replicate endpoint (for Cloudflare AI Gateway https://gateway.ai.cloudflare.com/v1/{account_id}/{gateway_id}/replicate).`;
}
