// Model Inputs never marks a file input required: n8n checks a required mapper field in the editor
// ("The node has issues") and at activation, and cannot see that a Binary Input fills it.
import { NodeHelpers, type INode, type ResourceMapperField } from 'n8n-workflow';

import { Replicate } from '../../../nodes/Replicate/Replicate.node';
import { resourceMapping } from '../../harness/editor';
import { replicateCredentials } from '../../harness/n8n';
import { useEmulator } from '../../helpers/emulator';
import { runParams } from '../../helpers/params';

const ctx = useEmulator({ speed: 20 });
const description = new Replicate().description;

async function fieldsOf(model: string): Promise<ResourceMapperField[]> {
	const answer = await resourceMapping('getInputFields', {
		parameters: runParams(model, {}),
		credentials: replicateCredentials(ctx.emu.baseUrl, ctx.emu.token),
	});
	return answer.fields;
}

/** The issues n8n's editor (and activation) finds in the node as the editor saves it. */
function issuesOf(model: string, schema: ResourceMapperField[], value: object) {
	const parameters = runParams(model, {});
	parameters.inputFields = { mappingMode: 'defineBelow', value, matchingColumns: [], schema };
	const node: INode = {
		id: 'n1',
		name: 'Replicate',
		type: '@n8n-nodes-replicate/n8n-nodes-replicate.replicate',
		typeVersion: 1.1,
		position: [0, 0],
		parameters: parameters as INode['parameters'],
	};
	return NodeHelpers.getNodeParametersIssues(description.properties, node, description)?.parameters;
}

describe('required inputs in the Model Inputs mapper', () => {
	test('a required file input is shown, not marked required; other required inputs still are', async () => {
		const blip = await fieldsOf('emulator/blip-lite');
		expect(blip.find((f) => f.id === 'image')).toMatchObject({ required: false, type: 'string' });
		const grid = await fieldsOf('emulator/image-grid');
		// An optional-looking list starts as [] in its JSON editor; the node reads [] as "no files".
		expect(grid.find((f) => f.id === 'images')).toMatchObject({
			required: false,
			type: 'array',
			defaultValue: '[]',
		});
		const flux = await fieldsOf('emulator/flux-lite');
		expect(flux.find((f) => f.id === 'prompt')).toMatchObject({ required: true });
	});

	test("n8n's parameter check finds no issue in an empty required file input (and still finds one in an empty prompt)", async () => {
		expect(
			issuesOf('emulator/blip-lite', await fieldsOf('emulator/blip-lite'), {}),
		).toBeUndefined();
		expect(
			issuesOf('emulator/image-grid', await fieldsOf('emulator/image-grid'), {}),
		).toBeUndefined();
		expect(issuesOf('emulator/flux-lite', await fieldsOf('emulator/flux-lite'), {})).toMatchObject({
			'inputFields.prompt': ['Input "prompt" is required'],
		});
	});
});
