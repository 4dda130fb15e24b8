// npm run scan: n8n's community package scanner (@n8n/scan-community-package), run the way n8n runs it on
// a published package, but on this checkout: its ESLint gate on the source (package.json, nodes/,
// credentials/) and on the packed tarball (compiled .js and package.json). The scanner is installed once
// into the project's cache folder (it is not a dev dependency: its own install needs native builds that
// are skipped here with --ignore-scripts, which the lint gate does not use).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SCANNER_VERSION = '0.32.0';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cache = process.env.N8N_CACHE_DIR ?? join(homedir(), '.cache', 'n8n-nodes-replicate');
const dir = join(cache, `scan-community-package-${SCANNER_VERSION}`);
const entry = join(dir, 'node_modules', '@n8n', 'scan-community-package', 'scanner', 'scanner.mjs');

if (!existsSync(entry)) {
	process.stdout.write(`Installing @n8n/scan-community-package ${SCANNER_VERSION} into ${dir}\n`);
	mkdirSync(dir, { recursive: true });
	writeFileSync(
		join(dir, 'package.json'),
		'{"name":"scanner-host","version":"1.0.0","private":true}\n',
	);
	const args = ['install', `@n8n/scan-community-package@${SCANNER_VERSION}`, '--ignore-scripts'];
	execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
		cwd: dir,
		stdio: 'inherit',
		env: { ...process.env, npm_config_yes: 'true' },
	});
}

const scanner = await import(pathToFileURL(entry).href);
const work = mkdtempSync(join(tmpdir(), 'replicate-scan-'));
let failed = false;
try {
	execFileSync('npm', ['run', '--silent', 'build'], {
		cwd: root,
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	execFileSync('npm', ['pack', root, '--pack-destination', work, '--loglevel=error'], {
		stdio: 'ignore',
	});
	const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
	if (!tgz) throw new Error('npm pack produced no tarball');
	const unpacked = join(work, 'package');
	mkdirSync(unpacked);
	execFileSync('tar', ['xzf', join(work, tgz), '-C', unpacked, '--strip-components=1']);
	const legs = [
		['source', root, scanner.SOURCE_FILE_PATTERNS],
		['tarball', unpacked, ['**/*.js', 'package.json']],
	];
	for (const [name, path, patterns] of legs) {
		const result = await scanner.analyzePackage(path, patterns);
		process.stdout.write(`${result.passed ? 'passed' : 'FAILED'}: scanner on the ${name}\n`);
		if (!result.passed) {
			failed = true;
			process.stdout.write(`${result.message ?? ''}\n${result.details ?? ''}\n`);
		}
	}
} finally {
	rmSync(work, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
