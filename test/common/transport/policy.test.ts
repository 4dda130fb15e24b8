// The one outbound-URL policy: which URLs from outside (output files, stream URLs, redirect hops)
// the node may fetch, for a public Base URL and for a local one.
import { isLocalHost, outboundUrlProblem } from '../../../nodes/common/transport/policy';

const API = 'https://api.replicate.com/v1';

test('an https URL on a public host may be fetched', () => {
	expect(outboundUrlProblem('https://replicate.delivery/xezq/out.png', API)).toBeUndefined();
});

test('plain http to a public host is refused', () => {
	expect(outboundUrlProblem('http://replicate.delivery/out.png', API)).toBe('it is not https');
});

test.each([
	'https://127.0.0.1/x',
	'https://169.254.169.254/latest/meta-data',
	'https://10.0.0.8/x',
	'https://192.168.1.1/x',
	'https://100.64.0.1/x',
	'https://[::1]/x',
	'https://[::ffff:127.0.0.1]/x',
	'https://localhost/x',
])('%s (loopback, link-local or private) is refused for a public Base URL', (url) => {
	expect(outboundUrlProblem(url, API)).toBe(
		'it points to a loopback, link-local or private address',
	);
});

test('a scheme other than http(s) is refused', () => {
	expect(outboundUrlProblem('file:///etc/passwd', API)).toBe('its scheme file: is not fetched');
});

test('a URL with a user name or password is refused', () => {
	expect(outboundUrlProblem('https://user:pw@files.example/x', API)).toBe(
		'it carries a user name or password',
	);
});

test("the Base URL's own host is trusted, in either scheme", () => {
	expect(outboundUrlProblem('http://api.replicate.com/v1/files/x', API)).toBeUndefined();
});

test('a Base URL on a local address trusts the local network it lives in', () => {
	expect(
		outboundUrlProblem('http://127.0.0.2:9000/cdn/x', 'http://127.0.0.1:8080/v1'),
	).toBeUndefined();
});

test('isLocalHost knows names and literal addresses, not public names', () => {
	expect([
		isLocalHost('app.localhost'),
		isLocalHost('[fd00::1]'),
		isLocalHost('example.com'),
	]).toEqual([true, true, false]);
});
