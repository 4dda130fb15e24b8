// The emulator's state and the prediction engine: lifecycle, sync waits, deadlines, cancellation,
// retention, iterator output, SSE events and signed webhooks.
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';

import { CATALOG } from './models/catalog';
import { withDefaults } from './models/schema';
import {
	ModelError,
	RunCanceled,
	type FileBody,
	type JsonObject,
	type ModelDef,
	type RunContext,
} from './models/types';
import type { Emulator } from './server';
import { signWebhook } from './signing';
import { iso, newId, sha256Hex } from './util';

export const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'aborted']);
export const WEBHOOK_EVENTS = ['start', 'output', 'logs', 'completed'] as const;
const COG_VERSION = '0.13.7';

export interface VersionRecord {
	id: string;
	created_at: string;
	cog_version: string;
	openapi_schema: JsonObject;
	def: ModelDef;
}

export interface ModelRecord {
	owner: string;
	name: string;
	description: string | null;
	visibility: 'public' | 'private';
	github_url: string | null;
	paper_url: string | null;
	license_url: string | null;
	cover_image_url: string | null;
	weights_url: string | null;
	readme: string | null;
	hardware: string;
	run_count: number;
	created_at: string;
	is_official: boolean;
	tags: string[];
	/** Present for built-in models (official ones run without versions). */
	def?: ModelDef;
	/** Newest first. */
	versions: VersionRecord[];
}

export interface FileRecord {
	id: string;
	name: string;
	content_type: string;
	size: number;
	etag: string;
	checksums: { sha256: string; md5: string };
	metadata: JsonObject;
	created_at: string;
	expires_at: string;
	data: Buffer;
}

export interface DeploymentRecord {
	owner: string;
	name: string;
	releases: Array<{
		number: number;
		model: string;
		version: string;
		created_at: string;
		configuration: { hardware: string; min_instances: number; max_instances: number };
	}>;
}

export interface WebhookDelivery {
	messageId: string;
	url: string;
	event: string;
	runId: string;
	attempt: number;
	status?: number;
	error?: string;
	at: number;
}

interface Delivery {
	contentType: string;
	body: FileBody;
	expiresAt: number;
}

export class Run {
	readonly events = new EventEmitter();
	readonly abort = new AbortController();
	readonly sse: Array<{ event: string; data: string; id: string }> = [];
	cancelStart?: () => void;
	cancelDeadline?: () => void;
	webhookChain: Promise<void> = Promise.resolve();
	lastIntermediate = 0;
	pendingIntermediate = false;
	startedMs?: number;
	createdMs = Date.now();

	constructor(
		readonly kind: 'prediction' | 'training',
		readonly obj: JsonObject,
		readonly def: ModelDef,
		readonly filter: string[],
	) {
		this.events.setMaxListeners(0);
	}

	get status() {
		return this.obj.status as string;
	}

	get terminal() {
		return TERMINAL.has(this.status);
	}

	view(): JsonObject {
		return JSON.parse(JSON.stringify(this.obj)) as JsonObject;
	}

	/** Resolves when the run is terminal or `realMs` passed, whichever is first. */
	waitTerminal(realMs: number): Promise<void> {
		if (this.terminal) return Promise.resolve();
		return new Promise((resolve) => {
			const t = setTimeout(done, realMs);
			function done() {
				clearTimeout(t);
				resolve();
			}
			this.events.once('done', done);
		});
	}
}

