import { json, problem, type Router } from '../http';
import type { Emulator } from '../server';
import { newestFirst, page } from './common';

export function register(r: Router, emu: Emulator) {
	const s = emu.store;
	r.add('GET', '/v1/trainings', 'trainings.list', (req) =>
		json(
			200,
			page(emu, req, newestFirst([...s.trainings.values()].map((t) => t.view())), 'trainings'),
		),
	);
	r.add('GET', '/v1/trainings/:id', 'trainings.get', (req) => {
		const t = s.trainings.get(req.params.id);
		return t ? json(200, t.view()) : problem(404, 'Not found.');
	});
	r.add('POST', '/v1/trainings/:id/cancel', 'trainings.cancel', (req) => {
		const t = s.trainings.get(req.params.id);
		if (!t) return problem(404, 'Not found.');
		s.stop(t, 'canceled');
		return json(200, t.view());
	});
}
