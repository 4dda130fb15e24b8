// Redis and PostgreSQL for the queue-mode e2e, started by the test itself on loopback ports with their
// data in a temporary folder (no system service, no shared cluster). Each runs in its own process
// group and is stopped by its PID; PostgreSQL runs as the `postgres` user when we are root (it refuses
// to run as root), through setpriv so the PID we hold is postgres itself.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
	appendFileSync,
	chmodSync,
	chownSync,
	existsSync,
	mkdirSync,
	readdirSync,
	writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export interface Service {
	name: string;
	port: number;
	proc: ChildProcess;
	stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A process in its own group; stop() sends `signal` to the group, SIGKILL after `graceMs`. */
function launch(
	name: string,
	cmd: string,
	args: string[],
	logFile: string,
	signal: NodeJS.Signals,
	graceMs: number,
) {
	writeFileSync(logFile, '');
	const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	const pid = proc.pid!;
	proc.stdout?.on('data', (b: Buffer) => appendFileSync(logFile, b));
	proc.stderr?.on('data', (b: Buffer) => appendFileSync(logFile, b));
	const kill = (sig: NodeJS.Signals) => {
		try {
			process.kill(-pid, sig);
		} catch {
			/* gone */
		}
	};
	process.once('exit', () => kill('SIGKILL'));
	const stop = () =>
		new Promise<void>((resolveStop) => {
			if (proc.exitCode !== null || proc.signalCode !== null) return resolveStop();
			const t = setTimeout(() => kill('SIGKILL'), graceMs);
			proc.once('exit', () => {
				clearTimeout(t);
				kill('SIGKILL');
				resolveStop();
			});
			kill(signal);
		});
	return { name, proc, stop };
}

/** Resolves once `probe` succeeds; throws after `ms` or when the process exits. */
async function until(
	name: string,
	proc: ChildProcess,
	probe: () => Promise<boolean>,
	logFile: string,
	ms = 30_000,
) {
	const end = Date.now() + ms;
	while (!(await probe())) {
		if (proc.exitCode !== null)
			throw new Error(`${name} exited with ${proc.exitCode}; see ${logFile}`);
		if (Date.now() > end)
			throw new Error(`${name} did not become ready in ${ms / 1000} s; see ${logFile}`);
		await sleep(200);
	}
}

/** Sends `send` to a loopback TCP port and resolves whether the answer contains `expect`. */
function tcpProbe(port: number, send: string, expect: string): Promise<boolean> {
	return new Promise((resolveProbe) => {
		const s = connect({ host: '127.0.0.1', port });
		let got = '';
		const done = (ok: boolean) => {
			s.destroy();
			resolveProbe(ok);
		};
		s.setTimeout(1000, () => done(false));
		s.on('error', () => done(false));
		s.on('connect', () => s.write(send));
		s.on('data', (b) => {
			got += b.toString();
			if (got.includes(expect)) done(true);
		});
	});
}

export async function startRedis(dir: string, port: number): Promise<Service> {
	mkdirSync(dir, { recursive: true });
	const logFile = join(dir, 'redis.log');
	const s = launch(
		'redis',
		'redis-server',
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			dir,
			'--protected-mode',
			'yes',
		],
		logFile,
		'SIGTERM',
		10_000,
	);
	await until('redis-server', s.proc, () => tcpProbe(port, 'PING\r\n', '+PONG'), logFile);
	return { ...s, port };
}

/** The newest PostgreSQL server in Debian's layout (/usr/lib/postgresql/<v>/bin). */
export function postgresBin(): string {
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root)
		? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
		: [];
	if (!versions.length)
		throw new Error(
			'PostgreSQL server not found under /usr/lib/postgresql (Debian package "postgresql"; .ci/system-packages.sh installs it)',
		);
	return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

export async function startPostgres(
	dir: string,
	port: number,
): Promise<Service & { user: string; database: string }> {
	const bin = postgresBin();
	const data = join(dir, 'data');
	const sock = join(dir, 'socket');
	mkdirSync(sock, { recursive: true });
	const root = process.getuid?.() === 0;
	// As root: run as `postgres`; it needs to reach and own its folders.
	const asUser = (cmd: string, args: string[]): [string, string[]] =>
		root
			? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', cmd, ...args]]
			: [cmd, args];
	if (root) {
		const { uid, gid } = ids('postgres');
		chmodSync(dir, 0o755);
		chownSync(dir, uid, gid);
		chownSync(sock, uid, gid);
	}
	const [initCmd, initArgs] = asUser(join(bin, 'initdb'), [
		'-D',
		data,
		'-U',
		'n8n',
		'--auth=trust',
		'-E',
		'UTF8',
		'--no-locale',
		'--no-sync',
	]);
	execFileSync(initCmd, initArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
	const logFile = join(dir, 'postgres.log');
	const [cmd, args] = asUser(join(bin, 'postgres'), [
		'-D',
		data,
		'-p',
		String(port),
		'-c',
		'listen_addresses=127.0.0.1',
		'-c',
		`unix_socket_directories=${sock}`,
		'-c',
		'fsync=off',
		'-c',
		'synchronous_commit=off',
		'-c',
		'full_page_writes=off',
		'-c',
		'max_connections=200',
	]);
	// SIGINT: PostgreSQL's "fast" shutdown (disconnects clients, no wait)
	const s = launch('postgres', cmd, args, logFile, 'SIGINT', 20_000);
	const psql = (sql: string, db = 'postgres') =>
		execFileSync(
			'psql',
			['-h', '127.0.0.1', '-p', String(port), '-U', 'n8n', '-d', db, '-Atqc', sql],
			{ encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
		);
	await until(
		'postgres',
		s.proc,
		async () => {
			try {
				return psql('select 1').trim() === '1';
			} catch {
				return false;
			}
		},
		logFile,
	);
	psql('create database n8n');
	return { ...s, port, user: 'n8n', database: 'n8n' };
}

/** Runs SQL on the n8n database (psql, the client Debian installs with postgresql). */
export function sql(port: number, query: string): string {
	return execFileSync(
		'psql',
		['-h', '127.0.0.1', '-p', String(port), '-U', 'n8n', '-d', 'n8n', '-Atqc', query],
		{ encoding: 'utf8' },
	);
}

function ids(user: string): { uid: number; gid: number } {
	const [uid, gid] = execFileSync('id', ['-u', user], { encoding: 'utf8' })
		.trim()
		.split('\n')
		.concat(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
	return { uid: Number(uid), gid: Number(gid) };
}
