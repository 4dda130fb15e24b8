// Starts an emulator for a test file and fails the file if any response broke Replicate's spec.
import { Emulator, type EmulatorOptions } from '../emulator';

export function useEmulator(options: EmulatorOptions = {}) {
	const ref = { emu: undefined as unknown as Emulator };
	beforeAll(async () => {
		ref.emu = await new Emulator({ rateLimits: false, ...options }).start();
	});
	afterEach(() => {
		const violations = [...ref.emu.violations];
		ref.emu.violations.length = 0;
		ref.emu.clearFaults();
		expect(violations).toEqual([]);
	});
	afterAll(async () => {
		// Orphans: nothing this file started may still be running (timeouts and stops cancel remotely).
		const running = () =>
			[...ref.emu.store.predictions.values(), ...ref.emu.store.trainings.values()].filter(
				(r) => !r.terminal,
			);
		const end = Date.now() + 5000;
		while (running().length && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
		const left = running().map((r) => `${r.kind} ${r.obj.id} (${r.obj.model}, ${r.status})`);
		await ref.emu?.stop();
		expect(left).toEqual([]);
	});
	return ref;
}

/** A throwaway HTTP endpoint on loopback that records what it receives (for webhook deliveries). */
export async function recordingServer(status = 200) {
	const { createServer } = await import('node:http');
	const received: Array<{
		headers: Record<string, string | string[] | undefined>;
		body: string;
		path: string;
	}> = [];
	const state = { status };
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			received.push({
				headers: req.headers,
				body: Buffer.concat(chunks).toString('utf8'),
				path: req.url ?? '',
			});
			res.writeHead(state.status);
			res.end();
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
	const port = (server.address() as { port: number }).port;
	return {
		url: `http://127.0.0.1:${port}/hook`,
		received,
		state,
		close: () => new Promise<void>((r) => server.close(() => r())),
	};
}

export async function until<T>(
	fn: () => T | undefined | false,
	timeoutMs = 10_000,
	stepMs = 20,
): Promise<T> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const v = fn();
		if (v) return v;
		if (Date.now() > end) throw new Error('condition not met in time');
		await new Promise((r) => setTimeout(r, stepMs));
	}
}
