// Drives a real n8n (the pinned 2.8.4) headlessly: install it into a cache folder outside the
// package, install our packed package as a community package, import credentials and workflows,
// execute them, and start/stop n8n for webhook workflows. Used by the e2e tests and `npm run demo`.
// n8n is run as a user would run it: `n8n import:*`, `n8n execute`, `n8n start` with a fresh user folder.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const N8N_VERSION = '2.8.4';
export const PACKAGE_ROOT = resolve(__dirname, '..');
export const N8N_DIR = process.env.N8N_DIR ?? join(process.env.N8N_CACHE_DIR ?? join(homedir(), '.cache', 'n8n-nodes-replicate'), `n8n-${N8N_VERSION}`);
const N8N_BIN = join(N8N_DIR, 'node_modules', '.bin', 'n8n');

function log(msg: string) {
	process.stdout.write(`[n8n-host] ${msg}\n`);
}

/** Installs n8n into N8N_DIR unless that version is already there (reused across runs). */
export function ensureN8n(): void {
	const pkg = join(N8N_DIR, 'node_modules', 'n8n', 'package.json');
	if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).version === N8N_VERSION) return;
	log(`installing n8n ${N8N_VERSION} into ${N8N_DIR} (about 3 minutes, once)`);
	mkdirSync(N8N_DIR, { recursive: true });
	// xlsx: n8n-nodes-base points at a CDN tarball that is not reachable offline; 0.18.5 is on npm.
	writeFileSync(join(N8N_DIR, 'package.json'), JSON.stringify({ name: 'n8n-host', version: '1.0.0', private: true, overrides: { xlsx: '0.18.5' } }, null, 2));
	execFileSync('npm', ['install', `n8n@${N8N_VERSION}`, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: N8N_DIR, stdio: 'inherit', env: { ...process.env, npm_config_yes: 'true' } });
}

export interface Host {
	userFolder: string;
	env: NodeJS.ProcessEnv;
	port: number;
}

