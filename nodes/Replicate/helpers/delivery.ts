// Checks an incoming Replicate webhook delivery (signature, timestamp, duplicates) and answers the
// ones that must start nothing. Shared by the Replicate Trigger and the resume of "Wait for Webhook" runs.
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { signingSecret } from './secret';
import { verifyDelivery } from './signature';

export type Checked = { ok: true; prediction: IDataObject; id: string } | { ok: false };

function header(ctx: IWebhookFunctions, name: string): string | undefined {
	const v = (ctx.getHeaderData() as IDataObject)[name];
	return Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
}

export function answer(ctx: IWebhookFunctions, status: number, body: IDataObject): { ok: false } {
	ctx.getResponseObject().status(status).json(body);
	return { ok: false };
}

/**
 * Verifies the delivery; on failure answers 401 itself. With `dedupe`, a webhook-id seen within the
 * tolerance window is answered 200 (so Replicate stops retrying) and starts nothing.
 */
export async function checkDelivery(
	ctx: IWebhookFunctions,
	toleranceSeconds: number,
	dedupe: boolean,
	secretFromStaticData = true,
): Promise<Checked> {
	// n8n keeps every request's raw body (its rawBodyReader middleware); the signature covers those bytes.
	const req = ctx.getRequestObject() as unknown as { rawBody?: Buffer; readRawBody?: () => Promise<void> };
	if (!req.rawBody && req.readRawBody) await req.readRawBody();
	const id = header(ctx, 'webhook-id');
	const delivery = {
		id,
		timestamp: header(ctx, 'webhook-timestamp'),
		signature: header(ctx, 'webhook-signature'),
		body: req.rawBody,
	};
	const lookup = await signingSecret(ctx, secretFromStaticData);
	let verdict = verifyDelivery(delivery, lookup.secret, toleranceSeconds);
	if (!verdict.ok && verdict.reason === 'no signature matches' && lookup.refresh) {
		// A cached default secret may have been rotated; fetched again at most once a minute.
		const fresh = await lookup.refresh();
		if (fresh && fresh !== lookup.secret) verdict = verifyDelivery(delivery, fresh, toleranceSeconds);
	}
	if (!verdict.ok) return answer(ctx, 401, { error: 'Invalid webhook signature', reason: verdict.reason });
	let prediction: IDataObject;
	try {
		prediction = JSON.parse((req.rawBody as Buffer).toString('utf8')) as IDataObject;
	} catch {
		return answer(ctx, 400, { error: 'The body is not JSON' });
	}
	if (dedupe) {
		const data = ctx.getWorkflowStaticData('node');
		const seen = (data.seenWebhookIds ?? {}) as Record<string, number>;
		const now = Date.now();
		for (const [k, at] of Object.entries(seen)) if (now - at > 2 * toleranceSeconds * 1000) delete seen[k];
		if (seen[id as string]) {
			data.seenWebhookIds = seen;
			return answer(ctx, 200, { received: true, duplicate: true });
		}
		seen[id as string] = now;
		data.seenWebhookIds = seen;
	}
	return { ok: true, prediction, id: id as string };
}

/** Which webhook event a delivery is, from the prediction's status. */
export function eventOf(status: unknown): 'start' | 'progress' | 'completed' {
	if (status === 'starting') return 'start';
	if (status === 'processing') return 'progress';
	return 'completed';
}
