// Secrets out of anything that may reach an error, an output item or a log: the credential's
// secrets (the token, the extra header's value), any Bearer value and anything like a Replicate token.
import type { IDataObject } from 'n8n-workflow';

const REDACTED = '[redacted]';

/** Header names whose values are never shown, whatever they hold. */
const SECRET_HEADERS =
	/^(authorization|cookie|x-api-key|proxy-authorization|cf-aig-authorization)$/i;

/** The credential's secrets: the token, or a list (token, extra header value). */
export type Secrets = string | readonly string[] | undefined;

/** Removes the secrets and anything that looks like a credential from a text. */
export function redactText(text: string, secrets?: Secrets): string {
	let out = text;
	for (const secret of typeof secrets === 'string' ? [secrets] : (secrets ?? [])) {
		if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
	}
	return out
		.replace(/\b(Bearer)\s+[^\s"',;]+/gi, `$1 ${REDACTED}`)
		.replace(/\br8_[A-Za-z0-9_-]+/g, `r8_${REDACTED}`);
}

/** The same for a JSON value (an error body), at any depth. */
export function redactDeep<T>(value: T, secrets?: Secrets, depth = 0): T {
	if (typeof value === 'string') return redactText(value, secrets) as T;
	if (depth > 20 || !value || typeof value !== 'object') return value;
	if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets, depth + 1)) as T;
	const out: IDataObject = {};
	for (const [k, v] of Object.entries(value as IDataObject)) {
		out[redactText(k, secrets)] = SECRET_HEADERS.test(k)
			? REDACTED
			: redactDeep(v, secrets, depth + 1);
	}
	return out as T;
}
