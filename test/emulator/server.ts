// A loopback server that behaves like api.replicate.com (Replicate's HTTP API documentation and its OpenAPI document, test/fixtures/, are the reference).
// Two origins, as in production: the API (…/v1) and a "CDN" origin for output files and SSE streams,
// so tests can prove the API token never leaves the API's origin.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { Router, json, problem, readBody, type Reply, type Req } from './http';
import { SpecValidator } from './spec';
import { Store } from './store';
import { registerAll } from './resources';
import { InvalidCursor } from './resources/common';

export interface RateLimit {
	/** Requests allowed per window. */
	limit: number;
	windowMs: number;
	/**
	 * `retry_after` seconds per wall-clock second left in the window: the emulator's speed when the
	 * window is a time-scaled minute (so Retry-After is in model time, like every other wait). Default 1.
	 */
	retryAfterScale?: number;
	/**
	 * Send `ratelimit-remaining` and `ratelimit-reset` on every API answer of this kind. Replicate's
	 * answers were seen carrying both (recordings of 2023–2024: 599 on creates, 2999 elsewhere, reset
	 * always 1), but its documents say nothing of them, so they are off by default and the node is
	 * tested both ways. What the emulator chose where the documents are silent: remaining is what
	 * its window still allows the account after this request (0 on a 429), shared by every client of
	 * the token; reset is the seconds (model time, like retry_after) until the window allows one more
	 * request, at least 1.
	 */
	headers?: boolean;
}

export interface EmulatorOptions {
	host?: string;
	port?: number;
	cdnPort?: number;
	/** The API token accepted (Bearer or Token scheme). Random when not given. */
	token?: string;
	/** Model time runs this many times faster than wall time (1 = real time). */
	speed?: number;
	/** Model-time ms after completion before inputs, outputs and logs are removed (Replicate: 1 h). */
	retentionMs?: number;
	/** Model-time ms an output file URL stays valid (Replicate: 1 h). */
	outputTtlMs?: number;
	/** Model-time ms a prediction spends in `starting` before it runs. */
	startupMs?: number;
	/** Rate limits; Replicate's are 600/min for creates and 3000/min for the rest. false turns them off. */
	rateLimits?: { create?: RateLimit; other?: RateLimit } | false;
	/** Validate every JSON response against Replicate's OpenAPI document (violations are recorded). */
	validateResponses?: boolean;
	webhookSecret?: string;
	/** Model-time delays between retries of a terminal webhook (Replicate: several, ~1 minute in all). */
	webhookRetryDelaysMs?: number[];
	/**
	 * Echo the prediction's `webhook` and `webhook_events_filter` in webhook delivery bodies. Off by
	 * default: Replicate's documented delivery examples and its prediction schema have neither field.
	 */
	webhookEchoFields?: boolean;
	/** Deliveries fail as if the receiver were unreachable (recorded, retried on schedule). */
	webhookUnreachable?: boolean;
	pageSizes?: Partial<Record<PageKind, number>>;
	/**
	 * A sync create (`Prefer: wait=N`) answers after at most this many model-time ms even when the
	 * prediction is not terminal yet. Replicate documents that the wait may end before the prediction
	 * does ("202: Prediction has been created but does not yet have all outputs"); default: no cap.
	 */
	syncHoldCapMs?: number;
}

export type PageKind =
	| 'predictions'
	| 'trainings'
	| 'models'
	| 'files'
	| 'deployments'
	| 'collections'
	| 'versions'
	| 'examples';

export interface Fault {
	method?: string;
	/** Substring or regular expression matched against the request path (without query). */
	path?: string | RegExp;
	/** Only the n-th matching request (1-based). */
	nth?: number;
	/** How many times it fires (default: once with nth, always without). */
	times?: number;
	/** `before`: instead of the handler. `after`: the handler runs (side effects happen), then the fault. */
	phase?: 'before' | 'after';
	status?: number;
	body?: unknown;
	headers?: Record<string, string>;
	/** Destroy the connection without an answer. */
	reset?: boolean;
	/** Send the headers and only this many body bytes, then cut the connection. */
	truncateAt?: number;
	latencyMs?: number;
	/** Send this text as the body of the fault's answer instead of JSON (with `status`). */
	rawBody?: string;
	/** Rewrite the JSON body of the real answer (after phase), e.g. to corrupt a checksum. */
	transform?: (body: unknown) => unknown;
}

