// Files API: multipart upload in every variant the official clients send (replicate-api.md §6.7),
// checksums, expiry, the 100 MB limit, signed downloads.
import { createHmac, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

import { json, parseMultipart, problem, readBody, type Router } from '../http';
import type { Emulator } from '../server';
import type { FileRecord } from '../store';
import { iso, md5Hex, newId, sha256Hex } from '../util';
import { page } from './common';

export const MAX_FILE_BYTES = 100 * 1024 * 1024;
const TOO_LARGE = () => problem(413, 'Files must be less than 100MB in size');

export function register(r: Router, emu: Emulator) {
	const s = emu.store;
	const signingKey = randomBytes(32);
	const sign = (owner: string, id: string, expiry: string) =>
		createHmac('sha256', signingKey).update(`${owner} ${id} ${expiry}`).digest('base64');

	r.add('POST', '/v1/files', 'files.create', async (req) => {
		const type = req.headers['content-type'] ?? '';
		if (!/^multipart\/form-data/i.test(type))
			return problem(415, 'Request must be multipart/form-data', 'Unsupported media type');
		const declared = Number(req.headers['content-length'] ?? 0);
		if (declared > MAX_FILE_BYTES + 1024 * 1024) return TOO_LARGE();
		let body: Buffer;
		try {
			body = await readBody(req.raw, MAX_FILE_BYTES + 1024 * 1024);
		} catch (e) {
			if ((e as { code?: string }).code === 'TOO_LARGE') return TOO_LARGE();
			throw e;
		}
		let parts;
		try {
			parts = parseMultipart(body, type);
		} catch (e) {
			return problem(400, `Malformed multipart body: ${(e as Error).message}`, 'Bad request');
		}
		const content = parts.find((p) => p.name === 'content');
		if (!content) return problem(422, '- content: content is required', 'Input validation failed');
		if (content.data.length > MAX_FILE_BYTES) return TOO_LARGE();
		const field = (n: string) => parts.find((p) => p.name === n)?.data.toString('utf8');
		let metadata: Record<string, unknown> = {};
		const rawMeta = field('metadata');
		if (rawMeta) {
			try {
				metadata = JSON.parse(rawMeta);
			} catch {
				return problem(422, '- metadata: must be a JSON object', 'Input validation failed');
			}
			if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata))
				return problem(422, '- metadata: must be a JSON object', 'Input validation failed');
		}
		const name = (field('filename') ?? content.filename ?? 'file').slice(0, 255);
		const contentType = field('type') ?? content.contentType ?? 'application/octet-stream';
		const now = Date.now();
		const md5 = md5Hex(content.data);
		const rec: FileRecord = {
			id: newId(),
			name,
			content_type: contentType,
			size: content.data.length,
			etag: md5,
			checksums: { sha256: sha256Hex(content.data), md5 },
			metadata,
			created_at: iso(now),
			expires_at: iso(now + 24 * 3_600_000),
			data: Buffer.from(content.data),
		};
		s.files.set(rec.id, rec);
		emu.later(24 * 3_600_000, () => s.files.delete(rec.id));
		return json(201, s.fileView(rec), { 'content-type': 'application/json; charset=UTF-8' });
	});

	r.add('GET', '/v1/files', 'files.list', (req) => {
		const list = [...s.files.values()].sort((a, b) => b.created_at.localeCompare(a.created_at));
		return json(
			200,
			page(
				emu,
				req,
				list.map((f) => s.fileView(f)),
				'files',
			),
		);
	});

	r.add('GET', '/v1/files/:id', 'files.get', (req) => {
		const f = s.files.get(req.params.id);
		return f ? json(200, s.fileView(f)) : problem(404, 'File not found');
	});

	r.add('DELETE', '/v1/files/:id', 'files.delete', (req) => {
		if (!s.files.delete(req.params.id)) return problem(404, 'File not found');
		return { status: 204, headers: { 'content-type': 'text/plain; charset=UTF-8' } };
	});

	// Download: the OpenAPI document requires owner, expiry (Unix time) and signature (base64 HMAC-SHA256
	// of "owner id expiry" with the Files API signing secret, which Replicate keeps to itself). Replicate
	// hands out such URLs only inside its own prediction inputs; no documented operation returns one. The
	// emulator accepts only a valid signature and asks for no token (the documented curl example sends none).
	r.add(
		'GET',
		'/v1/files/:id/download',
		'files.download',
		(req) => {
			const { owner, expiry, signature } = req.query;
			const missing = (['owner', 'expiry', 'signature'] as const).filter((k) => !req.query[k]);
			if (missing.length) {
				return problem(
					422,
					missing.map((k) => `- ${k}: ${k} is required`).join('\n'),
					'Input validation failed',
				);
			}
			const f = s.files.get(req.params.id);
			const valid =
				f !== undefined &&
				owner === s.account.username &&
				Number(expiry) * 1000 > Date.now() &&
				signature === sign(owner, f.id, expiry);
			if (!f || !valid) return problem(404, 'File not found');
			return {
				status: 200,
				headers: {
					'content-type': 'application/octet-stream',
					'content-length': f.size,
					'content-disposition': `attachment; filename="${f.name.replace(/"/g, '')}"`,
				},
				stream: Readable.from([f.data]),
			};
		},
		{ auth: false },
	);

	/** A signed download URL, as Replicate puts into prediction inputs (for tests of the signed route). */
	emu.signedFileUrl = (id: string, ttlSec = 3600) => {
		const expiry = String(Math.floor(Date.now() / 1000) + ttlSec);
		const owner = s.account.username;
		const q = new URLSearchParams({ owner, expiry, signature: sign(owner, id, expiry) });
		return `${emu.apiOrigin}/v1/files/${id}/download?${q.toString()}`;
	};
}
