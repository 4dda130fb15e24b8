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
			hint: 'Must end in /v1, like the default',
			description:
				'The API base URL, ending in /v1. Change it only to go through a proxy or gateway, or to test against a local emulator.',
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
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/account',
			method: 'GET',
		},
	};
}
