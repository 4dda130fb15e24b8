// The model, version or deployment the editor's methods describe (Model Inputs, Input Name). The
// editor calls them on every keystroke in Model, Version or Deployment, so this never throws: a
// value that cannot name a model is answered locally with a notice (no request), and Replicate's
// refusals (404, 401, 403, …) become a notice naming the model. (Not in methods/index: every export
// there must be an editor method.)
import type { ILoadOptionsFunctions } from 'n8n-workflow';
import { ExpressionError, NodeApiError, NodeOperationError } from 'n8n-workflow';

import { parseDeploymentRef, parseModelRef } from '../../common/models/modelRef';
import { inputSchema, type InputKind, type InputSchema } from '../../common/models/schema';
import { isParameterAbsent, readEditorLocator } from '../../common/readers';
import { resolveDeployment, resolveModel, type Target } from '../../common/models/targets';
import { LATEST, VERSION_ID } from './mapperFields';

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

/** What Replicate said, without the "Replicate: " prefix the node's errors carry. */
function reason(error: NodeApiError): string {
	const message = String(error.message ?? '').replace(/^Replicate:\s*/, '');
	const description = error.description && error.description !== message ? error.description : '';
	return [message, description].filter(Boolean).join(': ');
}

function refusal(error: unknown, what: string): string {
	if (!(error instanceof NodeApiError)) {
		const text = (error as Error)?.message ?? String(error);
		return `Could not load the inputs of ${what}: ${text}`;
	}
	const status = Number(error.httpCode);
	if (status === 404) return `${what} was not found`;
	if (status === 401 || status === 403) {
		return `Replicate refused to show ${what} (${status}): ${reason(error)}`;
	}
	return `Could not load the inputs of ${what}: ${reason(error)}`;
}

/**
 * The chosen target's input schema (`kind` model), or the chosen trainer version's training inputs
 * (`kind` training), or the notice (plain text) that says why there is none.
 */
export async function editorSchema(
	ctx: ILoadOptionsFunctions,
	kind: InputKind = 'model',
): Promise<{ schema: InputSchema } | { notice: string }> {
	let target: Target;
	let what = kind === 'training' ? 'the trainer' : 'the model';
	try {
		if (kind === 'model' && value(ctx, 'runTarget') === 'deployment') {
			const deployment = value(ctx, 'deployment');
			if (!deployment) return { notice: 'Choose a deployment to see its inputs' };
			const ref = parseDeploymentRef(deployment);
			if (!ref) return { notice: `"${deployment}" is not a deployment: use owner/name` };
			what = `Deployment ${ref.owner}/${ref.name}`;
			target = await resolveDeployment(ctx, ref.owner, ref.name);
		} else {
			const raw = value(ctx, 'model');
			if (!raw) return { notice: 'Choose a model to see its inputs' };
			const ref = parseModelRef(raw);
			if (!ref) {
				return {
					notice: `"${raw}" is not a model: use owner/name (e.g. black-forest-labs/flux-schnell) or a model URL`,
				};
			}
			const version = value(ctx, 'version');
			if (version && version !== LATEST) ref.version = version;
			if (ref.version && !VERSION_ID.test(ref.version)) {
				return {
					notice: `"${ref.version}" is not a version ID (64 hexadecimal characters); leave Version empty for the latest`,
				};
			}
			what = ref.version
				? `Version ${ref.version.slice(0, 12)}… of ${ref.owner}/${ref.name}`
				: `Model ${ref.owner}/${ref.name}`;
			target = await resolveModel(ctx, ref);
		}
	} catch (error) {
		return { notice: refusal(error, what) };
	}
	const schema = inputSchema(target.openapi, kind);
	if (!schema)
		return {
			notice:
				kind === 'training'
					? 'This version declares no training inputs (TrainingInput): pick a trainer, or use "Using JSON" input'
					: 'This model publishes no input schema; use "Using JSON" input',
		};
	return { schema };
}
