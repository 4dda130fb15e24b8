import { getEventListeners } from 'node:events';

import { pause } from '../../nodes/Replicate/transport';

test("pause() leaves no abort listener behind (n8n-workflow 2.8's sleepWithAbort does, one per call)", async () => {
	const controller = new AbortController();
	for (let i = 0; i < 30; i++) await pause(1, controller.signal);
	expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
	const t = Date.now();
	const waiting = pause(10_000, controller.signal);
	controller.abort();
	await waiting;
	expect(Date.now() - t).toBeLessThan(1000);
});
