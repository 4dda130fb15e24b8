// npm run docs:screenshots: the editor pictures in docs/images/, taken the way `npm run dev -- --n8n
// newest` shows the package (n8n 2.41.1, dist/ linked, the examples imported, the emulator behind a
// "Replicate" credential), with Debian's Chromium driven by playwright-core. Besides the pictures it
// checks what a new user needs to see: every example opens, and the chat example answers a message in
// the editor's chat (the Replicate Chat Model usable). Ports: $E2E_PORT_BASE + 17 and + 19.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { chromium, selectors, type Page } from 'playwright-core';

import { startEmulator } from '../test/emulator';
import { devHost, ensureN8n, N8N_NEWEST, PACKAGE_ROOT, portBase, start, workDir } from './n8n-host';

const OUT = join(PACKAGE_ROOT, 'docs', 'images');
const OWNER = {
	email: 'docs@example.com',
	firstName: 'Docs',
	lastName: 'Writer',
	password: 'Docs-Passw0rd!',
};
const say = (s: string) => process.stdout.write(`${s}\n`);

async function picture(page: Page, name: string) {
	await page.waitForTimeout(800); // the canvas settles (fit view, edges)
	await page.screenshot({ path: join(OUT, `${name}.png`) });
	say(`wrote docs/images/${name}.png`);
}

async function main() {
	execFileSync('npm', ['run', '--silent', 'build'], { cwd: PACKAGE_ROOT, stdio: 'inherit' });
	ensureN8n(N8N_NEWEST);
	mkdirSync(OUT, { recursive: true });
	const emu = await startEmulator({ rateLimits: false, speed: 5 });
	const work = workDir('screenshots');
	const { host, examples: imported } = await devHost(
		work,
		{ target: N8N_NEWEST, port: portBase() + 17, brokerPort: portBase() + 19 },
		{ apiToken: emu.token, baseUrl: emu.baseUrl, webhookSecret: emu.options.webhookSecret },
	);
	const examples = imported.map(({ file, workflow }) => ({ file, wf: workflow }));
	const n8n = await start(host, join(work, 'n8n.log'));
	const base = `http://127.0.0.1:${host.port}`;
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
	});
	let failed = false;
	try {
		selectors.setTestIdAttribute('data-test-id');
		const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
		page.setDefaultTimeout(60_000);
		page.on('dialog', (d) => void d.accept());
		await page.goto(`${base}/setup`, { waitUntil: 'domcontentloaded' });
		await page.locator('input[name="email"]').fill(OWNER.email);
		await page.locator('input[name="firstName"]').fill(OWNER.firstName);
		await page.locator('input[name="lastName"]').fill(OWNER.lastName);
		await page.locator('input[name="password"]').fill(OWNER.password);
		await page.getByTestId('form-submit-button').click();
		await page.waitForURL((u) => !u.pathname.startsWith('/setup'));

		for (const { file, wf } of examples) {
			await page.goto(`${base}/workflow/${wf.id}`, { waitUntil: 'domcontentloaded' });
			await page.getByTestId('canvas-node').first().waitFor();
			await page.keyboard.press('1'); // zoom to fit
			await picture(page, file.replace('.workflow.json', ''));
		}

		// The Replicate node's panel for Prediction → Run, with the model's inputs as fields.
		const images = examples.find((e) => e.file.startsWith('generate-images'))!.wf;
		await page.goto(`${base}/workflow/${images.id}`, { waitUntil: 'domcontentloaded' });
		await page.getByTestId('canvas-node').filter({ hasText: 'Generate Images' }).dblclick();
		await page
			.getByTestId('mapping-fields-container')
			.getByTestId('parameter-input-prompt')
			.waitFor();
		await picture(page, 'replicate-node-run');
		await page.keyboard.press('Escape');

		// The chat example answers in the editor's chat: the Replicate Chat Model works here.
		const chat = examples.find((e) => e.file.startsWith('chat-'))!.wf;
		await page.goto(`${base}/workflow/${chat.id}`, { waitUntil: 'domcontentloaded' });
		await page.getByTestId('canvas-node').first().waitFor();
		// n8n's "Open chat" button under a Chat Trigger (the canvas pane sits over it)
		await page.locator('[data-test-id^="execute-workflow-button"]').first().click({ force: true });
		const input = page
			.getByTestId('chat-input')
			.locator('textarea')
			.or(page.locator('textarea[data-test-id="chat-input"]'))
			.first();
		await input.fill('Hello from the docs');
		await input.press('Enter');
		await page
			.getByText(/Echo: Hello from the docs/)
			.first()
			.waitFor({ timeout: 120_000 });
		await picture(page, 'chat-model-answers');
		say('PASS the chat example answers in the editor (Replicate Chat Model on n8n 2.41.1)');
	} catch (e) {
		failed = true;
		await browser
			.contexts()[0]
			?.pages()[0]
			?.screenshot({ path: join(work, 'failed.png') })
			.catch(() => undefined);
		say(`FAIL ${(e as Error).message}`);
	} finally {
		await browser.close();
		await n8n.stop();
		await emu.stop();
	}
	process.exit(failed ? 1 : 0);
}

void main();
