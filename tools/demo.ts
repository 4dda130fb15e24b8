// npm run demo: runs examples/generate-images.workflow.json in a real n8n (the pinned 2.8.4) and
// writes the generated files to ./demo-output/. Uses the embedded Replicate emulator unless
// REPLICATE_API_TOKEN is set, in which case it runs on Replicate itself (and costs a few cents).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { startEmulator } from '../test/emulator';
import {
	createHost,
	DEV_CREDENTIAL,
	ensureN8n,
	exampleWorkflow,
	execute,
	importCredentials,
	importWorkflow,
	nodeItems,
	PACKAGE_ROOT,
	portBase,
	workDir,
} from './n8n-host';

const say = (s = '') => process.stdout.write(`${s}\n`);

async function main() {
	const token = process.env.REPLICATE_API_TOKEN;
	const out = join(PACKAGE_ROOT, 'demo-output');
	mkdirSync(out, { recursive: true });
	say('Building the package…');
	execFileSync('npm', ['run', '--silent', 'build'], {
		cwd: PACKAGE_ROOT,
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	ensureN8n();

	const workflow = exampleWorkflow('generate-images.workflow.json', DEV_CREDENTIAL);
	const emu = token ? undefined : await startEmulator({ rateLimits: false });
	const baseUrl = process.env.REPLICATE_BASE_URL ?? emu?.baseUrl ?? 'https://api.replicate.com/v1';
	if (emu) {
		// The emulator serves black-forest-labs/flux-schnell with its documented inputs (PNG gradients).
		say(
			`Replicate: the embedded emulator at ${baseUrl} (set REPLICATE_API_TOKEN to use Replicate itself)`,
		);
	} else {
		say(`Replicate: ${baseUrl} with your REPLICATE_API_TOKEN`);
	}

	const work = workDir('demo');
	// n8n on E2E_PORT_BASE + 17, its task broker + 19 (CI runs demo beside the e2e port layout)
	const host = createHost(work, {
		port: portBase() + 17,
		brokerPort: portBase() + 19,
		fileAccess: out,
	});
	await importCredentials(host, work, [
		{
			...DEV_CREDENTIAL,
			type: 'replicateApi',
			data: { apiToken: token ?? emu!.token, baseUrl },
		},
	]);
	await importWorkflow(host, work, workflow);
	say(`Running "${workflow.name}" in n8n…`);
	const t = Date.now();
	const result = await execute(host, workflow.id);
	const seconds = ((Date.now() - t) / 1000).toFixed(1);
	await emu?.stop();
	if (result.code !== 0 || result.run?.status !== 'success') {
		const err = result.run?.data.resultData.error;
		say(`The workflow failed: ${err?.message ?? result.raw.slice(-2000)}`);
		if (err?.description) say(err.description);
		process.exit(1);
	}
	const items = nodeItems(result, 'Generate Images');
	const first = items[0]?.json ?? {};
	say(`Done in ${seconds} s (n8n start-up included).`);
	say(
		`Prediction ${first.id}: ${first.status}, model ${first.model}, predict time ${(first.metrics as { predict_time?: number } | undefined)?.predict_time ?? '?'} s`,
	);
	say(`Files written to ${out}:`);
	for (const item of items) {
		const bin = item.binary?.data as { fileName?: string; mimeType?: string } | undefined;
		const file = join(out, `${item.json.id}-${bin?.fileName}`);
		say(`  ${file}  ${statSync(file).size} bytes  ${bin?.mimeType}`);
	}
	say(`(${readdirSync(out).length} files in demo-output/ in all)`);
}

void main().catch((e) => {
	say(`demo failed: ${(e as Error).message}`);
	process.exit(1);
});
