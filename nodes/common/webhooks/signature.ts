// Replicate signs webhook deliveries per Standard Webhooks: HMAC-SHA256 over
// "<webhook-id>.<webhook-timestamp>.<raw body>" with the base64 key after "whsec_", sent as one or
// more space-separated "v1,<base64>" entries in webhook-signature.
import { createHmac, timingSafeEqual } from 'crypto';

export interface Delivery {
	id?: string;
	timestamp?: string;
	signature?: string;
	body: Buffer | string | undefined;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * The HMAC key of a signing secret: `whsec_<base64>`, or the bare base64 key (as Standard Webhooks
 * libraries accept it). Undefined when it is neither, or shorter than 16 bytes.
 */
export function signingKey(secret: string): Buffer | undefined {
	const m = /^(?:whsec_)?([A-Za-z0-9+/]+={0,2})$/.exec(secret.trim());
	if (!m || m[1].length % 4 === 1) return undefined;
	const key = Buffer.from(m[1], 'base64');
	return key.length >= 16 ? key : undefined;
}

/** Why a tolerance is unusable, or undefined. */
export function toleranceProblem(value: unknown): string | undefined {
	const n = Number(value);
	if (!Number.isFinite(n) || n <= 0)
		return `The "Timestamp Tolerance (Seconds)" option must be a positive number (got ${String(value)})`;
	return undefined;
}

export function verifyDelivery(
	d: Delivery,
	secret: string,
	toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
	nowMs = Date.now(),
): Verdict {
	if (!d.id || !d.timestamp || !d.signature)
		return {
			ok: false,
			reason: 'missing webhook-id, webhook-timestamp or webhook-signature header',
		};
	if (d.body === undefined || d.body.length === 0) return { ok: false, reason: 'empty body' };
	const key = signingKey(secret);
	if (!key) return { ok: false, reason: 'the signing secret is not a whsec_ key or a base64 key' };
	if (!(toleranceSeconds > 0))
		return { ok: false, reason: 'the timestamp tolerance is not a positive number' };
	if (!/^\d{1,12}$/.test(d.timestamp))
		return { ok: false, reason: 'webhook-timestamp is not a Unix time' };
	const skew = Math.abs(nowMs / 1000 - Number(d.timestamp));
	if (skew > toleranceSeconds)
		return {
			ok: false,
			reason: `webhook-timestamp is ${Math.round(skew)} s off (tolerance ${toleranceSeconds} s)`,
		};
	const body = typeof d.body === 'string' ? Buffer.from(d.body, 'utf8') : d.body;
	const expected = createHmac('sha256', key)
		.update(`${d.id}.${d.timestamp}.`)
		.update(body)
		.digest();
	for (const entry of d.signature.split(' ')) {
		const [version, sig] = entry.split(',', 2);
		if (version !== 'v1' || !sig) continue;
		const given = Buffer.from(sig, 'base64');
		if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
	}
	return { ok: false, reason: 'no signature matches' };
}
