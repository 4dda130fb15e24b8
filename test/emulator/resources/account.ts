import { json, type Router } from '../http';
import type { Emulator } from '../server';

export function register(r: Router, emu: Emulator) {
	r.add('GET', '/v1/account', 'account.get', () => json(200, emu.store.account));
}
