import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { properties, subtitle } from './actions/properties';
import { RESUME_WEBHOOKS, resumeWebhook } from './helpers/resume';
import { listSearch, loadOptions, resourceMapping } from './methods';
import { router } from './actions/router';
import { type DescribedForBuilder } from '../common/builderHints';

export class Replicate implements INodeType {
	description: DescribedForBuilder = {
		displayName: 'Replicate',
		name: 'replicate',
		icon: { light: 'file:../../icons/replicate.svg', dark: 'file:../../icons/replicate.dark.svg' },
		group: ['transform'],
		// 1.1: Run, Create and Wait have no fixed Max Concurrent Predictions by default (paced by
		// Replicate's rate limits); version 1 keeps its default of 50 (Create: 10).
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle,
		description: 'Run any Replicate model and manage predictions, models, files and deployments',
		defaults: { name: 'Replicate' },
		// As an AI Agent's tool: what it does and that each run is paid. (Tool mode returns file URLs,
		// not binaries: see prediction/options.ts.) Say in the tool's description what your model does.
		usableAsTool: {
			replacements: {
				description:
					'Runs a model on Replicate with the inputs the agent gives and returns its output (file URLs for generated files). Each run is a paid prediction on your Replicate account.',
			},
		},
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'replicateApi', required: true }],
		// The resume URL of "Wait for Webhook" runs (Prediction → Run).
		webhooks: RESUME_WEBHOOKS,
		properties,
		builderHint: {
			searchHint:
				'Runs any model on Replicate (image, video, audio, speech, text). To generate something use resource Prediction, operation Run: it waits and returns the output, with output files as binary data. Binary data from an earlier node goes into a model as a file input (Binary Inputs). To start a workflow when Replicate calls a webhook, use the Replicate Trigger; for a language model inside a chain or agent, use the Replicate Chat Model.',
		},
		// Webhook → Get Default Signing Secret returns the signing key as `key`
		sensitiveOutputFields: ['key'],
	};

	methods = { listSearch, loadOptions, resourceMapping };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await resumeWebhook.call(this);
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
