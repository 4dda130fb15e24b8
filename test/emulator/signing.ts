// Standard Webhooks signing, as Replicate signs deliveries (replicate-api.md §13.2).
import { createHmac } from 'node:crypto';

export function signWebhook(
	secret: string,
	id: string,
	timestamp: number | string,
	body: string,
): string {
	const key = Buffer.from(secret.slice(secret.indexOf('_') + 1), 'base64');
	const mac = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
	return `v1,${mac}`;
}
