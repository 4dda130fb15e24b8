// The hints n8n's AI Workflow Builder reads: on each node, and on the operations a builder confuses.
import type { INodeProperties } from 'n8n-workflow';

import { LmChatReplicate } from '../../nodes/LmChatReplicate/LmChatReplicate.node';
import { Replicate } from '../../nodes/Replicate/Replicate.node';
import { ReplicateTrigger } from '../../nodes/ReplicateTrigger/ReplicateTrigger.node';
import type { DescribedForBuilder } from '../../nodes/common/builderHints';

const options = (name: string, resource: string) =>
	(
		new Replicate().description.properties.find(
			(p) => p.name === name && p.displayOptions?.show?.resource?.includes(resource),
		) as INodeProperties
	).options as Array<{ value: string; builderHint?: { propertyHint: string } }>;

describe('builder hints', () => {
	it.each([
		['Replicate', new Replicate().description],
		['Replicate Trigger', new ReplicateTrigger().description],
		['Replicate Chat Model', new LmChatReplicate().description],
	])('%s has a search hint that names the other nodes to use instead', (_, d) => {
		const hint = (d as DescribedForBuilder).builderHint?.searchHint ?? '';
		expect(hint.length).toBeGreaterThan(80);
		expect(hint).toMatch(/Replicate (node|Trigger|Chat Model)/);
	});

	it('Prediction → Run, Create and Wait say which one returns the output; the others carry none', () => {
		const hinted = Object.fromEntries(
			options('operation', 'prediction').map((o) => [o.value, o.builderHint?.propertyHint]),
		);
		expect(hinted.run).toMatch(/runs a model/);
		expect(hinted.run).toMatch(/binary/);
		expect(hinted.create).toMatch(/Only starts/);
		expect(hinted.wait).toMatch(/started earlier/);
		expect(hinted.get).toBeUndefined();
	});

	it('Wait for Webhook tells the builder when the trigger is the better choice', () => {
		const wait = new Replicate().description.properties.find((p) => p.name === 'waitMode')!;
		const webhook = (
			wait.options as Array<{ value: string; builderHint?: { propertyHint: string } }>
		).find((o) => o.value === 'webhook');
		expect(webhook?.builderHint?.propertyHint).toMatch(/Replicate Trigger/);
	});
});
