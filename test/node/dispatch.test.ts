// The editor's Resource and Operation lists and the router's table come from one map: every option
// the editor offers resolves to an operation that runs, and every operation is offered.
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { findOperation, resourceList } from '../../nodes/Replicate/actions/resources';
import { jsonItems } from '../../nodes/Replicate/actions/types';
import { Replicate } from '../../nodes/Replicate/Replicate.node';

const { properties } = new Replicate().description;

const optionsOf = (p: INodeProperties | undefined) => (p?.options ?? []) as INodePropertyOptions[];

const resourceParam = properties.find((p) => p.name === 'resource');
const operationParam = (resource: string) =>
	properties.filter(
		(p) => p.name === 'operation' && (p.displayOptions?.show?.resource ?? []).includes(resource),
	);

const editorPairs = optionsOf(resourceParam).flatMap((r) => {
	const lists = operationParam(String(r.value));
	expect(lists).toHaveLength(1);
	return optionsOf(lists[0]).map((o) => [String(r.value), String(o.value)] as const);
});

describe('dispatch', () => {
	test.each(editorPairs)('%s → %s resolves to an operation with an execute', (resource, op) => {
		expect(typeof findOperation(resource, op)?.execute).toBe('function');
	});

	test('every operation in the map is offered by the editor, and nothing else is', () => {
		const mapPairs = resourceList.flatMap(([resource, r]) =>
			Object.keys(r.operations).map((op) => [resource, op] as const),
		);
		expect(editorPairs).toEqual(mapPairs);
	});

	test('each Operation list defaults to one of its own options', () => {
		for (const r of optionsOf(resourceParam)) {
			const [list] = operationParam(String(r.value));
			expect(optionsOf(list).map((o) => o.value)).toContain(list.default);
		}
		expect(optionsOf(resourceParam).map((o) => o.value)).toContain(resourceParam?.default);
	});

	test("an operation's fields are shown only for that resource and operation", () => {
		for (const [resource, op] of editorPairs) {
			for (const field of findOperation(resource, op)?.description ?? []) {
				expect([field.name, field.displayOptions?.show?.resource]).toEqual([
					field.name,
					[resource],
				]);
				expect([field.name, field.displayOptions?.show?.operation]).toEqual([field.name, [op]]);
			}
		}
	});

	test('an unknown or inherited name resolves to nothing', () => {
		expect(findOperation('prediction', 'constructor')).toBeUndefined();
		expect(findOperation('__proto__', 'get')).toBeUndefined();
		expect(findOperation('model', 'run')).toBeUndefined();
	});

	test("an answer's own `json` and `binary` fields stay inside the item's json", () => {
		const answer = {
			json: { id: 'x' },
			binary: { data: { data: 'AA==', mimeType: 'text/plain' } },
		};
		expect(jsonItems(answer)).toEqual([{ json: answer }]);
		expect(jsonItems([answer, { id: 'y' }])).toEqual([{ json: answer }, { json: { id: 'y' } }]);
	});
});
