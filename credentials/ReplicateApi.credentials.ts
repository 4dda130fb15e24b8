import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class ReplicateApi implements ICredentialType {
	name = 'replicateApi';

	displayName = 'Replicate API';

	icon: Icon = { light: 'file:../icons/replicate.svg', dark: 'file:../icons/replicate.dark.svg' };

	documentationUrl = 'https://replicate.com/docs/reference/http';

	properties: INodeProperties[] = [
		{
			displayName: 'API Token',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'e.g. r8_...',
			description: 'Your Replicate API token, from replicate.com/account/api-tokens',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.replicate.com/v1',
			placeholder: 'https://api.replicate.com/v1',
			hint: "Replicate's API, or a gateway's Replicate endpoint (any path, no query)",
			description:
				'Where API requests go: https://api.replicate.com/v1, or a gateway or proxy in front of it at any path (e.g. Cloudflare AI Gateway: https://gateway.ai.cloudflare.com/v1/{account_id}/{gateway_id}/replicate), or a local emulator. The token is only sent here.',
		},
		{
			displayName: 'Extra Header Name',
			name: 'extraHeaderName',
			type: 'string',
			default: '',
			placeholder: 'e.g. cf-aig-authorization',
			description:
				'Optional: a header a gateway in front of Replicate needs (e.g. cf-aig-authorization for an authenticated Cloudflare AI Gateway). Sent with the token, only to the Base URL.',
		},
		{
			displayName: 'Extra Header Value',
			name: 'extraHeaderSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'e.g. Bearer <gateway token>',
			description: "The extra header's value; kept secret like the token",
			displayOptions: { hide: { extraHeaderName: [''] } },
		},
		{
			displayName: 'Webhook Signing Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'e.g. whsec_...',
			description:
				'Used to verify webhook deliveries. Leave empty to fetch it from Replicate (GET /webhooks/default/secret) when needed.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiToken}}',
				// The extra header when there is one; without one this names Authorization again, with
				// the same value (a generic block cannot leave a header out).
				'={{($credentials.extraHeaderName || "").trim() || "Authorization"}}':
					'={{($credentials.extraHeaderName || "").trim() ? $credentials.extraHeaderSecret : "Bearer " + $credentials.apiToken}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/account',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						"The Base URL does not lead to Replicate's API (GET <Base URL>/account was not found). Use https://api.replicate.com/v1, or your gateway's Replicate endpoint.",
				},
			},
		],
	};
}
