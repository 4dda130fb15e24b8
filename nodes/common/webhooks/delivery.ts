// Checks an incoming Replicate webhook delivery (signature, timestamp, duplicates) and answers the
// ones that must start nothing. Shared by the Replicate Trigger and the resume of "Wait for
// Webhook" runs.
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { signingSecret } from './secret';
import { verifyDelivery } from './signature';

export type Checked =
	| {
			ok: true;
			prediction: IDataObject;
			id: string;
			/** Forget this delivery (it failed before starting anything), so Replicate's retry is taken. */
			release(): void;
	  }
	| { ok: false };

/**
 * Per-process guard against running one delivery twice. n8n loads a workflow's static data for each
 * request and saves it after the response, so concurrent deliveries (or a retry that arrives while
 * the first is still downloading files) all read a list without each other's ids. This map is
 * checked and written with no await in between, so within one n8n process exactly one request per
 * webhook-id gets through; the list in static data still covers restarts. Keys are JSON arrays of
 * (workflow, node, webhook-id), so no id can collide with another workflow's or node's.
 */
const guard = new Map<string, number>();
const GUARD_MAX_ENTRIES = 50_000;

function guardKey(ctx: IWebhookFunctions, id: string): string {
	return JSON.stringify([String(ctx.getWorkflow().id ?? ''), ctx.getNode().id, id]);
}

function sweep(now: number) {
	for (const [key, until] of guard) {
		if (until <= now || guard.size > GUARD_MAX_ENTRIES) guard.delete(key);
	}
}

function header(ctx: IWebhookFunctions, name: string): string | undefined {
	const v = (ctx.getHeaderData() as IDataObject)[name];
	return Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
}

export function answer(ctx: IWebhookFunctions, status: number, body: IDataObject): { ok: false } {
	ctx.getResponseObject().status(status).json(body);
	return { ok: false };
}

/** A webhook-id as it may appear in a log line (it comes from the sender). */
function loggedId(id: string | undefined): string {
	if (id === undefined) return 'none';
	return /^[\w.:-]{1,100}$/.test(id) ? id : '(malformed)';
}

/** Which endpoint took the delivery: the Replicate Trigger's, or Wait for Webhook's resume URL. */
export type Endpoint = 'trigger' | 'resume';

function where(ctx: IWebhookFunctions, endpoint: Endpoint): string {
	if (endpoint === 'resume') return 'resume URL of a waiting execution';
	return ctx.getMode() === 'manual' ? 'Test URL' : 'Production URL';
}

/**
 * Answers a delivery that starts nothing and says why in n8n's log, so a user waiting on "Listening
 * for test event" (or on a suspended run) can find out. The line names the workflow, the node, the
 * URL and the reason; never the signature, the secret or the body.
 *
 * A trigger listening for a test event (mode "manual") fails instead of answering: n8n then answers
 * 500, ends the listening, and shows this error on the trigger in the editor (n8n's webhook helpers
 * record a webhook() error as the trigger's error and rethrow it when the run reaches the trigger,
 * so no later node runs). Repeats (level "info") are answered as usual.
 */
export function reject(
	ctx: IWebhookFunctions,
	endpoint: Endpoint,
	status: number,
	body: IDataObject,
	reason: string,
	level: 'warn' | 'info' = 'warn',
): { ok: false } {
	const workflow = ctx.getWorkflow();
	const node = ctx.getNode();
	const id = loggedId(header(ctx, 'webhook-id'));
	const inEditor = endpoint === 'trigger' && level === 'warn' && ctx.getMode() === 'manual';
	const outcome = inEditor
		? 'was refused (shown in the editor; n8n answers 500)'
		: `answered ${status}`;
	ctx.logger[level](
		`Replicate webhook delivery to node "${node.name}" (${where(ctx, endpoint)}) of workflow ${String(workflow.id ?? '')} ${outcome}: ${reason}`,
		{ workflowId: workflow.id, nodeName: node.name, status, reason, webhookId: id },
	);
	if (inEditor) {
		throw new NodeOperationError(node, `Webhook delivery rejected: ${reason}`, {
			description:
				'The delivery to the Test URL started nothing (n8n answered it with an error). Fix the cause, then click "Execute step" to listen again.',
		});
	}
	return answer(ctx, status, body);
}