export class Store {
	readonly models = new Map<string, ModelRecord>();
	readonly predictions = new Map<string, Run>();
	readonly trainings = new Map<string, Run>();
	readonly files = new Map<string, FileRecord>();
	readonly deliveries = new Map<string, Delivery>();
	readonly deployments = new Map<string, DeploymentRecord>();
	readonly webhookDeliveries: WebhookDelivery[] = [];
	readonly account = {
		type: 'user' as const,
		username: 'emulator',
		name: 'Replicate Emulator',
		github_url: 'https://github.com/emulator',
		avatar_url: 'https://avatars.githubusercontent.com/u/1',
	};
	readonly hardware = [
		{ sku: 'cpu', name: 'CPU' },
		{ sku: 'gpu-t4', name: 'Nvidia T4 GPU' },
		{ sku: 'gpu-a40-small', name: 'Nvidia A40 GPU' },
		{ sku: 'gpu-a40-large', name: 'Nvidia A40 (Large) GPU' },
		{ sku: 'gpu-l40s', name: 'Nvidia L40S GPU' },
		{ sku: 'gpu-h100', name: 'Nvidia H100 GPU' },
	];
	readonly collections: Array<{
		name: string;
		slug: string;
		description: string;
		full_description: string | null;
		models: string[];
	}> = [
		{
			name: 'Text to image',
			slug: 'text-to-image',
			description: 'Models that generate images from text prompts',
			full_description: '# Text to image\n\nImage generators.',
			models: ['emulator/flux-lite', 'emulator/sdxl-lite'],
		},
		{
			name: 'Language models',
			slug: 'language-models',
			description: 'Models that generate text',
			full_description: null,
			models: [
				'emulator/llm-stream',
				'emulator/chat-messages',
				'emulator/llama-chat',
				'emulator/chat-fails',
			],
		},
		{
			name: 'Testing utilities',
			slug: 'testing-utilities',
			description: 'Models for exercising clients',
			full_description: null,
			models: [
				'emulator/sleep',
				'emulator/always-fails',
				'emulator/big-file',
				'emulator/file-echo',
			],
		},
	];
	private shuttingDown = false;

	constructor(private readonly emu: Emulator) {
		const base = Date.parse('2025-01-01T00:00:00Z');
		CATALOG.forEach((def, i) => {
			const created = base + i * 86_400_000;
			const versions: VersionRecord[] = [];
			for (let v = def.versions; v >= 1; v--) {
				versions.push(
					this.makeVersion(def, `${def.owner}/${def.name}:${v}`, created + v * 3_600_000),
				);
			}
			this.models.set(`${def.owner}/${def.name}`, {
				owner: def.owner,
				name: def.name,
				description: def.description,
				visibility: 'public',
				github_url: `https://github.com/emulator/${def.name}`,
				paper_url: null,
				license_url: 'https://opensource.org/licenses/MIT',
				cover_image_url: null,
				weights_url: null,
				readme: def.readme,
				hardware: def.hardware,
				run_count: 1000 - i * 10,
				created_at: iso(created),
				is_official: !!def.official,
				tags: def.tags,
				def,
				versions,
			});
		});
		const image = this.models.get('emulator/sdxl-lite') as ModelRecord;
		this.deployments.set('emulator/image-prod', {
			owner: 'emulator',
			name: 'image-prod',
			releases: [
				{
					number: 1,
					model: 'emulator/sdxl-lite',
					version: image.versions[0].id,
					created_at: iso(base),
					configuration: { hardware: 'gpu-a40-large', min_instances: 0, max_instances: 2 },
				},
			],
		});
	}

	makeVersion(def: ModelDef, seed: string, createdMs: number): VersionRecord {
		return {
			id: sha256Hex(seed),
			created_at: iso(createdMs),
			cog_version: COG_VERSION,
			openapi_schema: def.openapi,
			def,
		};
	}

	shutdown() {
		this.shuttingDown = true;
		for (const run of [...this.predictions.values(), ...this.trainings.values()])
			run.abort.abort(new Error('shutdown'));
	}

	// ---- views --------------------------------------------------------------------------------

	modelView(m: ModelRecord): JsonObject {
		return {
			url: `https://replicate.com/${m.owner}/${m.name}`,
			owner: m.owner,
			name: m.name,
			description: m.description,
			visibility: m.visibility,
			github_url: m.github_url,
			paper_url: m.paper_url,
			license_url: m.license_url,
			cover_image_url: m.cover_image_url,
			run_count: m.run_count,
			is_official: m.is_official,
			default_example: this.examples(m)[0] ?? null,
			latest_version: m.versions[0] ? this.versionView(m.versions[0]) : null,
		};
	}

