// The HTTP side of a download: where the credential goes, and the retry budget.
import { resetPacing } from '../../../nodes/common/transport/pacing';
import { openDownload } from '../../../nodes/common/transport/fileRequest';
import { fakeContext, type Answer } from '../../helpers/fakeTransport';

const API = 'https://api.replicate.com/v1';
beforeEach(() => resetPacing());

const open = (url: string, answers: Answer[]) => {
	const fake = fakeContext(answers);
	const opened = openDownload(fake.execute, {
		url,
		itemIndex: 0,
		signal: new AbortController().signal,
		deadline: Date.now() + 60_000,
		stallMs: 10_000,
	});
	return { opened, sent: fake.sent };
};

test('a file on the API origin is fetched with the credential', async () => {
	const { opened, sent } = open(`${API}/files/f1/download`, [{ status: 200, body: 'x' }]);
	await opened;
	expect(sent.map((s) => s.withCredential)).toEqual([true]);
});

test('a file host redirecting to the API origin does not get the token sent there', async () => {
	const { opened, sent } = open('https://files.example/out.png', [
		{ status: 302, headers: { location: `${API}/account` } },
		{ status: 200, body: 'x' },
	]);
	await opened;
	expect(sent.map((s) => [s.url, s.withCredential])).toEqual([
		['https://files.example/out.png', false],
		[`${API}/account`, false],
	]);
});

test('a file URL the policy refuses is not fetched at all', async () => {
	const { opened, sent } = open('http://10.0.0.5/out.png', [{ status: 200, body: 'x' }]);
	await expect(opened).rejects.toThrow('Refusing to fetch http://10.0.0.5/out.png');
	expect(sent).toEqual([]);
});

test('a 5xx is retried; the answer after it is returned', async () => {
	const { opened, sent } = open('https://files.example/a', [
		{ status: 503 },
		{ status: 200, body: 'x' },
	]);
	expect((await opened).statusCode).toBe(200);
	expect(sent).toHaveLength(2);
});

test('after four retries the last answer is returned as it is', async () => {
	const { opened, sent } = open('https://files.example/a', Array(5).fill({ status: 500 }));
	expect((await opened).statusCode).toBe(500);
	expect(sent).toHaveLength(5);
});
