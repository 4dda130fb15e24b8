// A prediction's stream URL is handed back by the API: it is fetched under the outbound-URL policy
// on every hop and never with the credential.
import { openEventStream } from '../../../nodes/common/transport/eventStream';
import { fakeContext } from '../../helpers/fakeTransport';

const sse = {
	status: 200,
	headers: { 'content-type': 'text/event-stream' },
	body: 'event: done\n\n',
};

test('a stream URL on a private address is refused for a public Base URL: nothing is sent', async () => {
	const fake = fakeContext([sse]);
	await expect(openEventStream(fake.execute, 'https://169.254.169.254/stream/p1')).rejects.toThrow(
		'Refusing to fetch https://169.254.169.254/stream/p1: it points to a loopback, link-local or private address',
	);
	expect(fake.sent).toEqual([]);
});

test("a stream on the API's own origin is still opened without the credential", async () => {
	const fake = fakeContext([sse]);
	const stream = await openEventStream(fake.execute, 'https://api.replicate.com/v1/stream/p1');
	stream.close();
	expect(fake.sent.map((s) => [s.url, s.withCredential])).toEqual([
		['https://api.replicate.com/v1/stream/p1', false],
	]);
});

test('a stream redirected to plain http is refused at that hop', async () => {
	const fake = fakeContext([
		{ status: 307, headers: { location: 'http://stream.example/p1' } },
		sse,
	]);
	await expect(openEventStream(fake.execute, 'https://stream.replicate.com/v1/p1')).rejects.toThrow(
		'A redirect to http://stream.example/p1 was refused: it is not https',
	);
	expect(fake.sent).toHaveLength(1);
});

test('a stream URL that is not http(s) fails before anything is sent', async () => {
	const fake = fakeContext([sse]);
	await expect(openEventStream(fake.execute, 'ftp://stream.example/p1')).rejects.toThrow(
		'Replicate sent a stream URL that is not http(s)',
	);
	expect(fake.sent).toEqual([]);
});

test('a stream answering an error status fails with it', async () => {
	const fake = fakeContext([{ status: 502, body: 'bad gateway' }]);
	await expect(openEventStream(fake.execute, 'https://stream.replicate.com/v1/p1')).rejects.toThrow(
		"Replicate's stream answered with status 502",
	);
});