interface FaultState extends Fault {
	matched: number;
	fired: number;
}

export interface LogEntry {
	seq: number;
	server: 'api' | 'cdn';
	method: string;
	path: string;
	query: Record<string, string>;
	status: number;
	operationId?: string;
	authorized: boolean;
	/** Whether any Authorization header arrived (the token itself is never logged). */
	sentAuthorization: boolean;
	fault?: string;
	at: number;
	ms: number;
}

const DEFAULT_PAGE_SIZES: Record<PageKind, number> = {
	predictions: 100,
	trainings: 100,
	models: 25,
	files: 100,
	deployments: 25,
	collections: 25,
	versions: 25,
	examples: 25,
};

export class Emulator {
	readonly token: string;
	readonly options: Required<
		Omit<EmulatorOptions, 'host' | 'port' | 'cdnPort' | 'token' | 'pageSizes' | 'rateLimits'>
	> & {
		rateLimits: EmulatorOptions['rateLimits'];
		pageSizes: Record<PageKind, number>;
	};
	readonly store: Store;
	readonly log: LogEntry[] = [];
	readonly violations: string[] = [];
	private readonly router = new Router();
	private readonly faults: FaultState[] = [];
	private readonly rateWindows = new Map<string, number[]>();
	private readonly timers = new Set<ReturnType<typeof setTimeout>>();
	private readonly sockets = new Set<Socket>();
	private readonly validator?: SpecValidator;
	private api?: Server;
	private cdn?: Server;
	private seq = 0;
	apiOrigin = '';
	/** Set by the Files module: a signed download URL for a stored file. */
	signedFileUrl: (id: string, ttlSec?: number) => string = () => '';
	cdnOrigin = '';

	constructor(private readonly init: EmulatorOptions = {}) {
		this.token = init.token ?? `r8_emu_${randomBytes(12).toString('hex')}`;
		this.options = {
			speed: init.speed ?? 1,
			retentionMs: init.retentionMs ?? 3_600_000,
			outputTtlMs: init.outputTtlMs ?? 3_600_000,
			startupMs: init.startupMs ?? 150,
			rateLimits:
				init.rateLimits === undefined
					? { create: { limit: 600, windowMs: 60_000 }, other: { limit: 3000, windowMs: 60_000 } }
					: init.rateLimits,
			validateResponses: init.validateResponses ?? true,
			webhookSecret: init.webhookSecret ?? `whsec_${randomBytes(24).toString('base64')}`,
			webhookRetryDelaysMs: init.webhookRetryDelaysMs ?? [1000, 2000, 4000, 8000, 16000, 29000],
			webhookEchoFields: init.webhookEchoFields ?? false,
			webhookUnreachable: init.webhookUnreachable ?? false,
			pageSizes: { ...DEFAULT_PAGE_SIZES, ...(init.pageSizes ?? {}) },
			syncHoldCapMs: init.syncHoldCapMs ?? Number.POSITIVE_INFINITY,
		};
		if (this.options.validateResponses) this.validator = new SpecValidator();
		this.store = new Store(this);
		registerAll(this.router, this);
	}

	get baseUrl() {
		return `${this.apiOrigin}/v1`;
	}

	async start(): Promise<this> {
		const host = this.init.host ?? '127.0.0.1';
		const listen = (server: Server, port: number) =>
			new Promise<number>((resolve, reject) => {
				server.once('error', reject);
				server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
			});
		this.api = createServer((req, res) => void this.handle('api', req, res));
		this.cdn = createServer((req, res) => void this.handle('cdn', req, res));
		for (const s of [this.api, this.cdn]) {
			s.keepAliveTimeout = 5000;
			s.on('connection', (sock) => {
				this.sockets.add(sock);
				sock.on('close', () => this.sockets.delete(sock));
			});
		}
		this.apiOrigin = `http://${host}:${await listen(this.api, this.init.port ?? 0)}`;
		this.cdnOrigin = `http://${host}:${await listen(this.cdn, this.init.cdnPort ?? 0)}`;
		return this;
	}