	versionView(v: VersionRecord): JsonObject {
		return {
			id: v.id,
			created_at: v.created_at,
			cog_version: v.cog_version,
			openapi_schema: v.openapi_schema,
		};
	}

	fileView(f: FileRecord): JsonObject {
		const { data: _data, ...rest } = f;
		return { ...rest, urls: { get: `${this.emu.baseUrl}/files/${f.id}` } };
	}

	deploymentView(d: DeploymentRecord): JsonObject {
		const r = d.releases[d.releases.length - 1];
		return {
			owner: d.owner,
			name: d.name,
			current_release: {
				number: r.number,
				model: r.model,
				version: r.version,
				created_at: r.created_at,
				created_by: {
					type: this.account.type,
					username: this.account.username,
					name: this.account.name,
					avatar_url: this.account.avatar_url,
					github_url: this.account.github_url,
				},
				configuration: r.configuration,
			},
		};
	}

	/** Built-in models have one example prediction; its URLs are on the running emulator's origin. */
	examples(m: ModelRecord): JsonObject[] {
		return m.def && m.owner === 'emulator' && m.run_count > 0 && this.emu.apiOrigin
			? [this.exampleFor(m)]
			: [];
	}

	private exampleFor(m: ModelRecord): JsonObject {
		const id = sha256Hex(`example:${m.owner}/${m.name}`)
			.slice(0, 26)
			.replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]);
		return {
			id,
			model: `${m.owner}/${m.name}`,
			version: m.versions[0]?.id ?? 'hidden',
			input: m.def?.exampleInput ?? {},
			output: null,
			logs: '',
			error: null,
			status: 'succeeded',
			source: 'web',
			data_removed: false,
			created_at: m.created_at,
			started_at: m.created_at,
			completed_at: m.created_at,
			metrics: { predict_time: 1.5, total_time: 1.6 },
			urls: {
				get: `${this.emu.baseUrl}/predictions/${id}`,
				cancel: `${this.emu.baseUrl}/predictions/${id}/cancel`,
				web: `${this.emu.cdnOrigin}/p/${id}`,
			},
		};
	}

	allPredictionsForControl() {
		return [...this.predictions.values(), ...this.trainings.values()].map((r) => ({
			kind: r.kind,
			id: r.obj.id,
			status: r.status,
			model: r.obj.model,
			created_at: r.obj.created_at,
		}));
	}

	// ---- files on the delivery host -----------------------------------------------------------

	publish(runId: string, name: string, contentType: string, body: FileBody): string {
		const path = `/d/${runId}/${encodeURIComponent(name)}`;
		this.deliveries.set(path, {
			contentType,
			body,
			expiresAt: Date.now() + this.emu.options.outputTtlMs / this.emu.options.speed,
		});
		return this.emu.cdnOrigin + path;
	}

	openDelivery(path: string): { contentType: string; size: number; stream: Readable } | undefined {
		const d = this.deliveries.get(path);
		if (!d || d.expiresAt < Date.now()) return undefined;
		if (Buffer.isBuffer(d.body))
			return { contentType: d.contentType, size: d.body.length, stream: Readable.from([d.body]) };
		return {
			contentType: d.contentType,
			size: d.body.size,
			stream: generatedStream(d.body.size, d.body.seed),
		};
	}

	async fetchInput(url: string): Promise<{ data: Buffer; contentType: string }> {
		const dataUri = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(url);
		if (dataUri) {
			const data = dataUri[2]
				? Buffer.from(dataUri[3], 'base64')
				: Buffer.from(decodeURIComponent(dataUri[3]));
			return { data, contentType: dataUri[1] || 'text/plain' };
		}
		const filePrefix = `${this.emu.baseUrl}/files/`;
		if (url.startsWith(filePrefix)) {
			const f = this.files.get(url.slice(filePrefix.length).split(/[/?]/)[0]);
			if (!f) throw new ModelError(`File not found: ${url}`);
			return { data: f.data, contentType: f.content_type };
		}
		const res = await fetch(url);
		if (!res.ok) throw new ModelError(`Could not download input ${url}: HTTP ${res.status}`);
		return {
			data: Buffer.from(await res.arrayBuffer()),
			contentType: res.headers.get('content-type') ?? 'application/octet-stream',
		};
	}

	// ---- predictions and trainings ------------------------------------------------------------

	createRun(opts: {
		kind: 'prediction' | 'training';
		def: ModelDef;
		model: string;
		version: string;
		input: JsonObject;
		webhook?: string;
		filter?: string[];
		deployment?: string;
		cancelAfterSec?: number;
		destination?: string;
	}): Run {
		const id = newId();
		const now = Date.now();
		const collection = opts.kind === 'prediction' ? 'predictions' : 'trainings';
		const obj: JsonObject = {
			id,
			model: opts.model,
			version: opts.version,
			input: opts.input,
			logs: '',
			output: null,
			data_removed: false,
			error: null,
			status: 'starting',
			source: 'api',
			created_at: iso(now),
			urls: {
				get: `${this.emu.baseUrl}/${collection}/${id}`,
				cancel: `${this.emu.baseUrl}/${collection}/${id}/cancel`,
				web: `${this.emu.cdnOrigin}/p/${id}`,
				...(opts.def.streaming && opts.kind === 'prediction'
					? { stream: `${this.emu.cdnOrigin}/stream/${id}` }
					: {}),
			},
		};
		if (opts.kind === 'training') delete obj.output;
		if (opts.deployment) obj.deployment = opts.deployment;
		if (opts.webhook) {
			obj.webhook = opts.webhook;
			if (opts.filter) obj.webhook_events_filter = opts.filter;
		}
		if (opts.cancelAfterSec !== undefined)
			obj.deadline = iso(now + (opts.cancelAfterSec * 1000) / this.emu.options.speed);
		const run = new Run(
			opts.kind,
			obj,
			opts.def,
			opts.webhook ? (opts.filter ?? [...WEBHOOK_EVENTS]) : [],
		);
		(opts.kind === 'prediction' ? this.predictions : this.trainings).set(id, run);
		const model = this.models.get(opts.model);
		if (model) model.run_count++;

		this.webhook(run, 'start');
		run.cancelStart = this.emu.later(
			this.emu.options.startupMs,
			() => void this.execute(run, opts.destination),
		);
		if (opts.cancelAfterSec !== undefined) {
			run.cancelDeadline = this.emu.later(opts.cancelAfterSec * 1000, () =>
				this.stop(run, run.status === 'starting' ? 'aborted' : 'canceled'),
			);
		}
		return run;
	}

	private async execute(run: Run, destination?: string) {
		if (run.terminal) return;
		run.obj.status = 'processing';
		run.obj.started_at = iso(Date.now());
		run.startedMs = Date.now();
		run.events.emit('update');
		const ctx: RunContext = {
			input: withDefaults(run.def.openapi, run.obj.input as JsonObject),
			sleep: (ms) => this.emu.sleep(ms, run.abort.signal),
			log: (line) => this.appendLog(run, line),
			appendOutput: (item) => {
				const out = Array.isArray(run.obj.output) ? (run.obj.output as unknown[]) : [];
				out.push(item);
				run.obj.output = out;
				this.sse(run, 'output', String(item));
				this.webhook(run, 'output');
			},
			file: (name, type, body) => this.publish(run.obj.id as string, name, type, body),
			fetchInput: (url) => this.fetchInput(url),
		};
		try {
			const output = await run.def.run(ctx);
			if (run.terminal) return;
			if (run.kind === 'training') {
				run.obj.output = this.finishTraining(run, destination);
			} else {
				run.obj.output = output as JsonObject;
			}
			this.complete(run, 'succeeded');
		} catch (e) {
			if (run.terminal || run.abort.signal.aborted) return;
			if (e instanceof RunCanceled) return this.stop(run, 'canceled');
			run.obj.error =
				e instanceof ModelError ? e.message : `Internal error: ${(e as Error).message}`;
			this.complete(run, 'failed');
		}
	}

	/**
	 * A successful training pushes a new version to the destination: the model the trainer produces
	 * (its own input schema), named after the training. Output as documented: `{version, weights}`,
	 * `version` being "owner/name:id" of the new version (as real trainings report it).
	 */
	private finishTraining(run: Run, destination?: string): JsonObject {
		const dest = this.models.get(destination ?? '');
		const trained = (run.def as ModelDef & { trained?: ModelDef }).trained ?? run.def;
		const version = this.makeVersion(trained, `training:${run.obj.id}`, Date.now());
		if (dest) dest.versions.unshift(version);
		return {
			version: `${destination}:${version.id}`,
			weights: this.publish(
				run.obj.id as string,
				'trained_model.tar',
				'application/x-tar',
				Buffer.from(`weights of training ${String(run.obj.id)}\n`),
			),
		};
	}

	private appendLog(run: Run, line: string) {
		run.obj.logs = `${run.obj.logs ?? ''}${line}\n`;
		this.sse(run, 'logs', line);
		this.webhook(run, 'logs');
	}

	private sse(run: Run, event: string, data: string) {
		const e = { event, data, id: `${Math.floor(Date.now() / 1000)}:${run.sse.length}` };
		run.sse.push(e);
		run.events.emit('sse', e);
	}

	/** Cancel (user or deadline). Idempotent on terminal runs. */
	stop(run: Run, status: 'canceled' | 'aborted') {
		if (run.terminal) return;
		run.cancelStart?.();
		run.abort.abort(new Error(status));
		this.complete(run, status);
	}

	private complete(run: Run, status: string) {
		const now = Date.now();
		run.cancelDeadline?.();
		run.obj.status = status;
		run.obj.started_at ??= iso(now);
		run.obj.completed_at = iso(now);
		const started = run.startedMs ?? now;
		run.obj.metrics = {
			predict_time: ((now - started) * this.emu.options.speed) / 1000,
			total_time: ((now - run.createdMs) * this.emu.options.speed) / 1000,
			...(run.def.metrics && status === 'succeeded'
				? run.def.metrics(run.obj.input as JsonObject, run.obj.output)
				: {}),
		};
		if (status === 'failed') this.sse(run, 'error', JSON.stringify({ detail: run.obj.error }));
		this.sse(
			run,
			'done',
			status === 'succeeded'
				? '{}'
				: JSON.stringify({ reason: status === 'failed' ? 'error' : 'canceled' }),
		);
		run.events.emit('update');
		run.events.emit('done');
		this.webhook(run, 'completed');
		this.emu.later(this.emu.options.retentionMs, () => {
			run.obj.data_removed = true;
			run.obj.input = {};
			if (run.kind === 'prediction') run.obj.output = null;
			run.obj.logs = '';
		});
	}

	// ---- webhooks -----------------------------------------------------------------------------

	private webhook(run: Run, event: (typeof WEBHOOK_EVENTS)[number]) {
		const url = run.obj.webhook as string | undefined;
		if (!url || !run.filter.includes(event) || this.shuttingDown) return;
		if (event === 'output' || event === 'logs') {
			// Intermediate events: at most one every 500 ms (model time), the latest state wins.
			if (run.pendingIntermediate) return;
			const wait = Math.max(0, run.lastIntermediate + 500 / this.emu.options.speed - Date.now());
			run.pendingIntermediate = true;
			const send = () => {
				run.pendingIntermediate = false;
				if (run.terminal) return; // the terminal delivery carries the final state
				run.lastIntermediate = Date.now();
				this.enqueue(run, url, event, false);
			};
			if (wait === 0) send();
			else this.emu.later(wait * this.emu.options.speed, send);
			return;
		}
		this.enqueue(run, url, event, event === 'completed');
	}

	/** A delivery body: the prediction as GET returns it, without the webhook fields unless echoing. */
	deliveryBody(run: Run): string {
		const view = run.view();
		if (!this.emu.options.webhookEchoFields) {
			delete view.webhook;
			delete view.webhook_events_filter;
		}
		return JSON.stringify(view);
	}

	private enqueue(run: Run, url: string, event: string, terminal: boolean) {
		const body = this.deliveryBody(run);
		const messageId = `msg_${newId()}`;
		run.webhookChain = run.webhookChain.then(() =>
			this.deliver(run, url, event, body, messageId, terminal, 1),
		);
	}

	private async deliver(
		run: Run,
		url: string,
		event: string,
		body: string,
		messageId: string,
		terminal: boolean,
		attempt: number,
	): Promise<void> {
		if (this.shuttingDown) return;
		const ts = Math.floor(Date.now() / 1000);
		const record: WebhookDelivery = {
			messageId,
			url,
			event,
			runId: run.obj.id as string,
			attempt,
			at: Date.now(),
		};
		this.webhookDeliveries.push(record);
		let ok = false;
		try {
			if (this.emu.options.webhookUnreachable)
				throw new Error('connect ECONNREFUSED (webhookUnreachable)');
			const res = await fetch(url, {
				method: 'POST',
				redirect: 'manual',
				headers: {
					'content-type': 'application/json',
					'user-agent': 'Replicate-Webhooks/1.0 (emulator)',
					'webhook-id': messageId,
					'webhook-timestamp': String(ts),
					'webhook-signature': signWebhook(this.emu.options.webhookSecret, messageId, ts, body),
				},
				body,
				signal: AbortSignal.timeout(10_000),
			});
			record.status = res.status;
			await res.arrayBuffer().catch(() => undefined);
			ok = res.status >= 200 && res.status < 300;
		} catch (e) {
			record.error = (e as Error).message;
		}
		const delays = this.emu.options.webhookRetryDelaysMs;
		if (!ok && terminal && attempt <= delays.length) {
			this.emu.later(delays[attempt - 1], () => {
				run.webhookChain = run.webhookChain.then(() =>
					this.deliver(run, url, event, body, messageId, terminal, attempt + 1),
				);
			});
		}
	}
}

/** Deterministic bytes for generated files: a 64 KiB block derived from `seed`, repeated. */
export function generatedBlock(seed: number): Buffer {
	const block = Buffer.alloc(65536);
	let x = (seed * 2654435761) >>> 0 || 1;
	for (let i = 0; i < block.length; i++) {
		x ^= x << 13;
		x >>>= 0;
		x ^= x >>> 17;
		x ^= x << 5;
		x >>>= 0;
		block[i] = x & 0xff;
	}
	return block;
}

/** How much of a generated file is handed to the socket at a time. */
const SEND_BYTES = 1024 * 1024;

/**
 * A generated file as a stream: the 64 KiB block repeated, sent 1 MiB at a time (fewer writes:
 * the file server costs little CPU, so it does not compete with the client it serves).
 */
export function generatedStream(size: number, seed: number): Readable {
	const one = generatedBlock(seed);
	const block = Buffer.concat(Array.from({ length: SEND_BYTES / one.length }, () => one));
	let sent = 0;
	return new Readable({
		highWaterMark: SEND_BYTES,
		read() {
			if (sent >= size) return void this.push(null);
			const n = Math.min(block.length, size - sent);
			sent += n;
			this.push(n === block.length ? block : block.subarray(0, n));
		},
	});
}
