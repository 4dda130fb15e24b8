// Real-n8n end-to-end tests on one n8n version: n8n runs our packed package as a community package
// against the Replicate emulator. The version is $E2E_N8N (one of N8N_MATRIX; default the oldest);
// test/e2e/matrix.ts runs this once per version. Prints a closing "N passed, N failed" line and
// exits non-zero on failure.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { startEmulator, type Emulator } from '../emulator';
import {
	createHost,
	ensureN8n,
	execute,
	importCredentials,
	importWorkflow,
	n8n,
	N8N_MATRIX,
	N8N_OLDEST,
	nodeItems,
	portBase,
	transcripts,
	type Host,
	type N8nTarget,
	workDir,
} from '../../tools/n8n-host';
import { check } from './api';

/** The n8n version under test and its place in the matrix (each version gets its own ports). */
export const TARGET: N8nTarget =
	N8N_MATRIX.find((t) => t.n8n === process.env.E2E_N8N) ?? N8N_OLDEST;
if (process.env.E2E_N8N && TARGET.n8n !== process.env.E2E_N8N) {
	throw new Error(
		`E2E_N8N=${process.env.E2E_N8N} is not in N8N_MATRIX (${N8N_MATRIX.map((t) => t.n8n).join(', ')})`,
	);
}
const WORK = workDir(`n8n-${TARGET.n8n}`);
const results: Array<{ name: string; ok: boolean; error?: string; ms: number }> = [];

export { check };

async function scenario(name: string, fn: () => Promise<void>) {
	const t = Date.now();
	try {
		await fn();
		results.push({ name, ok: true, ms: Date.now() - t });
		process.stdout.write(`PASS ${name} (${Date.now() - t} ms)\n`);
	} catch (e) {
		results.push({ name, ok: false, error: (e as Error).message, ms: Date.now() - t });
		process.stdout.write(`FAIL ${name}: ${(e as Error).message}\n`);
	}
}

export function fixture(name: string) {
	return JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));
}

export interface E2EContext {
	host: Host;
	emu: Emulator;
	work: string;
	check: typeof check;
	scenario: typeof scenario;
}

async function main() {
	const started = Date.now();
	ensureN8n(TARGET);
	process.stdout.write(`n8n ${TARGET.n8n} on Node ${TARGET.node ?? process.versions.node}\n`);
	const emu = await startEmulator({ speed: 5, rateLimits: false });
	// ports: E2E_PORT (one run) or the base, then 10 per matrix entry (n8n, +2 its task broker)
	const port = Number(process.env.E2E_PORT) || portBase() + 10 * N8N_MATRIX.indexOf(TARGET);
	const host = createHost(WORK, { target: TARGET, port });
	const nodes = await n8n(host, ['export:nodes', `--output=${join(WORK, 'nodes.json')}`]);
	const exported = readFileSync(join(WORK, 'nodes.json'), 'utf8');
	await scenario(
		'package loads as a community package (@n8n-nodes-replicate/n8n-nodes-replicate.replicate)',
		async () => {
			check(nodes.code === 0, `export:nodes failed: ${nodes.stderr}`);
			check(
				exported.includes('"name":"@n8n-nodes-replicate/n8n-nodes-replicate.replicate"'),
				'node type @n8n-nodes-replicate/n8n-nodes-replicate.replicate not loaded',
			);
		},
	);
	const badToken = 'r8_e2e_wrong_token_0123456789';
	await importCredentials(host, WORK, [
		{
			id: 'replCredE2E00001',
			name: 'Replicate (emulator)',
			type: 'replicateApi',
			data: { apiToken: emu.token, baseUrl: emu.baseUrl, webhookSecret: emu.options.webhookSecret },
		},
		{
			id: 'replCredE2EBad01',
			name: 'Replicate (bad token)',
			type: 'replicateApi',
			data: { apiToken: badToken, baseUrl: emu.baseUrl },
		},
	]);
	const ctx: E2EContext = { host, emu, work: WORK, check, scenario };

	await scenario('Account → Get and Hardware → Get Many run in n8n', async () => {
		await importWorkflow(host, WORK, fixture('account-hardware.workflow.json'));
		const r = await execute(host, 'wfReplAccount001');
		check(
			r.code === 0 && r.run?.status === 'success',
			`execution failed (rc=${r.code}): ${r.raw.slice(-1500)}`,
		);
		check(nodeItems(r, 'Account')[0]?.json.username === 'emulator', 'account username missing');
		const skus = nodeItems(r, 'Hardware').map((i) => i.json.sku);
		check(
			skus.length === emu.store.hardware.length && skus.includes('gpu-t4'),
			`hardware: ${JSON.stringify(skus)}`,
		);
		check(
			emu.requests('account.get').some((l) => l.authorized),
			'the emulator saw no authenticated request',
		);
	});

	await scenario(
		"a bad token fails with Replicate's title and detail, and the token appears nowhere",
		async () => {
			await importWorkflow(host, WORK, fixture('bad-token.workflow.json'));
			const r = await execute(host, 'wfReplBadToken01');
			check(r.code !== 0, 'execution should fail');
			const err =
				r.run?.data.resultData.runData.Account?.[0]?.error ?? r.run?.data.resultData.error;
			check(err?.message === 'Replicate: Unauthenticated', `message: ${err?.message}`);
			check(
				err?.description === 'You did not pass a valid authentication token',
				`description: ${err?.description}`,
			);
			check(!r.raw.includes(badToken), 'the token appeared in the output or logs');
		},
	);

	const only = process.env.E2E_ONLY; // e.g. E2E_ONLY=security runs only security.e2e.ts
	for (const file of readdirSync(__dirname)
		.filter((f) => f.endsWith('.e2e.ts') && (!only || f.startsWith(only)))
		.sort()) {
		const mod = (await import(join(__dirname, file))) as {
			default: (c: E2EContext) => Promise<void>;
		};
		await mod.default(ctx);
	}

	await scenario(
		'the API token appears in no n8n output, error or log of the whole run',
		async () => {
			check(transcripts.length > 5, 'no n8n output was captured');
			const hits = transcripts.filter((t) => t.includes(emu.token)).length;
			check(hits === 0, `the emulator token appears in ${hits} n8n transcript(s)`);
		},
	);

	await emu.stop();
	const passed = results.filter((r) => r.ok).length;
	const failed = results.length - passed;
	process.stdout.write(
		`\ne2e finished in ${((Date.now() - started) / 1000).toFixed(1)} s\n${passed} passed, ${failed} failed\n`,
	);
	process.exit(failed ? 1 : 0);
}

void main().catch((e) => {
	process.stdout.write(`e2e crashed: ${(e as Error).stack}\n0 passed, 1 failed\n`);
	process.exit(1);
});
