import { json, type Router } from '../http';
import type { Emulator } from '../server';

export function register(r: Router, emu: Emulator) {
	// A bare array, not a page.
	r.add('GET', '/v1/hardware', 'hardware.list', () => json(200, emu.store.hardware));
}
