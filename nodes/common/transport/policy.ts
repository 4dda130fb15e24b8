// The one outbound-URL policy: which URLs that come from outside (output files, a prediction's
// stream URL, redirect targets, anything an answer points at) the node may fetch. The transport
// applies it to every hop of every request, the first included (exchange.ts); output items use it to
// say which files were skipped and why.

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
 * Why a URL must not be fetched, or undefined when it may be. It must be http(s) without user
 * information; https on a public address, unless it is on the Base URL's own host (the API itself)
 * or the Base URL is on a loopback or private address (a local emulator or gateway trusts the local
 * network it lives in).
 */
export function outboundUrlProblem(url: string, base: string): string | undefined {
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
