import type { ILoadOptionsFunctions, INodeParameterResourceLocator, ResourceMapperFields } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isParameterAbsent, parseModelRef } from '../helpers/modelRef';
import { inputSchema, toResourceMapperFields } from '../helpers/schema';
import { resolveDeployment, resolveModel, type Target } from '../helpers/targets';

const LABELS: Record<string, string> = { runTarget: 'Run', model: 'Model', version: 'Version', deployment: 'Deployment' };

function value(ctx: ILoadOptionsFunctions, name: string): string {
	try {
		const v = ctx.getNodeParameter(name, '', { extractValue: true }) as string | INodeParameterResourceLocator;
		return String(typeof v === 'object' && v ? v.value : (v ?? '')).trim();
	} catch (error) {
		// Only a parameter that is not there reads as empty; a failing expression is reported.
		if (isParameterAbsent(error)) return '';
		throw new NodeOperationError(ctx.getNode(), `The "${LABELS[name] ?? name}" parameter could not be resolved: ${(error as Error).message}`);
	}
}

/** The chosen model's (or deployment's) input schema as fields: types, options, defaults, x-order. */
export async function getInputFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	let target: Target;
	if (value(this, 'runTarget') === 'deployment') {
		const m = /^([^/\s]+)\/([^/\s]+)$/.exec(value(this, 'deployment'));
		if (!m) return { fields: [], emptyFieldsNotice: 'Choose a deployment to see its inputs' };
		target = await resolveDeployment(this, m[1], m[2]);
	} else {
		const ref = parseModelRef(value(this, 'model'));
		if (!ref) return { fields: [], emptyFieldsNotice: 'Choose a model to see its inputs' };
		const version = value(this, 'version');
		if (version) ref.version = version;
		target = await resolveModel(this, ref);
	}
	const schema = inputSchema(target.openapi);
	if (!schema) return { fields: [], emptyFieldsNotice: 'This model publishes no input schema; use "Using JSON" input' };
	return { fields: toResourceMapperFields(schema) };
}
