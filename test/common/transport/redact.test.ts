// Secrets out of anything that may reach an error: the token, the extra header's value, any Bearer
// value and anything like a Replicate token.
import { redactDeep, redactText } from '../../../nodes/common/transport/redact';

const TOKEN = 'r8_unitTestToken0123456789abcdef';
const GATEWAY = 'cfGatewaySecret-987654321';

test("the extra header's value is redacted like the token", () => {
	expect(redactText(`sent ${GATEWAY} and ${TOKEN}`, [TOKEN, GATEWAY])).toBe(
		'sent [redacted] and [redacted]',
	);
});

test('a Bearer value is redacted even when it is not a known secret', () => {
	expect(redactText('cf-aig-authorization: Bearer abc.def')).toBe(
		'cf-aig-authorization: Bearer [redacted]',
	);
});

test('a body echoing request headers loses their values, at any depth', () => {
	const body = { echo: { headers: { 'cf-aig-authorization': 'whatever', note: `k=${GATEWAY}` } } };
	expect(redactDeep(body, [TOKEN, GATEWAY])).toEqual({
		echo: { headers: { 'cf-aig-authorization': '[redacted]', note: 'k=[redacted]' } },
	});
});

test('secrets shorter than 4 characters are not searched for (they would mangle any text)', () => {
	expect(redactText('a b c', ['a'])).toBe('a b c');
});
