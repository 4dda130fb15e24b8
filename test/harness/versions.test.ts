// The supported n8n range is written in three places besides N8N_MATRIX (tools/n8n-host.ts):
// package.json `engines` and the README's Compatibility section. Moving the matrix without them fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { N8N_MATRIX, N8N_NEWEST, N8N_OLDEST, PACKAGE_ROOT, portBase } from '../../tools/n8n-host';

const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
	engines: Record<string, string>;
	peerDependencies: Record<string, string>;
	peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};
const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
const compatibility = readme.slice(
	readme.indexOf('## Compatibility'),
	readme.indexOf('\n## ', readme.indexOf('## Compatibility') + 5),
);

describe('supported n8n versions', () => {
	it('package.json engines.n8n spans the matrix, oldest to newest', () => {
		expect(pkg.engines.n8n).toBe(`>=${N8N_OLDEST.n8n} <=${N8N_NEWEST.n8n}`);
	});

	it('engines.node admits the machine-Node entry (the oldest n8n runs on Node 20)', () => {
		const min = /^>=(\d+)\.(\d+)/.exec(pkg.engines.node);
		expect(min).not.toBeNull();
		expect(Number(min![1])).toBeLessThanOrEqual(20);
		// every other entry names the Node it needs, at or above that minimum
		for (const t of N8N_MATRIX.filter((x) => x.node))
			expect(Number(t.node!.split('.')[0])).toBeGreaterThanOrEqual(Number(min![1]));
	});

	it('peerDependencies keep n8n-workflow at "*" (n8n\'s community-package rule) so the range lives in engines', () => {
		// the only other peer n8n's rules allow: the AI node SDK, optional (n8n before 2.16 has none)
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*', '@n8n/ai-node-sdk': '*' });
		expect(pkg.peerDependenciesMeta).toEqual({ '@n8n/ai-node-sdk': { optional: true } });
	});

	it("the README's Compatibility section names every version of the matrix and its Node", () => {
		expect(compatibility.length).toBeGreaterThan(20);
		for (const t of N8N_MATRIX) {
			expect(compatibility).toContain(`n8n ${t.n8n}`);
			if (t.node) expect(compatibility).toContain(`Node ${t.node.split('.')[0]}`);
		}
	});

	it('E2E_PORT_BASE is validated', () => {
		const saved = process.env.E2E_PORT_BASE;
		try {
			process.env.E2E_PORT_BASE = '5730';
			expect(portBase()).toBe(5730);
			process.env.E2E_PORT_BASE = 'abc';
			expect(() => portBase()).toThrow(/E2E_PORT_BASE/);
			process.env.E2E_PORT_BASE = '80';
			expect(() => portBase()).toThrow(/E2E_PORT_BASE/);
		} finally {
			if (saved === undefined) delete process.env.E2E_PORT_BASE;
			else process.env.E2E_PORT_BASE = saved;
		}
	});
});
