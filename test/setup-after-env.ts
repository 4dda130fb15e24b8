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