/** A fresh n8n user folder with our package installed the way n8n installs community packages. */
export function createHost(workDir: string, opts: { port?: number; brokerPort?: number; binaryMode?: string; link?: boolean; fileAccess?: string } = {}): Host {
	rmSync(workDir, { recursive: true, force: true });
	const userFolder = join(workDir, 'home');
	const nodesDir = join(userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-replicate');
	mkdirSync(nodesDir, { recursive: true });
	if (opts.link) {
		// Development: n8n loads the working tree's dist/ directly.
		rmSync(nodesDir, { recursive: true, force: true });
		symlinkSync(PACKAGE_ROOT, nodesDir, 'dir');
	} else {
		// As n8n installs a community package: the packed tarball, unpacked.
		const packDir = join(workDir, 'pack');
		mkdirSync(packDir, { recursive: true });
		execFileSync('npm', ['pack', PACKAGE_ROOT, '--pack-destination', packDir, '--loglevel=error'], { stdio: ['ignore', 'ignore', 'inherit'] });
		const tgz = readdirSync(packDir).find((f) => f.endsWith('.tgz'));
		if (!tgz) throw new Error('npm pack produced no tarball');
		execFileSync('tar', ['xzf', join(packDir, tgz), '-C', nodesDir, '--strip-components=1']);
	}
	const port = opts.port ?? 5688;
	const env: NodeJS.ProcessEnv = {
		...process.env,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: 'n8n-nodes-replicate-e2e-key',
		DB_TYPE: 'sqlite',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_FORMAT: 'json',
		N8N_RUNNERS_BROKER_PORT: String(opts.brokerPort ?? port + 2),
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_SECURE_COOKIE: 'false',
		N8N_DEFAULT_BINARY_DATA_MODE: opts.binaryMode ?? 'filesystem',
		N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
		N8N_COMMUNITY_PACKAGES_ALLOW_TOOL_USAGE: 'true',
		...(opts.fileAccess ? { N8N_RESTRICT_FILE_ACCESS_TO: opts.fileAccess } : {}),
	};
	return { userFolder, env, port };
}

/** Everything n8n printed (CLI calls and `n8n start` logs), for the e2e secrets scan. */
export const transcripts: string[] = [];

/** Runs an n8n CLI command without blocking this process (the emulator may live in it). */
export function n8n(host: Host, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
	return new Promise((resolveRun) => {
		const proc = spawn(N8N_BIN, args, { env: host.env, cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
		const out: Buffer[] = [];
		const err: Buffer[] = [];
		proc.stdout?.on('data', (b: Buffer) => out.push(b));
		proc.stderr?.on('data', (b: Buffer) => err.push(b));
		proc.on('close', (code) => {
			const result = { code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
			transcripts.push(result.stdout, result.stderr);
			resolveRun(result);
		});
	});
}

export async function importCredentials(host: Host, workDir: string, creds: unknown[]) {
	const file = join(workDir, 'credentials.json');
	writeFileSync(file, JSON.stringify(creds));
	const r = await n8n(host, ['import:credentials', `--input=${file}`]);
	if (r.code !== 0) throw new Error(`import:credentials failed: ${r.stderr || r.stdout}`);
}

export async function importWorkflow(host: Host, workDir: string, workflow: { id: string }) {
	const file = join(workDir, `wf-${workflow.id}.json`);
	writeFileSync(file, JSON.stringify(workflow));
	const r = await n8n(host, ['import:workflow', `--input=${file}`]);
	if (r.code !== 0) throw new Error(`import:workflow failed: ${r.stderr || r.stdout}`);
}

export interface ExecuteResult {
	code: number;
	run?: {
		status: string;
		data: { resultData: { runData: Record<string, Array<{ data?: { main: Array<Array<{ json: Record<string, unknown>; binary?: Record<string, Record<string, unknown>> }>> }; error?: { message: string; description?: string } }>>; error?: { message: string; description?: string } } };
	};
	raw: string;
}

/** `n8n execute --id` and the IRun it prints (the last JSON log message that parses as an object). */
export async function execute(host: Host, workflowId: string): Promise<ExecuteResult> {
	const r = await n8n(host, ['execute', `--id=${workflowId}`, '--rawOutput']);
	let run: ExecuteResult['run'];
	for (const line of r.stdout.split('\n')) {
		try {
			const msg = JSON.parse(line).message;
			if (typeof msg === 'string' && msg.startsWith('{')) run = JSON.parse(msg);
		} catch {
			/* a log line that is not JSON */
		}
	}
	return { code: r.code, run, raw: r.stdout + r.stderr };
}

export function nodeItems(result: ExecuteResult, nodeName: string) {
	return result.run?.data.resultData.runData[nodeName]?.[0]?.data?.main[0] ?? [];
}

export function binaryPath(host: Host, id: string): string {
	// filesystem-v2:workflows/<wf>/executions/<n>/binary_data/<uuid>
	return join(host.userFolder, '.n8n', 'storage', id.replace(/^filesystem-v2:/, ''));
}

export interface Started {
	proc: ChildProcess;
	logFile: string;
	stop(): Promise<void>;
}

/** `n8n start` in the background; resolves once active workflows are registered. */
export async function start(host: Host, logFile: string): Promise<Started> {
	const out: string[] = [];
	const proc = spawn(N8N_BIN, ['start'], { env: { ...host.env, N8N_LOG_FORMAT: 'text' }, cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
	const onData = (b: Buffer) => {
		out.push(b.toString());
		writeFileSync(logFile, out.join(''));
	};
	proc.stdout?.on('data', onData);
	proc.stderr?.on('data', onData);
	const deadline = Date.now() + 90_000;
	while (!out.join('').includes('Editor is now accessible via')) {
		if (proc.exitCode !== null) throw new Error(`n8n start exited with ${proc.exitCode}:\n${out.join('').slice(-3000)}`);
		if (Date.now() > deadline) throw new Error(`n8n did not become ready:\n${out.join('').slice(-3000)}`);
		await new Promise((r) => setTimeout(r, 100));
	}
	return {
		proc,
		logFile,
		stop: () =>
			new Promise<void>((resolveStop) => {
				transcripts.push(out.join(''));
				if (proc.exitCode !== null) return resolveStop();
				const kill = setTimeout(() => proc.kill('SIGKILL'), 30_000);
				proc.once('exit', () => {
					clearTimeout(kill);
					resolveStop();
				});
				proc.kill('SIGTERM');
			}),
	};
}

/** Creates the instance owner and a public-API key (only on a fresh instance). */
export async function apiKey(host: Host): Promise<string> {
	const base = `http://127.0.0.1:${host.port}`;
	const setup = await fetch(`${base}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ email: 'e2e@example.com', firstName: 'E2E', lastName: 'Owner', password: 'E2e-Passw0rd!' }),
	});
	const cookie = setup.headers.get('set-cookie')?.split(';')[0] ?? '';
	const res = await fetch(`${base}/rest/api-keys`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie },
		body: JSON.stringify({ label: 'e2e', expiresAt: null, scopes: ['execution:read', 'execution:list', 'workflow:read', 'workflow:list'] }),
	});
	const body = (await res.json()) as { data: { rawApiKey: string } };
	return body.data.rawApiKey;
}