	async stop(): Promise<void> {
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
		this.store.shutdown();
		for (const s of this.sockets) s.destroy();
		await Promise.all(
			[this.api, this.cdn].map((s) => new Promise<void>((r) => (s ? s.close(() => r()) : r()))),
		);
	}

	// ---- time -------------------------------------------------------------------------------

	/** Runs `fn` after `modelMs` of model time. */
	later(modelMs: number, fn: () => void): () => void {
		const t = setTimeout(
			() => {
				this.timers.delete(t);
				fn();
			},
			Math.max(0, modelMs / this.options.speed),
		);
		this.timers.add(t);
		return () => {
			clearTimeout(t);
			this.timers.delete(t);
		};
	}

	sleep(modelMs: number, signal?: AbortSignal): Promise<void> {
		return new Promise((resolve, reject) => {
			if (signal?.aborted) return reject(signal.reason);
			const cancel = this.later(modelMs, () => {
				signal?.removeEventListener('abort', onAbort);
				resolve();
			});
			const onAbort = () => {
				cancel();
				reject(signal?.reason);
			};
			signal?.addEventListener('abort', onAbort, { once: true });
		});
	}

	// ---- test controls ----------------------------------------------------------------------

	addFault(fault: Fault): void {
		this.faults.push({ phase: 'before', ...fault, matched: 0, fired: 0 });
	}

	clearFaults(): void {
		this.faults.length = 0;
	}

	/** Requests whose operationId (e.g. `predictions.create`) matches. */
	requests(operationId?: string): LogEntry[] {
		return operationId ? this.log.filter((l) => l.operationId === operationId) : [...this.log];
	}

	resetLog(): void {
		this.log.length = 0;
		this.violations.length = 0;
	}

	// ---- request handling -------------------------------------------------------------------

	private checkAuth(req: IncomingMessage): boolean {
		const h = req.headers.authorization ?? '';
		const m = /^(Bearer|Token)\s+(\S+)$/.exec(h);
		return !!m && m[2] === this.token;
	}

	/** Counts the request against its window: retry_after seconds when over the limit, and headers. */
	private rateLimited(kind: 'create' | 'other'): {
		retryAfter?: number;
		headers?: Record<string, string>;
	} {
		const limits = this.options.rateLimits;
		const limit = limits ? limits[kind] : undefined;
		if (!limit) return {};
		const now = Date.now();
		const window = (this.rateWindows.get(kind) ?? []).filter((t) => now - t < limit.windowMs);
		this.rateWindows.set(kind, window);
		const scale = limit.retryAfterScale ?? 1;
		const full = window.length >= limit.limit;
		if (!full) window.push(now);
		// Seconds until the oldest request of the window leaves it (one more is allowed then).
		const untilFree = Math.max(1, Math.ceil(((limit.windowMs - (now - window[0])) * scale) / 1000));
		const headers = limit.headers
			? {
					'ratelimit-remaining': String(Math.max(0, limit.limit - window.length)),
					'ratelimit-reset': String(untilFree),
				}
			: undefined;
		return { retryAfter: full ? untilFree : undefined, headers };
	}

	private matchFaults(
		method: string,
		path: string,
		phase: 'before' | 'after',
	): FaultState | undefined {
		for (const f of this.faults) {
			if (f.phase !== phase) continue;
			if (f.method && f.method.toUpperCase() !== method) continue;
			if (f.path && !(typeof f.path === 'string' ? path.includes(f.path) : f.path.test(path)))
				continue;
			f.matched++;
			if (f.nth !== undefined && f.matched !== f.nth) continue;
			const times = f.times ?? (f.nth !== undefined ? 1 : Infinity);
			if (f.fired >= times) continue;
			f.fired++;
			return f;
		}
		return undefined;
	}

