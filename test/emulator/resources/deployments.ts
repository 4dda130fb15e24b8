import { json, problem, type Router } from '../http';
import type { JsonObject } from '../models/types';
import type { Emulator } from '../server';
import { iso } from '../util';
import { page } from './common';
import { createPrediction, findVersion } from './predictions';

const NAME_RE = /^[a-z0-9][a-z0-9_-]*$/;

export function register(r: Router, emu: Emulator) {
	const s = emu.store;
	const key = (o: string, n: string) => `${o}/${n}`;

	function checkConfig(b: JsonObject, partial: boolean): string | undefined {
		const int = (f: string, max: number) => {
			if (b[f] === undefined) return partial ? undefined : `- ${f}: ${f} is required`;
			const v = b[f];
			return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max
				? undefined
				: `- ${f}: must be an integer from 0 to ${max}`;
		};
		if (b.hardware !== undefined || !partial) {
			if (!s.hardware.some((h) => h.sku === b.hardware))
				return `- hardware: unknown hardware SKU "${b.hardware}"`;
		}
		const e = int('min_instances', 5) ?? int('max_instances', 20);
		if (e) return e;
		return undefined;
	}

	r.add('GET', '/v1/deployments', 'deployments.list', (req) =>
		json(
			200,
			page(
				emu,
				req,
				[...s.deployments.values()].reverse().map((d) => s.deploymentView(d)),
				'deployments',
			),
		),
	);

	r.add('POST', '/v1/deployments', 'deployments.create', async (req) => {
		const b = await req.json<JsonObject>().catch(() => undefined);
		if (!b) return problem(400, 'Request body is not valid JSON', 'Bad request');
		for (const f of ['name', 'model', 'version'])
			if (typeof b[f] !== 'string' || !b[f])
				return problem(422, `- ${f}: ${f} is required`, 'Input validation failed');
		if (!NAME_RE.test(b.name as string))
			return problem(
				422,
				'- name: must contain only lowercase letters, numbers, dashes and underscores',
				'Input validation failed',
			);
		const cfg = checkConfig(b, false);
		if (cfg) return problem(422, cfg, 'Input validation failed');
		const target = findVersion(emu, `${b.model}:${b.version}`);
		if (!target)
			return problem(
				422,
				'- version: The specified version does not exist for this model',
				'Input validation failed',
			);
		if (s.deployments.has(key(s.account.username, b.name as string)))
			return problem(409, `A deployment named ${b.name} already exists`, 'Conflict');
		const rec = {
			owner: s.account.username,
			name: b.name as string,
			releases: [
				{
					number: 1,
					model: b.model as string,
					version: b.version as string,
					created_at: iso(Date.now()),
					configuration: {
						hardware: b.hardware as string,
						min_instances: b.min_instances as number,
						max_instances: b.max_instances as number,
					},
				},
			],
		};
		s.deployments.set(key(rec.owner, rec.name), rec);
		return json(200, s.deploymentView(rec));
	});

	r.add('GET', '/v1/deployments/:owner/:name', 'deployments.get', (req) => {
		const d = s.deployments.get(key(req.params.owner, req.params.name));
		return d ? json(200, s.deploymentView(d)) : problem(404, 'Not found.');
	});

	r.add('PATCH', '/v1/deployments/:owner/:name', 'deployments.update', async (req) => {
		const d = s.deployments.get(key(req.params.owner, req.params.name));
		if (!d) return problem(404, 'Not found.');
		const b = await req.json<JsonObject>().catch(() => undefined);
		if (!b) return problem(400, 'Request body is not valid JSON', 'Bad request');
		const cfg = checkConfig(b, true);
		if (cfg) return problem(422, cfg, 'Input validation failed');
		const cur = d.releases[d.releases.length - 1];
		if (b.version !== undefined && !findVersion(emu, `${cur.model}:${b.version}`)) {
			return problem(
				422,
				'- version: The specified version does not exist for this model',
				'Input validation failed',
			);
		}
		d.releases.push({
			number: cur.number + 1,
			model: cur.model,
			version: (b.version as string) ?? cur.version,
			created_at: iso(Date.now()),
			configuration: {
				hardware: (b.hardware as string) ?? cur.configuration.hardware,
				min_instances: (b.min_instances as number) ?? cur.configuration.min_instances,
				max_instances: (b.max_instances as number) ?? cur.configuration.max_instances,
			},
		});
		return json(200, s.deploymentView(d));
	});

	r.add('DELETE', '/v1/deployments/:owner/:name', 'deployments.delete', (req) => {
		const k = key(req.params.owner, req.params.name);
		if (!s.deployments.has(k)) return problem(404, 'Not found.');
		s.deployments.delete(k);
		return { status: 204 };
	});

	r.add(
		'POST',
		'/v1/deployments/:owner/:name/predictions',
		'deployments.predictions.create',
		async (req) => {
			const d = s.deployments.get(key(req.params.owner, req.params.name));
			if (!d) return problem(404, 'Not found.');
			const body = await req.json<JsonObject>().catch(() => undefined);
			if (!body) return problem(400, 'Request body is not valid JSON', 'Bad request');
			const cur = d.releases[d.releases.length - 1];
			const target = findVersion(emu, `${cur.model}:${cur.version}`);
			if (!target) return problem(500, 'Deployment release points at a missing version');
			return createPrediction(emu, req, body, { ...target, deployment: `${d.owner}/${d.name}` });
		},
	);
}
