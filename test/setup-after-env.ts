import { timings } from '../nodes/common/transport';

// The node's own waits (retry backoff, Retry-After, poll intervals, download retries) run at 1/20 of
// production in every test file, so no test waits seconds for a backoff. A file that tests the
// schedule itself sets `timings.scale` (or the poll schedules of lifecycle/schedule.ts) and restores it.
timings.scale = 1 / 20;

// n8n-core's SSHClientsManager keeps a 60 s interval alive; clear it so Jest can exit.
afterAll(async () => {
	if (!require.cache[require.resolve('n8n-core')]) return;
	const { Container } = await import('@n8n/di');
	const { SSHClientsManager } = await import('n8n-core/dist/execution-engine/ssh-clients-manager');
	const manager = Container.get(SSHClientsManager) as unknown as {
		cleanupTimer?: ReturnType<typeof setInterval>;
	};
	if (manager.cleanupTimer) clearInterval(manager.cleanupTimer);
});
