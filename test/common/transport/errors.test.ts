// The errors the transport raises: Replicate's problem answers in one sentence each, no secret in any.
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { apiError, asNodeError, networkError } from '../../../nodes/common/transport/errors';
import { NODE, TOKEN } from '../../helpers/fakeTransport';

const ctx = { getNode: () => NODE };

test('a problem answer becomes title and detail, the detail only when it says more', () => {
	const e = apiError(ctx, 422, { title: 'Invalid input', detail: 'prompt is required' });
	expect([e.message, e.description, e.httpCode]).toEqual([
		'Replicate: Invalid input',
		'prompt is required',
		'422',
	]);
});

test('a 404 without a body says Not found', () => {
	expect(apiError(ctx, 404, '').message).toBe('Replicate: Not found');
});

test('every secret is redacted from an n8n error passed through', () => {
	const e = asNodeError(
		ctx,
		new NodeOperationError(NODE, `failed with ${TOKEN} and gw-secret-1`),
		0,
		[TOKEN, 'gw-secret-1'],
	);
	expect(e.message).toBe('failed with [redacted] and [redacted]');
});

test('any other error becomes a NodeOperationError with its message only', () => {
	const e = asNodeError(ctx, Object.assign(new Error('boom'), { config: { headers: {} } }), 3);
	expect(e).toBeInstanceOf(NodeOperationError);
	expect([
		e.message,
		(e as NodeOperationError & { context: { itemIndex?: number } }).context.itemIndex,
	]).toEqual(['boom', 3]);
});

test('a network error names the request by its path, without host or query', () => {
	const e = networkError(
		ctx,
		Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
		{ method: 'GET', path: 'https://gw.example/replicate/predictions?cursor=abc' },
		undefined,
	);
	expect([e.message, e.description]).toEqual([
		'Could not reach Replicate (GET /replicate/predictions)',
		'ECONNRESET: socket hang up.',
	]);
});

test('NodeApiError stays a NodeApiError', () => {
	expect(asNodeError(ctx, apiError(ctx, 500, {}))).toBeInstanceOf(NodeApiError);
});
