// Models, their versions, README, examples, official-model predictions, search (QUERY) and
// trainings.create (which hangs off a version).
import { json, problem, type Router } from '../http';
import { withDefaults } from '../models/schema';
import type { JsonObject, RunContext } from '../models/types';
import type { Emulator } from '../server';
import type { ModelRecord } from '../store';
import { iso } from '../util';
import { newestFirst, page } from './common';
import { createPrediction, invalidVersion } from './predictions';

const NAME_RE = /^[a-z0-9][a-z0-9._-]*$/;
const URL_FIELDS = [
	'github_url',
	'paper_url',
	'license_url',
	'cover_image_url',
	'weights_url',
] as const;

function badUrl(v: unknown): boolean {
	if (v === undefined || v === null) return false;
	if (typeof v !== 'string') return true;
	try {
		return !/^https?:$/.test(new URL(v).protocol);
	} catch {
		return true;
	}
}

export function register(r: Router, emu: Emulator) {
	const s = emu.store;
	const model = (owner: string, name: string) => s.models.get(`${owner}/${name}`);
	const notFound = () => problem(404, 'Not found.');
	const visible = (m: ModelRecord) => m.visibility === 'public' || m.owner === s.account.username;

	r.add('GET', '/v1/models', 'models.list', (req) => {
		const sortBy = req.query.sort_by ?? 'latest_version_created_at';
		const dir = req.query.sort_direction ?? 'desc';
		if (!['model_created_at', 'latest_version_created_at'].includes(sortBy))
			return problem(
				400,
				'sort_by must be model_created_at or latest_version_created_at',
				'Bad request',
			);
		if (!['asc', 'desc'].includes(dir))
			return problem(400, 'sort_direction must be asc or desc', 'Bad request');
		const key = (m: ModelRecord) =>
			sortBy === 'model_created_at' ? m.created_at : (m.versions[0]?.created_at ?? m.created_at);
		const list = [...s.models.values()]
			.filter(visible)
			.sort((a, b) => key(a).localeCompare(key(b)) * (dir === 'asc' ? 1 : -1));
		return json(
			200,
			page(
				emu,
				req,
				list.map((m) => s.modelView(m)),
				'models',
			),
		);
	});

	r.add('QUERY', '/v1/models', 'models.search', async (req) => {
		// Accept a raw body (Python client) and a JSON-quoted string (JS client).
		let q = (await req.body()).toString('utf8').trim();
		if (q.startsWith('"')) {
			try {
				q = String(JSON.parse(q));
			} catch {
				/* keep raw */
			}
		}
		const words = q.toLowerCase().split(/\s+/).filter(Boolean);
		const list = [...s.models.values()].filter(visible).filter((m) => {
			const hay = `${m.owner}/${m.name} ${m.description ?? ''}`.toLowerCase();
			return words.every((w) => hay.includes(w));
		});
		return json(
			200,
			page(
				emu,
				req,
				list.map((m) => s.modelView(m)),
				'models',
			),
		);
	});

	r.add('POST', '/v1/models', 'models.create', async (req) => {
		const b = await req.json<JsonObject>().catch(() => undefined);
		if (!b) return problem(400, 'Request body is not valid JSON', 'Bad request');
		for (const f of ['owner', 'name', 'visibility', 'hardware']) {
			if (typeof b[f] !== 'string' || !b[f])
				return problem(422, `- ${f}: ${f} is required`, 'Input validation failed');
		}
		if (b.owner !== s.account.username)
			return problem(
				403,
				`You do not have permission to create models for "${b.owner}"`,
				'Forbidden',
			);
		if (!NAME_RE.test(b.name as string))
			return problem(
				422,
				'- name: must contain only lowercase letters, numbers, dashes, underscores and periods',
				'Input validation failed',
			);
		if (!['public', 'private'].includes(b.visibility as string))
			return problem(422, '- visibility: must be public or private', 'Input validation failed');
		if (!s.hardware.some((h) => h.sku === b.hardware))
			return problem(
				422,
				`- hardware: unknown hardware SKU "${b.hardware}"`,
				'Input validation failed',
			);
		for (const f of URL_FIELDS)
			if (badUrl(b[f]))
				return problem(422, `- ${f}: Enter a valid URL.`, 'Input validation failed');
		if (model(b.owner as string, b.name as string))
			return problem(409, `A model named ${b.owner}/${b.name} already exists`, 'Conflict');
		const rec: ModelRecord = {
			owner: b.owner as string,
			name: b.name as string,
			description: (b.description as string) ?? null,
			visibility: b.visibility as 'public' | 'private',
			github_url: (b.github_url as string) ?? null,
			paper_url: (b.paper_url as string) ?? null,
			license_url: (b.license_url as string) ?? null,
			cover_image_url: (b.cover_image_url as string) ?? null,
			weights_url: null,
			readme: null,
			hardware: b.hardware as string,
			run_count: 0,
			created_at: iso(Date.now()),
			is_official: false,
			tags: [],
			versions: [],
		};
		s.models.set(`${rec.owner}/${rec.name}`, rec);
		return json(201, s.modelView(rec));
	});

	r.add('GET', '/v1/models/:owner/:name', 'models.get', (req) => {
		const m = model(req.params.owner, req.params.name);
		return m && visible(m) ? json(200, s.modelView(m)) : notFound();
	});

	r.add('PATCH', '/v1/models/:owner/:name', 'models.update', async (req) => {
		const m = model(req.params.owner, req.params.name);
		if (!m || !visible(m)) return notFound();
		if (m.owner !== s.account.username)
			return problem(403, 'You do not have permission to update this model', 'Forbidden');
		const b = await req.json<JsonObject>().catch(() => undefined);
		if (!b) return problem(400, 'Request body is not valid JSON', 'Bad request');
		for (const f of ['github_url', 'paper_url', 'license_url', 'weights_url'] as const)
			if (badUrl(b[f]))
				return problem(422, `- ${f}: Enter a valid URL.`, 'Input validation failed');
		for (const f of [
			'description',
			'readme',
			'github_url',
			'paper_url',
			'weights_url',
			'license_url',
		] as const) {
			if (b[f] !== undefined) (m as unknown as JsonObject)[f] = b[f];
		}
		return json(200, s.modelView(m));
	});

	r.add('DELETE', '/v1/models/:owner/:name', 'models.delete', (req) => {
		const m = model(req.params.owner, req.params.name);
		if (!m || !visible(m)) return notFound();
		if (m.owner !== s.account.username)
			return problem(403, 'You do not have permission to delete this model', 'Forbidden');
		if (m.visibility !== 'private' || m.versions.length) {
			return problem(
				409,
				'Only private models with no versions can be deleted. Delete its versions first.',
				'Model cannot be deleted',
			);
		}
		s.models.delete(`${m.owner}/${m.name}`);
		return { status: 204, headers: { 'content-type': 'text/plain; charset=UTF-8' } };
	});

	r.add('GET', '/v1/models/:owner/:name/readme', 'models.readme.get', (req) => {
		const m = model(req.params.owner, req.params.name);
		if (!m || !visible(m)) return notFound();
		if (!m.readme) return { status: 404, text: 'README not found' };
		return {
			status: 200,
			headers: { 'content-type': 'text/plain; charset=utf-8' },
			text: m.readme,
		};
	});

	r.add('GET', '/v1/models/:owner/:name/examples', 'models.examples.list', (req) => {
		const m = model(req.params.owner, req.params.name);
		if (!m || !visible(m)) return notFound();
		return json(200, page(emu, req, s.examples(m), 'examples'));
	});

	r.add('GET', '/v1/models/:owner/:name/versions', 'models.versions.list', (req) => {
		const m = model(req.params.owner, req.params.name);
		if (!m || !visible(m)) return notFound();
		return json(
			200,
			page(emu, req, newestFirst(m.versions.map((v) => s.versionView(v))), 'versions'),
		);
	});

	r.add('GET', '/v1/models/:owner/:name/versions/:id', 'models.versions.get', (req) => {
		const v = model(req.params.owner, req.params.name)?.versions.find(
			(x) => x.id === req.params.id,
		);
		return v ? json(200, s.versionView(v)) : notFound();
	});

	r.add('DELETE', '/v1/models/:owner/:name/versions/:id', 'models.versions.delete', (req) => {
		const m = model(req.params.owner, req.params.name);
		const i = m?.versions.findIndex((x) => x.id === req.params.id) ?? -1;
		if (!m || i < 0) return notFound();
		if (m.owner !== s.account.username)
			return problem(403, 'You do not have permission to delete this version', 'Forbidden');
		m.versions.splice(i, 1);
		return { status: 202 };
	});

	r.add('POST', '/v1/models/:owner/:name/predictions', 'models.predictions.create', async (req) => {
		const m = model(req.params.owner, req.params.name);
		if (!m || !visible(m)) return notFound();
		const body = await req.json<JsonObject>().catch(() => undefined);
		if (!body) return problem(400, 'Request body is not valid JSON', 'Bad request');
		// Only official models run without a version; others need POST /v1/predictions with a version.
		if (!m.is_official || !m.def) return invalidVersion();
		return createPrediction(emu, req, body, {
			def: m.def,
			model: `${m.owner}/${m.name}`,
			version: 'hidden',
		});
	});

	r.add(
		'POST',
		'/v1/models/:owner/:name/versions/:id/trainings',
		'trainings.create',
		async (req) => {
			const m = model(req.params.owner, req.params.name);
			const v = m?.versions.find((x) => x.id === req.params.id);
			if (!m || !v) return notFound();
			const body = await req.json<JsonObject>().catch(() => undefined);
			if (!body) return problem(400, 'Request body is not valid JSON', 'Bad request');
			const trainer = v.def.training;
			// What Replicate answers for a version that has no train() is not documented; the emulator
			// refuses it with a 422 naming the version (the node reads TrainingInput and never sends one).
			if (!trainer) return problem(422, `Version ${v.id} of ${m.owner}/${m.name} is not trainable`);
			if (typeof body.destination !== 'string' || !/^[^/]+\/[^/]+$/.test(body.destination)) {
				return problem(
					422,
					'- destination: must be "owner/name" of a model you own',
					'Input validation failed',
				);
			}
			// As recorded (replicate-api.md §5): 404 problem for a destination that is not there, and
			// (docs: "an existing model owned by the user or organization making the API request") the
			// same answer for a model the account does not own.
			const dest = s.models.get(body.destination);
			if (!dest || dest.owner !== s.account.username)
				return problem(404, 'The specified training destination does not exist');
			// The input is checked against TrainingInput (the training's "Input"); Cog applies its
			// defaults before train() runs. Secret inputs are echoed back in the training's `input` as
			// sent: whether Replicate masks them there is not documented, so the emulator shows the worst
			// case and the node must redact them itself.
			const doc = v.openapi_schema;
			const schemas = (doc.components as JsonObject).schemas as JsonObject;
			const trainingDoc = {
				...doc,
				components: { schemas: { ...schemas, Input: schemas.TrainingInput } },
			};
			const input = (body.input ?? {}) as JsonObject;
			const trainingDef = {
				...v.def,
				openapi: trainingDoc,
				streaming: false,
				run: async (ctx: RunContext) => {
					await trainer.run(ctx);
					return null;
				},
				trained:
					input && typeof input === 'object'
						? trainer.produces(withDefaults(trainingDoc, input))
						: v.def,
			};
			return createPrediction(
				emu,
				req,
				body,
				{ def: trainingDef, model: `${m.owner}/${m.name}`, version: v.id },
				'training',
				body.destination,
			);
		},
	);
}
