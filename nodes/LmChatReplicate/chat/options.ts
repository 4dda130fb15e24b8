// The Tool Calling option of the Replicate Chat Model.
import type { INodeProperties } from 'n8n-workflow';

export const toolCallingOption: INodeProperties = {
	displayName: 'Tool Calling',
	name: 'toolCalling',
	type: 'options',
	default: 'auto',
	description:
		"How the model calls an agent's tools. No model on Replicate documents a tool-call format today, so Auto prompts too.",
	options: [
		{
			name: 'Auto',
			value: 'auto',
			description:
				"The model's own tool-call format when its schema documents one (none does today), else Prompted",
		},
		{
			name: 'Prompted',
			value: 'prompted',
			description:
				'The tools and a JSON reply format are described in the system text and the reply is checked against the tool schemas. Works with any chat model; how well depends on the model.',
		},
		{
			name: 'Off',
			value: 'off',
			description: 'An agent that binds tools fails at once; use the model in chains',
		},
	],
};
