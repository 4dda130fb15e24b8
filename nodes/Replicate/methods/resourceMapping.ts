// The Model Inputs field mapper. The editor reloads it on every keystroke in Model, Version or
// Deployment, so it never throws: a value that cannot name a model is answered locally with a
// notice (no request), and Replicate's refusals (404, 401, 403, …) become a notice naming the model.
import type {
	ILoadOptionsFunctions,
	INodeParameterResourceLocator,
	ResourceMapperFields,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { parseModelRef } from '../helpers/modelRef';
import { inputSchema } from '../helpers/schema';
import { resolveDeployment, resolveModel, type Target } from '../helpers/targets';
import { LATEST, toResourceMapperFields, VERSION_ID } from './fields';

const OWNER_NAME = /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/;

function value(ctx: ILoadOptionsFunctions, name: string): string {
	try {
		const v = ctx.getNodeParameter(name, '', { extractValue: true }) as
			string | INodeParameterResourceLocator;
		return String(typeof v === 'object' && v ? v.value : (v ?? '')).trim();
	} catch {
		// A URL that does not match the mode's pattern yet (the user is still typing).
		return '';
	}
}

/** The editor renders the notice as HTML; what the user typed and what Replicate said is text. */
const escape = (text: string) =>
	text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const notice = (emptyFieldsNotice: string): ResourceMapperFields => ({
	fields: [],
	emptyFieldsNotice: escape(emptyFieldsNotice),
});

/** What Replicate said, without the "Replicate: " prefix the node's errors carry. */
function reason(error: NodeApiError): string {
	const message = String(error.message ?? '').replace(/^Replicate:\s*/, '');
	const description = error.description && error.description !== message ? error.description : '';
	return [message, description].filter(Boolean).join(': ');
}

function refusal(error: unknown, what: string): ResourceMapperFields {
	if (!(error instanceof NodeApiError)) {
		const text = (error as Error)?.message ?? String(error);
		return notice(`Could not load the inputs of ${what}: ${text}`);
	}
	const status = Number(error.httpCode);
	if (status === 404) return notice(`${what} was not found`);
	if (status === 401 || status === 403) {
		return notice(`Replicate refused to show ${what} (${status}): ${reason(error)}`);
	}
	return notice(`Could not load the inputs of ${what}: ${reason(error)}`);
}

/** The chosen model's (or deployment's) input schema as fields: types, options, defaults, x-order. */
export async function getInputFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	let target: Target;
	let what = 'the model';
	try {
		if (value(this, 'runTarget') === 'deployment') {
			const deployment = value(this, 'deployment');
			if (!deployment) return notice('Choose a deployment to see its inputs');
			if (!OWNER_NAME.test(deployment)) {
				return notice(`"${deployment}" is not a deployment: use owner/name`);
			}
			const [owner, name] = deployment.split('/');
			what = `Deployment ${deployment}`;
			target = await resolveDeployment(this, owner, name);
		} else {
			const raw = value(this, 'model');
			if (!raw) return notice('Choose a model to see its inputs');
			const ref = parseModelRef(raw);
			if (!ref) {
				return notice(
					`"${raw}" is not a model: use owner/name (e.g. black-forest-labs/flux-schnell) or a model URL`,
				);
			}
			const version = value(this, 'version');
			if (version && version !== LATEST) ref.version = version;
			if (ref.version && !VERSION_ID.test(ref.version)) {
				return notice(
					`"${ref.version}" is not a version ID (64 hexadecimal characters); leave Version empty for the latest`,
				);
			}
			what = ref.version
				? `Version ${ref.version.slice(0, 12)}… of ${ref.owner}/${ref.name}`
				: `Model ${ref.owner}/${ref.name}`;
			target = await resolveModel(this, ref);
		}
	} catch (error) {
		return refusal(error, what);
	}
	const schema = inputSchema(target.openapi);
	if (!schema) {
		return notice('This model publishes no input schema; use "Using JSON" input');
	}
	return { fields: toResourceMapperFields(schema) };
}
