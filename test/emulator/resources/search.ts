import { json, type Router } from '../http';
import type { Emulator } from '../server';

export function register(r: Router, emu: Emulator) {
	const s = emu.store;
	// GET /v1/search needs no authentication (security: [] in the spec).
	r.add(
		'GET',
		'/v1/search',
		'search',
		(req) => {
			const query = (req.query.query ?? '').trim();
			if (!query) return { status: 400, json: { detail: 'Query parameter "query" is required' } };
			const limit = req.query.limit === undefined ? 20 : Number(req.query.limit);
			if (!Number.isInteger(limit) || limit < 1 || limit > 50)
				return {
					status: 400,
					json: { detail: 'Query parameter "limit" must be between 1 and 50' },
				};
			const words = query.toLowerCase().split(/\s+/);
			const scored = [...s.models.values()]
				.filter((m) => m.visibility === 'public')
				.map((m) => {
					const hay =
						`${m.owner}/${m.name} ${m.description ?? ''} ${m.tags.join(' ')}`.toLowerCase();
					const hits = words.filter((w) => hay.includes(w)).length;
					return { m, score: hits / words.length };
				})
				.filter((x) => x.score > 0)
				.sort((a, b) => b.score - a.score || b.m.run_count - a.m.run_count)
				.slice(0, limit);
			return json(200, {
				query,
				models: scored.map(({ m, score }) => ({
					model: s.modelView(m),
					metadata: { generated_description: m.description ?? '', score, tags: m.tags },
				})),
				collections: s.collections
					.filter((c) => words.some((w) => `${c.name} ${c.description}`.toLowerCase().includes(w)))
					.map((c) => ({
						name: c.name,
						slug: c.slug,
						description: c.description,
						models: c.models,
					})),
				pages: [],
			});
		},
		{ auth: false },
	);
}
