// Parameters of Prediction → Run, Create and Wait.
import type { INodeProperties } from 'n8n-workflow';

import { versionLocator } from '../common.descriptions';
import { maxFileSizeOption } from '../../../common/files/output';
import { deploymentLocator, modelLocator } from '../../../common/models/pickers';

export const predictionIdField: INodeProperties = {
	displayName: 'Prediction ID',
	name: 'predictionId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. gm3qorzdhgbfurvjtvhg6dckhu',
	description: 'The ID of the prediction, or its URL',
};

/** Secret inputs (`x-cog-secret`): password fields, never echoed into output (Run and Training). */
export const secretInputsField: INodeProperties = {
	displayName: 'Secret Inputs',
	name: 'secretInputs',
	type: 'fixedCollection',
	placeholder: 'Add Secret Input',
	typeOptions: { multipleValues: true },
	default: {},
	description:
		'Inputs the model declares secret (such as a Hugging Face token). Entered as passwords; their values never appear in the output, logs or errors.',
	options: [
		{
			displayName: 'Secret',
			name: 'values',
			values: [
				{
					displayName: 'Input Name',
					name: 'name',
					type: 'string',
					default: '',
					placeholder: 'e.g. hf_token',
				},
				{
					displayName: 'Value',
					name: 'value',
					type: 'string',
					typeOptions: { password: true },
					default: '',
				},
			],
		},
	],
};

/** What to run and with which inputs (Run and Create). */
export const targetAndInputFields: INodeProperties[] = [
	{
		displayName: 'Run',
		name: 'runTarget',
		type: 'options',
		options: [
			{ name: 'Model', value: 'model', description: 'An official model, or a model version' },
			{ name: 'Deployment', value: 'deployment', description: 'One of your deployments' },
		],
		default: 'model',
	},
	modelLocator({ displayOptions: { show: { runTarget: ['model'] } } }),
	versionLocator({ displayOptions: { show: { runTarget: ['model'] } } }),
	deploymentLocator({ displayOptions: { show: { runTarget: ['deployment'] } } }),
	{
		displayName: 'Input',
		name: 'inputMode',
		type: 'options',
		options: [
			{
				name: 'Define Below',
				value: 'fields',
				description: "Fields generated from the model's input schema",
			},
			{ name: 'Using JSON', value: 'json', description: 'The whole input object as JSON' },
		],
		default: 'fields',
	},
	{
		displayName: 'Model Inputs',
		name: 'inputFields',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		description:
			"Fields from the model's input schema. A file input takes a URL, {{ $binary.data }}, or a file from Binary Inputs; it is never marked required here, and the node checks a required one before anything is sent.",
		displayOptions: { show: { inputMode: ['fields'] } },
		typeOptions: {
			loadOptionsDependsOn: ['runTarget', 'model.value', 'version.value', 'deployment.value'],
			resourceMapper: {
				resourceMapperMethod: 'getInputFields',
				mode: 'add',
				fieldWords: { singular: 'input', plural: 'inputs' },
				addAllFields: true,
				supportAutoMap: false,
				noFieldsError: 'This model declares no inputs',
			},
		},
	},
	{
		displayName: 'Input (JSON)',
		name: 'inputJson',
		type: 'json',
		default: '{\n  "prompt": ""\n}',
		displayOptions: { show: { inputMode: ['json'] } },
		description:
			"The model input as a JSON object; it is checked against the model's schema before anything is sent",
	},
	{
		displayName: 'Binary Inputs',
		name: 'binaryInputs',
		type: 'fixedCollection',
		placeholder: 'Add Binary Input',
		typeOptions: { multipleValues: true },
		default: {},
		description:
			'Send n8n binary data as file inputs of the model. A required file input given here (or as {{ $binary.data }} in its field) needs nothing in Model Inputs: the node checks that every required file input gets a file before anything is sent.',
		options: [
			{
				displayName: 'File',
				name: 'files',
				values: [
					{
						displayName: 'Input Name or ID',
						name: 'input',
						type: 'options',
						typeOptions: {
							loadOptionsMethod: 'getFileInputs',
							loadOptionsDependsOn: [
								'runTarget',
								'model.value',
								'version.value',
								'deployment.value',
							],
						},
						default: 'image',
						description:
							'The model input that takes the file: one of the model\'s file inputs. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
					},
					{
						displayName: 'Input Binary Field',
						name: 'binaryProperty',
						type: 'string',
						default: 'data',
						placeholder: 'e.g. data, or data, data_1 for a list of files',
						description:
							'The binary property of the incoming item that holds the file. An input that takes a list of files takes several, comma-separated (or several Binary Inputs with the same input).',
					},
				],
			},
		],
	},
	secretInputsField,
];

