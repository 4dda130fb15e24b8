import { json, problem, type Router } from '../http';
import type { ModelRecord } from '../store';
import type { Emulator } from '../server';
import { page } from './common';

export function register(r: Router, emu: Emulator) {
	const s = emu.store;
	r.add('GET', '/v1/collections', 'collections.list', (req) =>
		json(
			200,
			page(
				emu,
				req,
				s.collections.map(({ name, slug, description }) => ({ name, slug, description })),
				'collections',
			),
		),
	);
	r.add('GET', '/v1/collections/:slug', 'collections.get', (req) => {
		const c = s.collections.find((x) => x.slug === req.params.slug);
		if (!c) return problem(404, 'Not found.');
		const models = c.models.map((k) => s.models.get(k)).filter((m): m is ModelRecord => !!m);
		return json(200, {
			name: c.name,
			slug: c.slug,
			description: c.description,
			full_description: c.full_description,
			models: models.map((m) => s.modelView(m)),
		});
	});
}
