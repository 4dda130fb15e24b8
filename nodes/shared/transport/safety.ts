// Pure checks the transport applies to everything that comes from outside: the credential's Base
// URL, URLs chosen by the upstream (cursors, file URLs), which hosts output files may come from,
// and the redaction of secrets from anything that may end up in an error.
import type { IDataObject } from 'n8n-workflow';

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
 * path and query are kept, the origin becomes the Base URL's, and Replicate's `/v1` prefix becomes
 * the Base URL's path (a gateway at https://gw.example/replicate/v1 serves /v1/... as
 * /replicate/v1/...).
 */
export function rebase(url: string, base: string): string {
	const u = new URL(url);
	const b = new URL(base);
	if (u.origin === b.origin) return u.href;
	const basePath = b.pathname.replace(/\/+$/, '');
	let path = u.pathname;
	if (basePath && !path.startsWith(`${basePath}/`) && path !== basePath) {
		const v1 = /^\/v1(?=\/|$)/.exec(path);
		if (v1) path = `${basePath}${path.slice(v1[0].length)}`;
	}
	return `${b.origin}${path}${u.search}`;
}

function ipv4Private(a: number, b: number): boolean {
	return (
		a === 0 || // "this" network
		a === 10 ||
		a === 127 ||
		(a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
		(a === 169 && b === 254) || // link-local (cloud metadata)
		(a === 172 && b >= 16 && b <= 31) ||
		(a === 192 && b === 168) ||
		a >= 224 // multicast and reserved
	);
}

/**
 * Whether a host (as the URL parser normalised it) is loopback, link-local, private, unique-local
 * or a localhost name. Literal addresses only: names other than localhost are not resolved here.
 */
export function isLocalHost(hostname: string): boolean {
	const h = hostname.toLowerCase().replace(/\.$/, '');
	if (!h || h === 'localhost' || h.endsWith('.localhost')) return true;
	const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(h);
	if (v4) return ipv4Private(Number(v4[1]), Number(v4[2]));
	if (h.startsWith('[') && h.endsWith(']')) {
		const v6 = h.slice(1, -1);
		if (v6 === '::1' || v6 === '::') return true;
		const mapped = /^::ffff:(?:(\d+)\.(\d+)\.\d+\.\d+|([0-9a-f]{1,4}):[0-9a-f]{1,4})$/.exec(v6);
		if (mapped) {
			if (mapped[1]) return ipv4Private(Number(mapped[1]), Number(mapped[2]));
			const hi = parseInt(mapped[3], 16);
			return ipv4Private(hi >> 8, hi & 0xff);
		}
		const first = parseInt(v6.split(':')[0] || '0', 16);
		if ((first & 0xfe00) === 0xfc00) return true; // fc00::/7 unique-local
		if ((first & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
		if ((first & 0xff00) === 0xff00) return true; // multicast
		return false;
	}
	return false;
}

/**
 * Why an output file URL must not be fetched, or undefined when it may be. Files must be https on a
 * public address; the Base URL's own host is trusted as the API itself, and a Base URL on a
 * loopback or private address (a local emulator or gateway) trusts the local network it lives in.
 */
export function fileUrlProblem(url: string, base: string): string | undefined {
	let u: URL;
	try {
		u = new URL(url);
	} catch {
		return 'it is not a valid URL';
	}
	if (u.protocol !== 'https:' && u.protocol !== 'http:')
		return `its scheme ${u.protocol} is not fetched`;
	if (u.username || u.password) return 'it carries a user name or password';
	const b = new URL(base);
	if (u.hostname === b.hostname || isLocalHost(b.hostname)) return undefined;
	if (isLocalHost(u.hostname)) return 'it points to a loopback, link-local or private address';
	if (u.protocol !== 'https:') return 'it is not https';
	return undefined;
}

const REDACTED = '[redacted]';

/** Removes the token and anything that looks like a credential from a text. */
export function redactText(text: string, token?: string): string {
	let out = text;
	if (token && token.length >= 4) out = out.split(token).join(REDACTED);
	return out
		.replace(/\b(Bearer)\s+[^\s"',;]+/gi, `$1 ${REDACTED}`)
		.replace(/\br8_[A-Za-z0-9_-]+/g, `r8_${REDACTED}`);
}

/** The same for a JSON value (an error body), at any depth. */
export function redactDeep<T>(value: T, token?: string, depth = 0): T {
	if (typeof value === 'string') return redactText(value, token) as T;
	if (depth > 20 || !value || typeof value !== 'object') return value;
	if (Array.isArray(value)) return value.map((v) => redactDeep(v, token, depth + 1)) as T;
	const out: IDataObject = {};
	for (const [k, v] of Object.entries(value as IDataObject)) {
		out[redactText(k, token)] = /^(authorization|cookie|x-api-key)$/i.test(k)
			? REDACTED
			: redactDeep(v, token, depth + 1);
	}
	return out as T;
}
