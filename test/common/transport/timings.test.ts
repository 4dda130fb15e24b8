import { getEventListeners } from 'node:events';

import { pause } from '../../../nodes/common/transport/timings';

test("pause() leaves no abort listener behind (n8n-workflow 2.8's sleepWithAbort does, one per call)", async () => {
	const controller = new AbortController();
	for (let i = 0; i < 30; i++) await pause(1, controller.signal);
	expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
});

test('an abort ends a pause at once, without its timer firing', async () => {
	jest.useFakeTimers();
	try {
		const controller = new AbortController();
		let done = false;
		const waiting = pause(10_000, controller.signal).then(() => (done = true));
		await Promise.resolve();
		expect(done).toBe(false);
		controller.abort(); // no timer is advanced: only the abort can end the pause
		await waiting;
		expect(done).toBe(true);
		expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
	} finally {
		jest.useRealTimers();
	}
});