/**
 * Verifies the delivery; on failure answers 401 itself (see reject). For the trigger, the secret may
 * come from its static data, and a webhook-id seen within the tolerance window is answered 200 (so
 * Replicate stops retrying) and starts nothing.
 */
export async function checkDelivery(
	ctx: IWebhookFunctions,
	endpoint: Endpoint,
	toleranceSeconds: number,
): Promise<Checked> {
	const trigger = endpoint === 'trigger';
	// n8n keeps every request's raw body (its rawBodyReader middleware); the signature covers those
	// bytes.
	const req: { rawBody?: Buffer; readRawBody?: () => Promise<void> } = ctx.getRequestObject();
	if (!req.rawBody && req.readRawBody) await req.readRawBody();
	const id = header(ctx, 'webhook-id');
	const delivery = {
		id,
		timestamp: header(ctx, 'webhook-timestamp'),
		signature: header(ctx, 'webhook-signature'),
		body: req.rawBody,
	};
	const lookup = await signingSecret(ctx, trigger);
	let verdict = verifyDelivery(delivery, lookup.secret, toleranceSeconds);
	if (!verdict.ok && verdict.reason === 'no signature matches' && lookup.refresh) {
		// A cached default secret may have been rotated; fetched again at most once a minute.
		const fresh = await lookup.refresh();
		if (fresh && fresh !== lookup.secret)
			verdict = verifyDelivery(delivery, fresh, toleranceSeconds);
	}
	if (!verdict.ok) {
		return reject(
			ctx,
			endpoint,
			401,
			{ error: 'Invalid webhook signature', reason: verdict.reason },
			`signature rejected: ${verdict.reason} (checked with the ${lookup.source === 'credential' ? "credential's Webhook Signing Secret" : "account's default signing secret"})`,
		);
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse((req.rawBody as Buffer).toString('utf8'));
	} catch {
		return reject(
			ctx,
			endpoint,
			400,
			{ error: 'The body is not JSON' },
			'signed, but the body is not JSON',
		);
	}
	// Signed is not the same as well-formed: only an object can be a prediction.
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
		const error = 'The body is not a JSON object';
		return reject(ctx, endpoint, 400, { error }, `signed, but the body is not a JSON object`);
	}
	const prediction = parsed as IDataObject;
	const webhookId = id as string;
	if (!trigger) return { ok: true, prediction, id: webhookId, release: () => undefined };
	// From here to the writes below there is no await: the check and the claim are one step.
	const data = ctx.getWorkflowStaticData('node');
	const seen = (
		data.seenWebhookIds && typeof data.seenWebhookIds === 'object' ? data.seenWebhookIds : {}
	) as Record<string, number>;
	const now = Date.now();
	const windowMs = 2 * toleranceSeconds * 1000;
	sweep(now);
	for (const [k, at] of Object.entries(seen)) if (!(now - at <= windowMs)) delete seen[k];
	const key = guardKey(ctx, webhookId);
	if ((guard.get(key) ?? 0) > now || Object.prototype.hasOwnProperty.call(seen, webhookId)) {
		data.seenWebhookIds = seen;
		return reject(
			ctx,
			endpoint,
			200,
			{ received: true, duplicate: true },
			'a repeated delivery (this webhook-id was taken already); nothing started',
			'info',
		);
	}
	guard.set(key, now + windowMs);
	seen[webhookId] = now;
	data.seenWebhookIds = seen;
	const release = () => {
		guard.delete(key);
		const list = ctx.getWorkflowStaticData('node').seenWebhookIds as
			Record<string, number> | undefined;
		if (list && Object.prototype.hasOwnProperty.call(list, webhookId)) delete list[webhookId];
	};
	return { ok: true, prediction, id: webhookId, release };
}

/** Which webhook event a delivery is, from the prediction's status. */
export function eventOf(status: unknown): 'start' | 'progress' | 'completed' {
	if (status === 'starting') return 'start';
	if (status === 'processing') return 'progress';
	return 'completed';
}
