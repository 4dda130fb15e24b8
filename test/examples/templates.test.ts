// The example workflows are templates (n8n's gallery): a note says what each does and what to set up,
// nothing of one instance is baked in (workflow id, credentials), and every node type exists.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { PACKAGE_NAME, PACKAGE_ROOT } from '../../tools/n8n-host';

const dir = join(PACKAGE_ROOT, 'examples');
const files = readdirSync(dir).filter((f) => f.endsWith('.workflow.json'));
const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
	n8n: { nodes: string[] };
};
/** This package's node types, from the files package.json lists (dist/nodes/X/X.node.js → x). */
const ownTypes = pkg.n8n.nodes.map((p) => {
	const cls = p.split('/').pop()!.replace('.node.js', '');
	return `${PACKAGE_NAME}.${cls[0].toLowerCase()}${cls.slice(1)}`;
});

type Node = {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	credentials?: unknown;
};

describe.each(files)('%s', (file) => {
	const wf = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
		id?: string;
		name: string;
		nodes: Node[];
		connections: Record<string, unknown>;
	};

	it('has sticky notes saying what it does and what to set up', () => {
		const notes = wf.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote');
		expect(notes.length).toBeGreaterThan(0);
		const text = notes.map((n) => String(n.parameters.content)).join('\n');
		expect(text).toMatch(/^## \S/);
		expect(text).toMatch(/#+ Set up\n/);
		expect(text).toMatch(/Replicate API\*\* credential/);
	});

	it('carries no workflow id and no credentials', () => {
		expect(wf.id).toBeUndefined();
		expect(wf.nodes.filter((n) => n.credentials)).toEqual([]);
	});

	it("uses this package's node types by the package's name, and at least one of them", () => {
		const ours = wf.nodes.filter(
			(n) => n.type.includes('replicate') && !n.type.startsWith('@n8n/'),
		);
		expect(ours.length).toBeGreaterThan(0);
		// A node used as an agent's tool has its type with "Tool" appended (n8n's usableAsTool).
		for (const n of ours)
			expect([...ownTypes, ...ownTypes.map((t) => `${t}Tool`)]).toContain(n.type);
	});

	it('connects nodes by names that exist', () => {
		const names = new Set(wf.nodes.map((n) => n.name));
		for (const [from, outputs] of Object.entries(wf.connections)) {
			expect(names).toContain(from);
			for (const targets of Object.values(
				outputs as Record<string, Array<Array<{ node: string }>>>,
			))
				for (const t of targets.flat()) expect(names).toContain(t.node);
		}
	});
});
