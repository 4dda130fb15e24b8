// Predictions: the three create endpoints share createPrediction(); get, list, cancel; and, on the
// CDN origin, output files and the server-sent-events stream.
import type { ServerResponse } from 'node:http';

import { json, problem, type Reply, type Req, type Router } from '../http';
import { validateInput } from '../models/schema';
import type { JsonObject, ModelDef } from '../models/types';
import type { Emulator } from '../server';
import { WEBHOOK_EVENTS, type Run } from '../store';
import { parseDuration } from '../util';
import { newestFirst, page } from './common';

export interface Target {
	def: ModelDef;
	model: string;
	version: string;
	deployment?: string;
}

/** Body checks, headers (Prefer, Cancel-After) and the sync hold shared by every create endpoint. */
export async function createPrediction(
	emu: Emulator,
	req: Req,
	body: JsonObject,
	target: Target,
	kind: 'prediction' | 'training' = 'prediction',
	destination?: string,
): Promise<Reply> {
	if (!body.input || typeof body.input !== 'object' || Array.isArray(body.input)) {
		return problem(
			422,
			'- input: input is required and must be an object',
			'Input validation failed',
		);
	}
	const webhook = body.webhook;
	if (webhook !== undefined && webhook !== null) {
		let ok = typeof webhook === 'string';
		if (ok) {
			try {
				ok = /^https?:$/.test(new URL(webhook as string).protocol);
			} catch {
				ok = false;
			}
		}
		if (!ok)
			return problem(422, "- webhook: Does not match format 'uri'", 'Input validation failed');
	}
	const filter = body.webhook_events_filter;
	if (filter !== undefined) {
		const bad =
			!Array.isArray(filter) ||
			filter.some((f) => !(WEBHOOK_EVENTS as readonly string[]).includes(f as string));
		if (bad)
			return problem(
				422,
				`- webhook_events_filter: must be a list of ${WEBHOOK_EVENTS.join(', ')}`,
				'Input validation failed',
			);
	}
	const problems = validateInput(target.def.openapi, body.input as JsonObject);
	if (problems.length)
		return problem(422, problems.map((p) => `- ${p}`).join('\n'), 'Input validation failed');

	let cancelAfterSec: number | undefined;
	const cancelAfter = req.headers['cancel-after'];
	if (typeof cancelAfter === 'string') {
		cancelAfterSec = parseDuration(cancelAfter);
		if (cancelAfterSec === undefined || cancelAfterSec < 5) {
			return problem(
				400,
				'Cancel-After must be a duration of at least 5 seconds, like 30s, 5m or 1h30m',
				'Invalid Cancel-After header',
			);
		}
	}
	// Prefer: the documents give the pattern `wait` or `wait=N` with N from 1 to 60 seconds. What Replicate
	// does with other values (wait=0, wait=61, garbage) is not documented: the emulator ignores them and
	// answers asynchronously, the conservative reading. The node never sends them.
	let waitSec: number | undefined;
	const prefer = req.headers.prefer;
	const m = typeof prefer === 'string' ? /^wait(?:=(\d+))?$/.exec(prefer.trim()) : null;
	if (m) {
		const n = m[1] === undefined ? 60 : Number(m[1]);
		if (n >= 1 && n <= 60) waitSec = n;
	}

	const run = emu.store.createRun({
		kind,
		def: target.def,
		model: target.model,
		version: target.version,
		deployment: target.deployment,
		input: body.input as JsonObject,
		webhook: (webhook as string | undefined) ?? undefined,
		filter: filter as string[] | undefined,
		cancelAfterSec,
		destination,
	});
	const headers: Record<string, string> = { location: (run.obj.urls as { get: string }).get };
	if (waitSec !== undefined) {
		headers['preference-applied'] = m?.[1] === undefined ? 'wait' : `wait=${waitSec}`;
		const holdMs = Math.min(waitSec * 1000, emu.options.syncHoldCapMs);
		const hold = run.waitTerminal(holdMs / emu.options.speed);
		const closed = new Promise<void>((r) => req.raw.once('close', () => r()));
		await Promise.race([hold, closed]);
	}
	return json(201, run.view(), headers);
}

export function findVersion(emu: Emulator, ref: string): Target | undefined {
	const s = emu.store;
	const full = /^([^/]+)\/([^/:]+)(?::(.+))?$/.exec(ref);
	if (full) {
		const model = s.models.get(`${full[1]}/${full[2]}`);
		if (!model) return undefined;
		if (!full[3])
			return model.is_official && model.def
				? { def: model.def, model: `${model.owner}/${model.name}`, version: 'hidden' }
				: undefined;
		const v = model.versions.find((x) => x.id === full[3]);
		return v ? { def: v.def, model: `${model.owner}/${model.name}`, version: v.id } : undefined;
	}
	for (const model of s.models.values()) {
		const v = model.versions.find((x) => x.id === ref);
		if (v) return { def: v.def, model: `${model.owner}/${model.name}`, version: v.id };
	}
	return undefined;
}

