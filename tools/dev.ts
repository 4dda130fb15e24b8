// npm run dev: the n8n editor on http://127.0.0.1:5678 with this package loaded (linked, so a rebuild
// shows after an n8n restart) and a "Replicate" credential ready: the embedded emulator, or Replicate
// itself when REPLICATE_API_TOKEN is set. The example workflows are imported too.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { startEmulator } from '../test/emulator';
import {
	createHost,
	ensureN8n,
	importCredentials,
	importWorkflow,
	PACKAGE_ROOT,
	start,
} from './n8n-host';

async function main() {
	execFileSync('npm', ['run', '--silent', 'build'], {
		cwd: PACKAGE_ROOT,
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	ensureN8n();
	const token = process.env.REPLICATE_API_TOKEN;
	const emu = token ? undefined : await startEmulator({ port: 8787 });
	const baseUrl = process.env.REPLICATE_BASE_URL ?? emu?.baseUrl ?? 'https://api.replicate.com/v1';
	const work = join(PACKAGE_ROOT, '.e2e', 'dev');
	const host = createHost(work, {
		port: 5678,
		link: true,
		fileAccess: join(PACKAGE_ROOT, 'demo-output'),
	});
	await importCredentials(host, work, [
		{
			id: 'replCredDemo0001',
			name: 'Replicate',
			type: 'replicateApi',
			data: {
				apiToken: token ?? emu!.token,
				baseUrl,
				webhookSecret: emu?.options.webhookSecret ?? '',
			},
		},
	]);
	for (const f of readdirSync(join(PACKAGE_ROOT, 'examples')).filter((x) => x.endsWith('.json'))) {
		await importWorkflow(
			host,
			work,
			JSON.parse(readFileSync(join(PACKAGE_ROOT, 'examples', f), 'utf8')),
		);
	}
	const n8n = await start(host, join(work, 'n8n.log'));
	process.stdout.write(
		`\nn8n editor: http://127.0.0.1:5678  (create the owner account on first visit)\nReplicate: ${baseUrl}${emu ? ` (emulator, token ${emu.token})` : ''}\nLog: ${join(work, 'n8n.log')}\nCtrl+C stops everything.\n`,
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
