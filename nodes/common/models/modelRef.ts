// Parsing what users type for a model, version or deployment: the one parser of `owner/name`. (The
// parameters that hold them are read in ../readers.ts.)

export interface ModelRef {
	owner: string;
	name: string;
	version?: string;
}

/** A name as Replicate allows it (an owner, model, deployment or version): no "." or ".." alone. */
const NAME = '[A-Za-z0-9][\\w.-]*';
const OWNER_NAME = new RegExp(`^(${NAME})\\/(${NAME})$`);
const REF = new RegExp(`^(${NAME})\\/(${NAME})(?::(${NAME}))?$`);
const MODEL_URL = new RegExp(
	`^https?:\\/\\/[^/]+\\/(${NAME})\\/(${NAME})(?:\\/versions\\/(${NAME}))?\\/?(?:[?#].*)?$`,
);
const DEPLOYMENT_URL = new RegExp(`^https?:\\/\\/[^/]+\\/deployments\\/(${NAME}\\/${NAME})\\/?$`);

/** `owner/name` exactly (a deployment, a training's destination, a prediction's model). */
export function parseOwnerName(raw: string): { owner: string; name: string } | undefined {
	const m = OWNER_NAME.exec(raw.trim());
	return m ? { owner: m[1], name: m[2] } : undefined;
}

/** `owner/name`, `owner/name:version`, or a replicate.com URL (`…/owner/name[/versions/<id>]`). */
export function parseModelRef(raw: string): ModelRef | undefined {
	const value = raw.trim();
	const m = MODEL_URL.exec(value) ?? REF.exec(value);
	return m ? { owner: m[1], name: m[2], version: m[3] } : undefined;
}

/** A deployment's `owner/name`, or its replicate.com URL (`…/deployments/owner/name`). */
export function parseDeploymentRef(raw: string): { owner: string; name: string } | undefined {
	const value = raw.trim().replace(/\/$/, '');
	return parseOwnerName(DEPLOYMENT_URL.exec(value)?.[1] ?? value);
}