export const invalidVersion = () =>
	problem(
		422,
		"The specified version does not exist (or perhaps you don't have permission to use it?)",
		'Invalid version or not permitted',
	);

function lookup(emu: Emulator, id: string): Run | undefined {
	return emu.store.predictions.get(id);
}

export function register(r: Router, emu: Emulator) {
	const s = emu.store;

	r.add('POST', '/v1/predictions', 'predictions.create', async (req) => {
		const body = await req.json<JsonObject>().catch(() => undefined);
		if (!body) return problem(400, 'Request body is not valid JSON', 'Bad request');
		if (typeof body.version !== 'string' || !body.version)
			return problem(422, '- version: version is required', 'Input validation failed');
		const target = findVersion(emu, body.version);
		if (!target) return invalidVersion();
		return createPrediction(emu, req, body, target);
	});

	r.add('GET', '/v1/predictions', 'predictions.list', (req) => {
		let items = newestFirst([...s.predictions.values()].map((p) => p.view()));
		const after = req.query.created_after ? Date.parse(req.query.created_after) : undefined;
		const before = req.query.created_before ? Date.parse(req.query.created_before) : undefined;
		if (
			(after !== undefined && Number.isNaN(after)) ||
			(before !== undefined && Number.isNaN(before))
		) {
			return problem(
				400,
				'created_after and created_before must be ISO 8601 date-times',
				'Bad request',
			);
		}
		if (after !== undefined)
			items = items.filter((p) => Date.parse(p.created_at as string) > after);
		if (before !== undefined)
			items = items.filter((p) => Date.parse(p.created_at as string) < before);
		return json(200, page(emu, req, items, 'predictions'));
	});

	r.add('GET', '/v1/predictions/:id', 'predictions.get', (req) => {
		const run = lookup(emu, req.params.id);
		return run ? json(200, run.view()) : problem(404, 'Not found.');
	});

	r.add('POST', '/v1/predictions/:id/cancel', 'predictions.cancel', (req) => {
		const run = lookup(emu, req.params.id);
		if (!run) return problem(404, 'Not found.');
		s.stop(run, 'canceled');
		return json(200, run.view());
	});

	// ---- CDN origin (no authentication, like replicate.delivery and the streaming host) ----------

	r.add(
		'GET',
		'/d/:run/:name',
		'cdn.file',
		(req) => {
			const file = s.openDelivery(`/d/${req.params.run}/${encodeURIComponent(req.params.name)}`);
			if (!file) return { status: 404, text: 'Not Found' };
			return {
				status: 200,
				headers: {
					'content-type': file.contentType,
					'content-length': file.size,
					'cache-control': 'public, max-age=3600',
				},
				stream: file.stream,
			};
		},
		{ auth: false },
	);

	r.add(
		'GET',
		'/p/:id',
		'cdn.web',
		(req) => ({
			status: 200,
			headers: { 'content-type': 'text/html' },
			text: `<html><body>Prediction ${req.params.id}</body></html>`,
		}),
		{ auth: false },
	);

	r.add(
		'GET',
		'/stream/:id',
		'cdn.stream',
		(req) => {
			const run = lookup(emu, req.params.id);
			if (!run || !run.def.streaming) return { status: 404, text: 'Not Found' };
			return { status: 200, hijack: (res) => streamEvents(run, res) };
		},
		{ auth: false },
	);
}

function streamEvents(run: Run, res: ServerResponse) {
	res.writeHead(200, {
		'content-type': 'text/event-stream',
		'cache-control': 'no-cache',
		connection: 'keep-alive',
	});
	res.write(': hi\n\n');
	const write = (e: { event: string; data: string; id: string }) => {
		if (e.event === 'done' || e.event === 'output' || e.event === 'logs' || e.event === 'error') {
			const data = e.data
				.split('\n')
				.map((l) => `data: ${l}`)
				.join('\n');
			res.write(`event: ${e.event}\nid: ${e.id}\n${data}\n\n`);
		}
		if (e.event === 'done') {
			run.events.off('sse', write);
			res.end();
		}
	};
	for (const e of run.sse) write(e);
	if (!res.writableEnded) {
		run.events.on('sse', write);
		res.on('close', () => run.events.off('sse', write));
	}
}