	private async handle(server: 'api' | 'cdn', raw: IncomingMessage, res: ServerResponse) {
		const started = Date.now();
		const url = new URL(raw.url ?? '/', 'http://x');
		const method = (raw.method ?? 'GET').toUpperCase();
		const query: Record<string, string> = {};
		url.searchParams.forEach((v, k) => (query[k] = v));
		const entry: LogEntry = {
			seq: ++this.seq,
			server,
			method,
			path: url.pathname,
			query,
			status: 0,
			authorized: false,
			sentAuthorization: raw.headers.authorization !== undefined,
			at: started,
			ms: 0,
		};
		let bodyCache: Promise<Buffer> | undefined;
		const req: Req = {
			method,
			path: url.pathname,
			query,
			headers: raw.headers,
			params: {},
			raw,
			body: () => (bodyCache ??= readBody(raw)),
			json: async <T>() => {
				const b = await req.body();
				return (b.length ? JSON.parse(b.toString('utf8')) : {}) as T;
			},
		};
		const finish = (status: number) => {
			entry.status = status;
			entry.ms = Date.now() - started;
		};
		if (url.pathname.startsWith('/__emulator/')) {
			const reply = await this.control(req).catch((e: Error) => problem(500, e.message));
			finish(reply.status);
			return this.send(res, reply);
		}
		this.log.push(entry);

		let reply: Reply;
		const matched = this.router.match(method, url.pathname);
		if (matched && matched !== 'method') entry.operationId = matched.route.operationId;
		const before = this.matchFaults(method, url.pathname, 'before');
		if (before) {
			entry.fault = describeFault(before);
			if (before.latencyMs) await new Promise((r) => setTimeout(r, before.latencyMs));
			if (before.reset) {
				finish(0);
				raw.socket.destroy();
				return;
			}
		}
		if (before?.status) {
			reply = faultReply(before);
		} else {
			if (
				matched === undefined ||
				(matched !== 'method' &&
					matched.route.operationId.startsWith('cdn.') !== (server === 'cdn'))
			) {
				reply = problem(404, 'Not found.');
			} else if (matched === 'method') {
				reply = problem(405, `Method "${method}" not allowed.`);
			} else {
				const { route, params } = matched;
				req.params = params;
				entry.authorized = !route.auth || this.checkAuth(raw);
				if (!entry.authorized) {
					reply = problem(401, 'You did not pass a valid authentication token', 'Unauthenticated');
				} else {
					const isCreate = /predictions\.create|trainings\.create/.test(route.operationId);
					const { retryAfter, headers: limitHeaders } =
						server === 'api' ? this.rateLimited(isCreate ? 'create' : 'other') : {};
					if (retryAfter !== undefined) {
						const detail = `Request was throttled. Your rate limit resets in ~${retryAfter}s.`;
						reply = problem(429, detail, undefined, { retry_after: retryAfter });
						reply.headers = { ...reply.headers, 'retry-after': String(retryAfter) };
					} else {
						try {
							reply = await route.handler(req);
						} catch (e) {
							reply =
								e instanceof InvalidCursor
									? problem(e.status, e.message)
									: problem(500, `Internal server error: ${(e as Error).message}`);
						}
					}
					if (limitHeaders) reply.headers = { ...reply.headers, ...limitHeaders };
				}
			}
		}
		const after = this.matchFaults(method, url.pathname, 'after');
		if (after) {
			entry.fault = describeFault(after);
			if (after.latencyMs) await new Promise((r) => setTimeout(r, after.latencyMs));
			if (after.reset) {
				finish(0);
				reply.stream?.destroy();
				raw.socket.destroy();
				return;
			}
			if (after.status) {
				reply.stream?.destroy();
				reply = faultReply(after);
			}
			if (after.transform && reply.json !== undefined)
				reply = { ...reply, json: after.transform(JSON.parse(JSON.stringify(reply.json))) };
		}
		finish(reply.status);
		if (
			this.validator &&
			server === 'api' &&
			reply.json !== undefined &&
			url.pathname.startsWith('/v1/')
		) {
			const violation = this.validator.check(
				method,
				url.pathname.slice(3),
				reply.status,
				reply.json,
			);
			if (violation) this.violations.push(violation);
		}
		this.send(res, reply, (before ?? after)?.truncateAt);
	}

