// An API request: its URL on the Base URL (any path), Retry-After in both forms, and errors that
// name the Base URL when it may be the cause.
import { resetPacing } from '../../../nodes/common/transport/pacing';
import { apiRequest, retryAfterMs } from '../../../nodes/common/transport/request';
import { fakeContext, type Answer } from '../../helpers/fakeTransport';

const CLOUDFLARE = 'https://gateway.ai.cloudflare.com/v1/acct123/gw1/replicate';

beforeEach(() => resetPacing());

describe('retryAfterMs', () => {
	const now = Date.parse('2026-12-06T12:00:00Z');

	test('Retry-After in seconds', () => {
		expect(retryAfterMs({ 'retry-after': '7' }, undefined, now)).toBe(7000);
	});

	test('Retry-After as an HTTP date: the time until then', () => {
		expect(retryAfterMs({ 'retry-after': 'Sun, 06 Dec 2026 12:00:30 GMT' }, undefined, now)).toBe(
			30_000,
		);
	});

	test('Retry-After as an HTTP date that has passed: no wait', () => {
		expect(retryAfterMs({ 'retry-after': 'Sun, 06 Dec 2026 11:59:00 GMT' }, undefined, now)).toBe(
			0,
		);
	});

	test("the body's retry_after when there is no header", () => {
		expect(retryAfterMs({}, { retry_after: 3 }, now)).toBe(3000);
	});

	test('one second when nothing says', () => {
		expect(retryAfterMs({ 'retry-after': 'soon' }, undefined, now)).toBe(1000);
	});
});

test('a path goes below a gateway Base URL of any path', async () => {
	const fake = fakeContext([{ status: 200, body: {} }], { baseUrl: CLOUDFLARE });
	await apiRequest(fake.execute, { method: 'GET', path: '/predictions', retry: 'read' });
	expect(fake.sent.map((s) => [s.url, s.withCredential])).toEqual([
		[`${CLOUDFLARE}/predictions`, true],
	]);
});

test('an HTTP-date Retry-After is honoured: one that passes the deadline fails at once', async () => {
	const inAMinute = new Date(Date.now() + 60_000).toUTCString();
	const answers: Answer[] = [
		{ status: 429, headers: { 'retry-after': inAMinute }, body: { detail: 'slow down' } },
		{ status: 200, body: {} },
	];
	const fake = fakeContext(answers);
	// Tests run the waits at 1/20: the minute is 3 s, past this 1 s deadline (read as "1 s" it was 50 ms).
	await expect(
		apiRequest(fake.execute, {
			method: 'GET',
			path: '/account',
			retry: 'read',
			deadline: Date.now() + 1000,
		}),
	).rejects.toThrow('The time allowed ran out during GET /account');
	expect(fake.sent).toHaveLength(1);
});

test('a 404 from a Base URL that does not look like the API names the Base URL', async () => {
	const fake = fakeContext([{ status: 404, body: '<html>Not Found</html>' }], {
		baseUrl: 'https://replicate.com',
	});
	const error = await apiRequest(fake.execute, {
		method: 'GET',
		path: '/account',
		retry: 'read',
	}).catch((e: Error & { description?: string }) => e);
	expect(error).toMatchObject({ message: 'Replicate: Not found' });
	expect((error as { description?: string }).description).toContain(
		"Nothing was found at the credential's Base URL (https://replicate.com)",
	);
});

test("Replicate's own 404 answer keeps its words, with nothing about the Base URL", async () => {
	const fake = fakeContext([
		{ status: 404, body: { detail: 'Prediction not found', status: 404 } },
	]);
	const error = (await apiRequest(fake.execute, {
		method: 'GET',
		path: '/predictions/p1',
		retry: 'read',
	}).catch((e: unknown) => e)) as Error & { description?: string };
	expect([error.message, error.description ?? '']).toEqual(['Replicate: Prediction not found', '']);
});

test('the extra header value echoed in an error is redacted', async () => {
	const secret = 'cfGatewaySecret-987654321';
	const fake = fakeContext(
		[{ status: 400, body: { title: 'Bad', detail: `header was ${secret}` } }],
		{
			extraHeaderName: 'cf-aig-authorization',
			extraHeaderSecret: secret,
		},
	);
	const error = (await apiRequest(fake.execute, {
		method: 'POST',
		path: '/predictions',
		retry: 'create',
	}).catch((e: unknown) => e)) as Error & { description?: string };
	expect(error.description).toBe('header was [redacted]');
});
