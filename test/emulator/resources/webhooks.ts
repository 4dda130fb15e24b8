import { json, type Router } from '../http';
import type { Emulator } from '../server';

export function register(r: Router, emu: Emulator) {
	r.add('GET', '/v1/webhooks/default/secret', 'webhooks.default.secret.get', () =>
		json(200, { key: emu.options.webhookSecret }),
	);
}
