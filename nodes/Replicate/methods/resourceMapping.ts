// The Model Inputs field mapper. The editor reloads it on every keystroke in Model, Version or
// Deployment, so it never throws: a value that cannot name a model is answered locally with a
// notice (no request), and Replicate's refusals (404, 401, 403, …) become a notice naming the
// model.
import type { ILoadOptionsFunctions, ResourceMapperFields } from 'n8n-workflow';
import { ExpressionError, NodeApiError, NodeOperationError } from 'n8n-workflow';

import { isParameterAbsent, parseDeploymentRef, parseModelRef } from '../../shared/models/modelRef';
import { inputSchema, type InputKind } from '../../shared/models/schema';
import { readEditorLocator } from '../../shared/readers';
import { resolveDeployment, resolveModel, type Target } from '../../shared/models/targets';
import { LATEST, toResourceMapperFields, VERSION_ID } from './mapperFields';

const LABELS: Record<string, string> = {
	runTarget: 'Run',
	model: 'Model',
	version: 'Version',
	deployment: 'Deployment',
};

function value(ctx: ILoadOptionsFunctions, name: string): string {
	try {
		return readEditorLocator(ctx, name);
	} catch (error) {
		// An expression that fails is reported (as a notice, below), never read as "no model": the
		// fields of another model would be shown. A parameter that is not there, or a URL that does not
		// match the mode's pattern yet (the user is still typing), reads as empty.
		if (error instanceof ExpressionError && !isParameterAbsent(error)) {
			throw new NodeOperationError(
				ctx.getNode(),
				`The "${LABELS[name] ?? name}" parameter could not be resolved: ${error.message}`,
			);
		}
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

/**
 * The chosen model's (or deployment's) input schema (`kind` model), or the chosen trainer
 * version's training inputs (`kind` training), as fields: types, options, defaults, x-order.
 */
async function fieldsOf(
	ctx: ILoadOptionsFunctions,
	kind: InputKind,
): Promise<ResourceMapperFields> {
	let target: Target;
	let what = kind === 'training' ? 'the trainer' : 'the model';
	try {
		if (kind === 'model' && value(ctx, 'runTarget') === 'deployment') {
			const deployment = value(ctx, 'deployment');
			if (!deployment) return notice('Choose a deployment to see its inputs');
			const ref = parseDeploymentRef(deployment);
			if (!ref) return notice(`"${deployment}" is not a deployment: use owner/name`);
			what = `Deployment ${ref.owner}/${ref.name}`;
			target = await resolveDeployment(ctx, ref.owner, ref.name);
		} else {
			const raw = value(ctx, 'model');
			if (!raw) return notice('Choose a model to see its inputs');
			const ref = parseModelRef(raw);
			if (!ref) {
				return notice(
					`"${raw}" is not a model: use owner/name (e.g. black-forest-labs/flux-schnell) or a model URL`,
				);
			}
			const version = value(ctx, 'version');
			if (version && version !== LATEST) ref.version = version;
			if (ref.version && !VERSION_ID.test(ref.version)) {
				return notice(
					`"${ref.version}" is not a version ID (64 hexadecimal characters); leave Version empty for the latest`,
				);
			}
			what = ref.version
				? `Version ${ref.version.slice(0, 12)}… of ${ref.owner}/${ref.name}`
				: `Model ${ref.owner}/${ref.name}`;
			target = await resolveModel(ctx, ref);
		}
	} catch (error) {
		return refusal(error, what);
	}
	const schema = inputSchema(target.openapi, kind);
	if (!schema) {
		return notice(
			kind === 'training'
				? 'This version declares no training inputs (TrainingInput): pick a trainer, or use "Using JSON" input'
				: 'This model publishes no input schema; use "Using JSON" input',
		);
	}
	return { fields: toResourceMapperFields(schema) };
}

export async function getInputFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	return await fieldsOf(this, 'model');
}

/** Training → Create: the trainer version's `TrainingInput` as fields. */
export async function getTrainingInputFields(
	this: ILoadOptionsFunctions,
): Promise<ResourceMapperFields> {
	return await fieldsOf(this, 'training');
}
