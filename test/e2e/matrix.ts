// npm run test:e2e: the real-n8n e2e suite (test/e2e/run.ts) once per n8n version in N8N_MATRIX, one
// after the other (each version on its own ports, so E2E_PARALLEL=1 runs them side by side), then,
// when the oldest and the newest both ran, the upgrade check (test/e2e/upgrade-resume.ts: a Wait for
// Webhook run suspended on the oldest resumes after an upgrade to the newest).
// Pick versions with arguments or $E2E_N8N_VERSIONS, e.g. `npm run test:e2e -- 2.41.1`.
// Prints each scenario's result per version and exits non-zero if any scenario failed anywhere.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { ensureN8n, N8N_MATRIX, N8N_NEWEST, N8N_OLDEST, PACKAGE_ROOT } from '../../tools/n8n-host';

interface VersionResult {
	/** the n8n version, or the label of a cross-version check */
	version: string;
	code: number;
	lines: string[];
	seconds: number;
}

function runOne(version: string, script = 'run.ts'): Promise<VersionResult> {
	const t = Date.now();
	return new Promise((done) => {
		const lines: string[] = [];
		const tsx = join(PACKAGE_ROOT, 'node_modules', '.bin', 'tsx');
		const proc = spawn(tsx, [join(__dirname, script)], {
			cwd: PACKAGE_ROOT,
			env: { ...process.env, E2E_N8N: version },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let partial = '';
		const onData = (b: Buffer) => {
			const text = partial + b.toString();
			const split = text.split('\n');
			partial = split.pop() ?? '';
			for (const line of split) {
				lines.push(line);
				process.stdout.write(`[n8n ${version}] ${line}\n`);
			}
		};
		proc.stdout.on('data', onData);
		proc.stderr.on('data', onData);
		proc.on('close', (code) => {
			if (partial) lines.push(partial);
			done({ version, code: code ?? 1, lines, seconds: (Date.now() - t) / 1000 });
		});
	});
}

async function main() {
	const wanted = process.argv.slice(2).length
		? process.argv.slice(2)
		: (process.env.E2E_N8N_VERSIONS ?? '').split(',').filter(Boolean);
	const unknown = wanted.filter((v) => !N8N_MATRIX.some((t) => t.n8n === v));
	if (unknown.length)
		throw new Error(
			`not in N8N_MATRIX: ${unknown.join(', ')} (have ${N8N_MATRIX.map((t) => t.n8n).join(', ')})`,
		);
	const targets = wanted.length
		? N8N_MATRIX.filter((t) => wanted.includes(t.n8n))
		: [...N8N_MATRIX];
	// installs first, one at a time (each is minutes of npm on a fresh machine; cached afterwards)
	for (const target of targets) ensureN8n(target);
	const results =
		process.env.E2E_PARALLEL === '1'
			? await Promise.all(targets.map((t) => runOne(t.n8n)))
			: await targets.reduce<Promise<VersionResult[]>>(
					async (acc, t) => [...(await acc), await runOne(t.n8n)],
					Promise.resolve([]),
				);
	if (N8N_OLDEST !== N8N_NEWEST && targets.includes(N8N_OLDEST) && targets.includes(N8N_NEWEST)) {
		results.push(
			await runOne(`${N8N_OLDEST.n8n} -> ${N8N_NEWEST.n8n} upgrade`, 'upgrade-resume.ts'),
		);
	}
	process.stdout.write('\n=== e2e version matrix\n');
	let failed = false;
	for (const r of results) {
		const target = N8N_MATRIX.find((t) => t.n8n === r.version);
		const pass = r.lines.filter((l) => l.startsWith('PASS ')).length;
		const fail = r.lines.filter((l) => l.startsWith('FAIL ') || l.startsWith('e2e crashed'));
		failed ||= r.code !== 0 || fail.length > 0 || pass === 0;
		const runtime = target ? ` (Node ${target.node ?? process.versions.node})` : '';
		process.stdout.write(
			`n8n ${r.version}${runtime}: ${pass} passed, ${fail.length} failed, ${r.seconds.toFixed(0)} s${r.code ? ` (exit ${r.code})` : ''}\n`,
		);
		for (const f of fail) process.stdout.write(`  ${f.slice(0, 400)}\n`);
	}
	process.exit(failed ? 1 : 0);
}

void main().catch((e) => {
	process.stdout.write(`e2e matrix crashed: ${(e as Error).stack}\n`);
	process.exit(1);
});
