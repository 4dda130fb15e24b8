// `n8n start` for the browser test. tools/n8n-host's start() gives n8n 90 s; on a busy CI machine the
// first start (migrations, loading every node) can take longer, so this one waits up to
// UI_N8N_START_TIMEOUT_S (240 s) and writes n8n's output straight to a file.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { n8nDir, PACKAGE_ROOT, type Host } from '../../tools/n8n-host';

export interface Editor {
	proc: ChildProcess;
	logFile: string;
	stop(): Promise<void>;
}

export async function startEditor(host: Host, logFile: string): Promise<Editor> {
	const fd = openSync(logFile, 'w');
	const bin = join(n8nDir(host.target), 'node_modules', '.bin', 'n8n');
	const proc = spawn(bin, ['start'], {
		env: { ...host.env, N8N_LOG_FORMAT: 'text' },
		cwd: PACKAGE_ROOT,
		stdio: ['ignore', fd, fd],
	});
	closeSync(fd);
	const stop = () =>
		new Promise<void>((resolveStop) => {
			if (proc.exitCode !== null || proc.signalCode !== null) return resolveStop();
			const kill = setTimeout(() => proc.kill('SIGKILL'), 30_000);
			proc.once('exit', () => {
				clearTimeout(kill);
				resolveStop();
			});
			proc.kill('SIGTERM');
		});
	const deadline = Date.now() + Number(process.env.UI_N8N_START_TIMEOUT_S ?? 240) * 1000;
	for (;;) {
		const log = readFileSync(logFile, 'utf8');
		if (log.includes('Editor is now accessible via')) break;
		if (proc.exitCode !== null)
			throw new Error(`n8n start exited with ${proc.exitCode}:\n${log.slice(-3000)}`);
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`n8n did not become ready:\n${log.slice(-3000)}`);
		}
		await new Promise((r) => setTimeout(r, 250));
	}
	return { proc, logFile, stop };
}
