// Pickers of the chat model node: Replicate's "Language models" collection (or its search when the
// user types), and the account's deployments.
import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { searchModels } from '../common/models/pickers';
import { apiRequest } from '../common/transport';

export const LANGUAGE_COLLECTION = 'language-models';

export async function searchLanguageModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	if (filter?.trim()) return await searchModels.call(this, filter);
	const res = await apiRequest<{ models?: IDataObject[] }>(this, {
		method: 'GET',
		path: `/collections/${LANGUAGE_COLLECTION}`,
		retry: 'read',
	});
	return {
		results: (res.body.models ?? []).map((m) => ({
			name: `${m.owner}/${m.name}`,
			value: `${m.owner}/${m.name}`,
			url: typeof m.url === 'string' ? m.url : undefined,
			description: typeof m.description === 'string' ? m.description : undefined,
		})),
	};
}

export { searchDeployments } from '../common/models/pickers';