export const encodingOption: INodeProperties = {
	displayName: 'Binary Input Encoding',
	name: 'binaryEncoding',
	type: 'options',
	options: [
		{
			name: 'Auto',
			value: 'auto',
			description: 'Data URI up to 256 KB, Replicate Files upload above',
		},
		{ name: 'Data URI', value: 'dataUri', description: 'Inline in the request (up to 10 MB)' },
		{
			name: 'Upload to Replicate Files',
			value: 'upload',
			description: 'Upload with the Files API (up to 100 MB) and pass its URL',
		},
	],
	default: 'auto',
};

export const cancelAfterOption: INodeProperties = {
	displayName: 'Server-Side Deadline',
	name: 'cancelAfter',
	type: 'string',
	default: '',
	placeholder: 'e.g. 15m',
	description:
		'Replicate cancels the prediction by itself after this long (Cancel-After header: 30s, 5m, 1h30m; at least 5s). A safety net if n8n goes away.',
};

export const concurrencyOption = (def: number): INodeProperties => ({
	displayName: 'Max Concurrent Predictions',
	name: 'maxConcurrency',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 500 },
	default: def,
	description:
		"How many items run at the same time. Outputs keep the order of the items. Without this option there is no fixed limit: creates and status checks are paced by Replicate's rate limits (node version 1: 50 at a time, Create 10).",
});

/** Waiting and output options (Run and Wait). */
export const waitAndOutputOptions: INodeProperties[] = [
	{
		displayName: 'Timeout (Seconds)',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 600,
		description: 'How long to wait for the prediction to finish',
	},
	{
		displayName: 'On Timeout',
		name: 'onTimeout',
		type: 'options',
		options: [
			{ name: 'Fail the Item', value: 'fail' },
			{ name: 'Return the Prediction As It Is', value: 'return' },
		],
		default: 'fail',
	},
	{
		displayName: 'Cancel on Timeout',
		name: 'cancelOnTimeout',
		type: 'boolean',
		default: true,
		description:
			'Whether to cancel the prediction on Replicate when the timeout passes, so it stops costing money',
	},
	{
		displayName: 'Max Poll Interval (Seconds)',
		name: 'maxPollInterval',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 60 },
		default: 5,
		description: 'Polls back off up to this interval',
	},
	{
		displayName: 'Download Output Files',
		name: 'download',
		type: 'boolean',
		default: true,
		description:
			'Whether to download every file in the output into binary data (otherwise only URLs are returned)',
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryProperty',
		type: 'string',
		default: 'data',
		description: 'Binary property of the first file; further files get _1, _2, …',
	},
	maxFileSizeOption,
	{
		displayName: 'Split Files Into Items',
		name: 'splitFiles',
		type: 'boolean',
		default: false,
		description: 'Whether to return one item per output file',
	},
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: false,
		description:
			'Whether to return only the output (token lists of language models joined into text) instead of the whole prediction',
	},
	{
		displayName: 'Include Logs',
		name: 'includeLogs',
		type: 'boolean',
		default: false,
		description: "Whether to include the model's logs in the output",
	},
];
