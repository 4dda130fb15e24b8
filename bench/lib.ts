// Shared by the benchmarks: an isolated n8n-core environment (as in the tests), the emulator and
// the in-process harness. Benchmarks print figures; they assert nothing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-replicate-bench-'));
process.env.N8N_DEFAULT_BINARY_DATA_MODE ??= 'filesystem';
process.env.N8N_LOG_LEVEL ??= 'silent';

export const say = (s = '') => process.stdout.write(`${s}\n`);

export function median(xs: number[]): number {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export async function shutdownN8nCore() {
	const { Container } = await import('@n8n/di');
	const { SSHClientsManager } = await import('n8n-core/dist/execution-engine/ssh-clients-manager');
	const m = Container.get(SSHClientsManager) as unknown as {
		cleanupTimer?: ReturnType<typeof setInterval>;
	};
	if (m.cleanupTimer) clearInterval(m.cleanupTimer);
}
