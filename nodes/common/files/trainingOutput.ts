// What a training becomes in n8n: the training (secrets redacted), the new version as a reference
// Prediction → Run takes as its model (`version_ref`, owner/name:version), and on request the
// weights file as binary data. Shared by Training → Create, its webhook resume and the trigger.
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	IWebhookFunctions,
} from 'n8n-workflow';

import { parseModelRef, parseOwnerName } from '../models/modelRef';
import { downloadFile, outboundUrlProblem, getBaseUrl } from '../transport';
import { formatPrediction, type OutputOptions } from './output';

/**
 * The trained version as `owner/name:version`. Replicate reports it in `output.version` (as
 * owner/name:id); a bare id is completed with the destination when the caller knows it.
 */
export function versionRef(training: IDataObject, destination?: string): string | undefined {
	const output = training.output as IDataObject | null | undefined;
	const v = typeof output?.version === 'string' ? output.version.trim() : '';
	if (!v) return undefined;
	const ref = parseModelRef(v);
	if (ref?.version) return `${ref.owner}/${ref.name}:${ref.version}`;
	if (destination && parseOwnerName(destination) && /^[A-Za-z0-9][\w.-]*$/.test(v))
		return `${destination}:${v}`;
	return undefined;
}

/** The training as an item's JSON: its fields in the prediction order, plus `version_ref`. */
export function formatTraining(
	training: IDataObject,
	includeLogs: boolean,
	destination?: string,
): IDataObject {
	const json = formatPrediction(training, includeLogs);
	const ref = versionRef(training, destination);
	if (destination) json.destination = destination;
	if (ref) json.version_ref = ref;
	return json;
}

/**
 * A finished training as one item; with `o.download` the weights file (`output.weights`) in
 * binary property `o.binaryProperty` (only from hosts the URL policy allows, within Max File
 * Size and the Timeout).
 */
export async function trainingItems(
	ctx: IExecuteFunctions | IWebhookFunctions,
	training: IDataObject,
	o: OutputOptions,
	itemIndex: number,
	destination?: string,
): Promise<INodeExecutionData[]> {
	let json = formatTraining(training, o.includeLogs, destination);
	const weights = (training.output as IDataObject | null | undefined)?.weights;
	if (!o.download || typeof weights !== 'string' || !weights) return [{ json }];
	const problem = weights.startsWith('data:')
		? undefined
		: outboundUrlProblem(weights, await getBaseUrl.call(ctx));
	if (problem) {
		json = { ...json, skippedFiles: [{ url: weights, reason: `Not downloaded: ${problem}` }] };
		return [{ json }];
	}
	const binary = await downloadFile(ctx, {
		url: weights,
		index: 0,
		itemIndex,
		limits: { maxBytes: o.maxFileBytes, deadline: Date.now() + o.timeoutMs },
	});
	return [{ json, binary: { [o.binaryProperty]: binary } }];
}