	private send(res: ServerResponse, reply: Reply, truncateAt?: number) {
		if (reply.hijack) return reply.hijack(res);
		const headers: Record<string, string | number> = { ...(reply.headers ?? {}) };
		const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
		if (reply.json !== undefined || reply.text !== undefined) {
			const body =
				reply.json !== undefined
					? Buffer.from(JSON.stringify(reply.json))
					: Buffer.from(reply.text ?? '', 'utf8');
			if (!lower['content-type']) {
				headers['content-type'] =
					reply.json !== undefined ? 'application/json' : 'text/plain; charset=utf-8';
			}
			headers['content-length'] = body.length;
			res.writeHead(reply.status, headers);
			if (truncateAt !== undefined) {
				res.write(body.subarray(0, truncateAt));
				res.socket?.destroy();
				return;
			}
			res.end(body);
			return;
		}
		if (reply.stream) {
			res.writeHead(reply.status, headers);
			if (truncateAt !== undefined) {
				let sent = 0;
				reply.stream.on('data', (chunk: Buffer) => {
					const room = truncateAt - sent;
					if (room <= 0) return;
					res.write(chunk.subarray(0, room));
					sent += Math.min(room, chunk.length);
					if (sent >= truncateAt) {
						reply.stream?.destroy();
						res.socket?.destroy();
					}
				});
				return;
			}
			reply.stream.pipe(res);
			res.on('close', () => reply.stream?.destroy());
			return;
		}
		res.writeHead(reply.status, headers);
		res.end();
	}

	// ---- control API for out-of-process tests (e2e, benchmarks) --------------------------------

	private async control(req: Req): Promise<Reply> {
		const what = req.path.slice('/__emulator/'.length);
		if (req.method === 'GET' && what === 'log') return json(200, this.log);
		if (req.method === 'GET' && what === 'violations') return json(200, this.violations);
		if (req.method === 'GET' && what === 'predictions')
			return json(200, this.store.allPredictionsForControl());
		if (req.method === 'GET' && what === 'webhooks') return json(200, this.store.webhookDeliveries);
		if (req.method === 'GET' && what === 'info') {
			return json(200, {
				baseUrl: this.baseUrl,
				cdnOrigin: this.cdnOrigin,
				speed: this.options.speed,
			});
		}
		if (req.method === 'POST' && what === 'faults') {
			const f = await req.json<Fault & { pathRegex?: string }>();
			this.addFault({ ...f, path: f.pathRegex ? new RegExp(f.pathRegex) : f.path });
			return json(200, { ok: true });
		}
		if (req.method === 'DELETE' && what === 'faults') {
			this.clearFaults();
			return json(200, { ok: true });
		}
		if (req.method === 'POST' && what === 'reset-log') {
			this.resetLog();
			return json(200, { ok: true });
		}
		return problem(404, 'Unknown control endpoint');
	}
}

function describeFault(f: Fault): string {
	if (f.transform) return 'transform';
	if (f.reset) return 'reset';
	if (f.truncateAt !== undefined) return `truncate@${f.truncateAt}`;
	if (f.status) return `status ${f.status}`;
	return `latency ${f.latencyMs}ms`;
}

function faultReply(f: Fault): Reply {
	const status = f.status as number;
	if (f.rawBody !== undefined)
		return {
			status,
			headers: { 'content-type': 'application/json', ...(f.headers ?? {}) },
			text: f.rawBody,
		};
	const body =
		f.body ??
		(status >= 500
			? {
					detail:
						status === 503
							? 'Service Unavailable'
							: status === 502
								? 'Bad Gateway'
								: 'Internal server error',
					status,
				}
			: { detail: 'Injected fault', status });
	return {
		status,
		headers: { 'content-type': 'application/problem+json', ...(f.headers ?? {}) },
		json: body,
	};
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
	return new Emulator(options).start();
}
