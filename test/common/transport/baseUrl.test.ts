// The credential's Base URL: checked before any request, at any path (gateways, root-mounted
// proxies), URLs from answers moved onto it, and a 404 it may cause named.
import { baseUrlNote, baseUrlProblem, rebase } from '../../../nodes/common/transport/baseUrl';

const CLOUDFLARE = 'https://gateway.ai.cloudflare.com/v1/acct123/gw1/replicate';

describe('baseUrlProblem', () => {
	test('a gateway path without /v1 is a valid Base URL', () => {
		expect(baseUrlProblem(CLOUDFLARE)).toBeUndefined();
	});

	test('a root URL is a valid Base URL', () => {
		expect(baseUrlProblem('https://proxy.example')).toBeUndefined();
	});

	test('a query is refused and said to be one', () => {
		expect(baseUrlProblem('https://api.replicate.com/v1?x=1')).toMatch(/has a query/);
	});

	test('a URL without a scheme is refused', () => {
		expect(baseUrlProblem('api.replicate.com/v1')).toMatch(/not a URL/);
	});
});

describe('rebase: a URL from an answer, onto the Base URL', () => {
	test("Replicate's /v1 becomes a gateway's path (Cloudflare AI Gateway)", () => {
		expect(rebase('https://api.replicate.com/v1/predictions?cursor=abc', CLOUDFLARE)).toBe(
			`${CLOUDFLARE}/predictions?cursor=abc`,
		);
	});

	test("Replicate's /v1 is dropped for a proxy mounted at its root", () => {
		expect(
			rebase('https://api.replicate.com/v1/predictions?cursor=abc', 'https://proxy.example'),
		).toBe('https://proxy.example/predictions?cursor=abc');
	});

	test("a path already under the Base URL's path keeps it", () => {
		expect(
			rebase(
				'https://elsewhere.example/replicate/v1/models?cursor=2',
				'https://gw.example/replicate/v1',
			),
		).toBe('https://gw.example/replicate/v1/models?cursor=2');
	});

	test("a URL on the Base URL's origin is used as it is", () => {
		expect(rebase('https://proxy.example/v1/predictions?c=1', 'https://proxy.example')).toBe(
			'https://proxy.example/v1/predictions?c=1',
		);
	});

	test('another host never keeps its origin', () => {
		expect(rebase('https://evil.example/steal?x=1', CLOUDFLARE)).toBe(
			'https://gateway.ai.cloudflare.com/steal?x=1',
		);
	});
});

describe('baseUrlNote: a 404 the Base URL may cause', () => {
	test("Replicate's web address (no API path) is named, whatever the body", () => {
		expect(baseUrlNote('https://replicate.com', { detail: 'Not found' })).toContain(
			"Base URL (https://replicate.com), which may not lead to Replicate's API",
		);
	});

	test('api.replicate.com without /v1 is named', () => {
		expect(baseUrlNote('https://api.replicate.com', { detail: 'Not found' })).toContain(
			'(https://api.replicate.com)',
		);
	});

	test('a 404 that is not a Replicate problem answer names the Base URL', () => {
		expect(baseUrlNote(CLOUDFLARE, '<html>Route not resolved</html>')).toContain(`(${CLOUDFLARE})`);
	});

	test("Replicate's own 404 problem on its API says nothing about the Base URL", () => {
		expect(
			baseUrlNote('https://api.replicate.com/v1', { detail: 'Prediction not found' }),
		).toBeUndefined();
	});
});
