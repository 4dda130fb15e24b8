// Parameters of Training → Create. Version 1 nodes keep the released form (destination text,
// input JSON, return at once); from 1.1 the trainer's inputs come from its TrainingInput schema
// (the same fields, JSON, binary and secret inputs as Run), with a destination that can be
// created, and waiting.
import type { INodeProperties, INodePropertyCollection } from 'n8n-workflow';

import { versionLocator } from '../common.descriptions';
import { modelLocator } from '../../../common/models/pickers';
import { webhookOptions } from '../locators';
import { maxFileSizeOption } from '../../../common/files/output';
import { secretInputsField, targetAndInputFields } from '../prediction/descriptions';
import { destinationFields } from './destination';

const V1 = { '@version': [1] };
const V11 = { '@version': [{ _cnd: { gte: 1.1 } }] };

/** A parameter of Run's inputs, adapted to a trainer's. */
function fromRun(name: string, change: (p: INodeProperties) => INodeProperties): INodeProperties {
	const p = targetAndInputFields.find((f) => f.name === name) as INodeProperties;
	return change({ ...p, displayOptions: { show: { ...(p.displayOptions?.show ?? {}), ...V11 } } });
}

const inputFields: INodeProperties[] = [
	fromRun('inputMode', (p) => ({
		...p,
		options: [
			{
				name: 'Define Below',
				value: 'fields',
				description: "Fields generated from the trainer's training inputs (TrainingInput)",
			},
			{ name: 'Using JSON', value: 'json', description: 'The whole training input as JSON' },
		],
	})),
	fromRun('inputFields', (p) => ({
		...p,
		displayName: 'Training Inputs',
		typeOptions: {
			loadOptionsDependsOn: ['model.value', 'version.value'],
			resourceMapper: {
				resourceMapperMethod: 'getTrainingInputFields',
				mode: 'add',
				fieldWords: { singular: 'input', plural: 'inputs' },
				addAllFields: true,
				supportAutoMap: false,
				noFieldsError: 'This version declares no training inputs',
			},
		},
	})),
	fromRun('inputJson', (p) => ({
		...p,
		default: '{\n  "input_images": "",\n  "trigger_word": "TOK"\n}',
		description:
			"The training input as a JSON object; it is checked against the trainer's TrainingInput schema before anything is sent",
	})),
	fromRun('binaryInputs', (p) => ({
		...p,
		description:
			'Send n8n binary data (such as a zip of images from the Compression node) as file inputs of the trainer; uploaded with the Files API',
		options: (p.options as INodePropertyCollection[]).map((o) => ({
			...o,
			values: o.values.map((v) =>
				v.name === 'input'
					? {
							...v,
							typeOptions: {
								loadOptionsMethod: 'getTrainingFileInputs',
								loadOptionsDependsOn: ['model.value', 'version.value'],
							},
							default: 'input_images',
							description:
								'The training input that takes the file: one of the trainer\'s file inputs. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
						}
					: v,
			),
		})),
	})),
	{ ...secretInputsField, displayOptions: { show: V11 } },
];

const waitFields: INodeProperties[] = [
	{
		displayName: 'Wait',
		name: 'waitMode',
		type: 'options',
		options: [
			{
				name: 'Return at Once',
				value: 'none',
				description: 'Output the training as created (starting); follow it with Training → Get',
			},
			{
				name: 'Wait for It to Finish',
				value: 'poll',
				description: 'Poll until the training finishes, then output it with the new version',
			},
			{
				name: 'Wait for Webhook (Suspend Execution)',
				value: 'webhook',
				description:
					"The execution waits without polling and Replicate's signed training webhook resumes it. n8n must be reachable from Replicate.",
			},
		],
		default: 'poll',
		displayOptions: { show: V11 },
	},
	{
		displayName:
			'Replicate calls this n8n instance back when the training finishes, so its webhook URL must be reachable from the internet. One item per execution. Replicate takes no deadline for trainings: the execution waits until the training ends (cancel it with Training → Cancel or on replicate.com).',
		name: 'webhookNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { ...V11, waitMode: ['webhook'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: V11 },
		options: [
			{
				displayName: 'Cancel on Timeout',
				name: 'cancelOnTimeout',
				type: 'boolean',
				default: true,
				description:
					'Whether to cancel the training on Replicate when the timeout passes, so it stops costing money',
			},
			{
				displayName: 'Download Weights',
				name: 'download',
				type: 'boolean',
				default: false,
				description: 'Whether to download the trained weights file into binary data',
			},
			{
				displayName: 'Include Logs',
				name: 'includeLogs',
				type: 'boolean',
				default: false,
				description:
					"Whether to include the training's logs in the output (a failed training's last lines are always in the error)",
			},
			{
				displayName: 'Max Poll Interval (Seconds)',
				name: 'maxPollInterval',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 60 },
				default: 30,
				description: 'Polls back off up to this interval',
			},
			{
				displayName: 'On Timeout',
				name: 'onTimeout',
				type: 'options',
				options: [
					{ name: 'Fail the Item', value: 'fail' },
					{ name: 'Return the Training As It Is', value: 'return' },
				],
				default: 'fail',
			},
			{
				displayName: 'Put Weights in Field',
				name: 'binaryProperty',
				type: 'string',
				default: 'data',
				description: 'Binary property for the weights file',
			},
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 7200,
				description: 'How long "Wait for It to Finish" waits for the training',
			},
			maxFileSizeOption,
			...webhookOptions.map((o) => ({
				...o,
				description: `${String(o.description)} (not with "Wait for Webhook", which sets its own)`,
			})),
		],
	},
];

/** Training → Create, both versions. */
export const createFields: INodeProperties[] = [
	modelLocator({
		description:
			'The trainer: a model whose versions accept trainings (they declare training inputs)',
	}),
	versionLocator({ description: 'The version to train; leave empty for the latest' }),
	{
		displayName: 'Destination',
		name: 'destination',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. my-username/my-fine-tune',
		description: 'The owner/name of a model you own; the trained version is pushed there',
		displayOptions: { show: V1 },
	},
	{
		displayName: 'Input (JSON)',
		name: 'input',
		type: 'json',
		default: '{}',
		description: 'The training input',
		displayOptions: { show: V1 },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [...webhookOptions],
		displayOptions: { show: V1 },
	},
	...destinationFields.map((p) => ({
		...p,
		displayOptions: { show: { ...(p.displayOptions?.show ?? {}), ...V11 } },
	})),
	...inputFields,
	...waitFields,
];
