// What n8n's AI Workflow Builder reads, and which output fields n8n must always redact. Both are newer
// than the n8n-workflow 2.8 types this package compiles against (n8n-workflow 2.41 has them: a node's
// `builderHint` and `sensitiveOutputFields`, an option's `builderHint.propertyHint`); older n8n ignores
// properties it does not know, so declaring them is safe everywhere.
import type { INodeTypeDescription } from 'n8n-workflow';

/** n8n-workflow's IBuilderHint, the parts this package uses. */
interface BuilderHint {
	/** General advice for a builder searching nodes. */
	searchHint?: string;
	relatedNodes?: Array<{ nodeType: string; relationHint: string }>;
}

/** A node description with the builder's hint and the fields n8n redacts in stored executions. */
export type DescribedForBuilder = INodeTypeDescription & {
	builderHint?: BuilderHint;
	/**
	 * Paths under an item's `json` that hold credential-equivalent secrets: n8n (2.41 on) redacts them
	 * whenever an execution's data is shown or fetched, whatever the workflow's redaction policy.
	 */
	sensitiveOutputFields?: string[];
};

/** An option's hint for the builder (n8n-workflow's IParameterBuilderHint). */
export const propertyHint = (text: string) => ({ builderHint: { propertyHint: text } });
