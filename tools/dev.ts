// npm run dev: the n8n editor on http://127.0.0.1:5678 with this package loaded (its dist/ linked, so a
// rebuild shows after an n8n restart) and a "Replicate" credential ready: the embedded emulator, or
// Replicate itself when REPLICATE_API_TOKEN is set. The example workflows are imported too.
// `npm run dev -- --n8n newest` runs the newest tested n8n (the Chat Model needs n8n 2.16 or newer);
// `--n8n oldest` (the default) or a version of N8N_MATRIX picks another.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { startEmulator } from '../test/emulator';
import {
	devHost,
	ensureN8n,
	N8N_MATRIX,
	N8N_NEWEST,
	N8N_OLDEST,
	type N8nTarget,
	PACKAGE_ROOT,
	start,
	workDir,
} from './n8n-host';

function targetFrom(argv: string[]): N8nTarget {
	const i = argv.indexOf('--n8n');
	const wanted = i >= 0 ? argv[i + 1] : 'oldest';
	if (wanted === 'oldest') return N8N_OLDEST;
	if (wanted === 'newest') return N8N_NEWEST;
	const found = N8N_MATRIX.find((t) => t.n8n === wanted);
	if (!found)
		throw new Error(
			`--n8n takes oldest, newest or one of ${N8N_MATRIX.map((t) => t.n8n).join(', ')}; got "${wanted}"`,
		);
	return found;
}

async function main() {
	const target = targetFrom(process.argv.slice(2));
	execFileSync('npm', ['run', '--silent', 'build'], {
		cwd: PACKAGE_ROOT,
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	ensureN8n(target);
	const token = process.env.REPLICATE_API_TOKEN;
	const emu = token ? undefined : await startEmulator({ port: 8787 });
	const baseUrl = process.env.REPLICATE_BASE_URL ?? emu?.baseUrl ?? 'https://api.replicate.com/v1';
	const work = workDir('dev');
	const { host } = await devHost(
		work,
		{ target, port: 5678 },
		{ apiToken: token ?? emu!.token, baseUrl, webhookSecret: emu?.options.webhookSecret },
	);
	const n8n = await start(host, join(work, 'n8n.log'));
	process.stdout.write(
		`\nn8n ${target.n8n} editor: http://127.0.0.1:5678  (create the owner account on first visit)\nReplicate: ${baseUrl}${emu ? ` (emulator, token ${emu.token})` : ''}\nLog: ${join(work, 'n8n.log')}\nCtrl+C stops everything.\n`,
	);
	const stop = async () => {
		await n8n.stop();
		await emu?.stop();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());
}

void main();
