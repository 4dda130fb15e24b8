// The webhook signing secret: the credential's, or Replicate's default one (fetched, then kept).
import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

import { apiRequest, CREDENTIAL, type ApiRequest, type ApiResponse } from '../transport';

export async function fetchDefaultSecret(ctx: IHookFunctions | IWebhookFunctions): Promise<string> {
	const res = await apiRequest.call<IHookFunctions | IWebhookFunctions, [ApiRequest], Promise<ApiResponse<IDataObject>>>(ctx, { method: 'GET', path: '/webhooks/default/secret', retry: 'read' });
	return String(res.body.key ?? '');
}

/** The credential's Webhook Signing Secret, else the one kept in static data, else fetched now. */
export async function signingSecret(ctx: IWebhookFunctions): Promise<string> {
	const creds = await ctx.getCredentials(CREDENTIAL);
	const own = String(creds.webhookSecret ?? '').trim();
	if (own) return own;
	const data = ctx.getWorkflowStaticData('node');
	if (typeof data.signingSecret === 'string' && data.signingSecret) return data.signingSecret;
	const fetched = await fetchDefaultSecret(ctx);
	data.signingSecret = fetched;
	return fetched;
}
