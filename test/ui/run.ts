// Browser test of the editor (npm run test:ui): the pinned n8n runs our packed package against the
// Replicate emulator, and Debian's Chromium (driven by playwright-core) walks the main path a new
// user takes. Every step saves a screenshot under .ui/screenshots/; the run fails on any page error
// and on any 5xx from the editor's API for a request about our node.
import {
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';

import { chromium, selectors, type Browser, type Locator, type Page } from 'playwright-core';

import { startEmulator, type Emulator } from '../emulator';
import {
	createHost,
	ensureN8n,
	N8N_MATRIX,
	N8N_OLDEST,
	PACKAGE_NAME,
	PACKAGE_ROOT,
} from '../../tools/n8n-host';
import { startEditor, type Editor } from './editor-host';
import { editorApi, filesIn } from './files';

const WORK = join(PACKAGE_ROOT, '.ui');
const SHOTS = join(WORK, 'screenshots');
const PORT = Number(process.env.UI_N8N_PORT ?? 5810);
const BASE = `http://127.0.0.1:${PORT}`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OWNER = {
	email: 'ui@example.com',
	firstName: 'UI',
	lastName: 'Tester',
	password: 'Ui-Passw0rd!',
};
const STEP_TIMEOUT_MS = 60_000;
/** The n8n version to drive: UI_N8N (one of N8N_MATRIX), else the oldest. */
const TARGET = N8N_MATRIX.find((t) => t.n8n === (process.env.UI_N8N ?? N8N_OLDEST.n8n));

const problems: string[] = [];
const shots: string[] = [];
let shotNo = 0;

function check(cond: unknown, message: string): asserts cond {
	if (!cond) throw new Error(message);
}

function log(msg: string) {
	process.stdout.write(`${msg}\n`);
}

async function shot(page: Page, name: string) {
	const file = join(SHOTS, `${String(++shotNo).padStart(2, '0')}-${name}.png`);
	await page.screenshot({ path: file });
	shots.push(relative(PACKAGE_ROOT, file));
}

async function step(page: Page, name: string, fn: () => Promise<void>) {
	const t = Date.now();
	try {
		await fn();
	} catch (e) {
		await shot(page, `${name}-FAILED`).catch(() => undefined);
		throw new Error(`step "${name}": ${(e as Error).message}`);
	}
	await shot(page, name);
	if (problems.length) throw new Error(`step "${name}": ${problems.join('; ')}`);
	log(`PASS ${name} (${Date.now() - t} ms)`);
}

/** The packed package ships source maps only with their sources (here: neither). */
function checkSourceMaps(dir: string) {
	const files: string[] = [];
	const walk = (d: string) => {
		for (const f of readdirSync(d)) {
			const p = join(d, f);
			if (statSync(p).isDirectory()) walk(p);
			else files.push(p);
		}
	};
	walk(dir);
	const maps = files.filter((f) => f.endsWith('.map'));
	for (const map of maps) {
		const { sources = [], sourcesContent } = JSON.parse(readFileSync(map, 'utf8')) as {
			sources?: string[];
			sourcesContent?: string[];
		};
		const missing = sources.filter((s) => !existsSync(join(map, '..', s)));
		check(!missing.length || sourcesContent?.length === sources.length, `${map} lacks ${missing}`);
	}
	for (const js of files.filter((f) => f.endsWith('.js'))) {
		const ref = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(js, 'utf8'))?.[1];
		check(!ref || existsSync(join(js, '..', ref)), `${js} points at a missing ${ref}`);
	}
	return { files: files.length, maps: maps.length };
}

async function main() {
	const started = Date.now();
	if (!TARGET) throw new Error(`UI_N8N=${process.env.UI_N8N} is not in N8N_MATRIX`);
	ensureN8n(TARGET);
	log(`n8n ${TARGET.n8n}`);
	rmSync(WORK, { recursive: true, force: true });
	const emu: Emulator = await startEmulator({ speed: 5, rateLimits: false });
	const host = createHost(join(WORK, 'n8n'), { port: PORT, target: TARGET });
	mkdirSync(SHOTS, { recursive: true });
	const installed = join(host.userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
	const packed = checkSourceMaps(installed);
	log(`PASS packed package: ${packed.files} files, ${packed.maps} source maps, none dangling`);

	let n8n: Editor | undefined;
	let browser: Browser | undefined;
	let failed: Error | undefined;
	try {
		n8n = await startEditor(host, join(WORK, 'n8n.log'));
		selectors.setTestIdAttribute('data-test-id');
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			headless: true,
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--no-first-run',
			],
		});
		const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
		context.setDefaultTimeout(STEP_TIMEOUT_MS);
		const page = await context.newPage();
		page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
		// Leaving an unsaved workflow asks first.
		page.on('dialog', (d) => void d.accept());
		page.on('response', async (res) => {
			if (res.status() < 500 || !res.url().startsWith(`${BASE}/rest/`)) return;
			const body = res.request().postData() ?? '';
			const ours = /replicate/i.test(`${res.url()} ${body}`);
			const text = await res.text().catch(() => '');
			const line = `${res.status()} from ${res.request().method()} ${res.url()}: ${text.slice(0, 300)}`;
			if (ours) problems.push(line);
			else log(`note: ${line}`);
		});
		await walk(page, emu);
	} catch (e) {
		failed = e as Error;
	} finally {
		await browser?.close().catch(() => undefined);
		await n8n?.stop();
		await emu.stop();
	}
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	writeFileSync(join(SHOTS, 'index.txt'), `${shots.join('\n')}\n`);
	log(
		`\nscreenshots (${shots.length}) in ${relative(PACKAGE_ROOT, SHOTS)}/:\n  ${shots.join('\n  ')}`,
	);
	if (failed) {
		log(`\nFAIL ${failed.message}\nn8n log: ${relative(PACKAGE_ROOT, join(WORK, 'n8n.log'))}`);
		log(`test:ui failed after ${seconds} s`);
		process.exit(1);
	}
	log(`\ntest:ui passed in ${seconds} s`);
	process.exit(0);
}

const click = (l: Locator) => l.click({ noWaitAfter: true });

/** Texts of the visible elements with a test id, in the node view. */
const texts = (l: Locator) =>
	l.evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText.trim()));

async function walk(page: Page, emu: Emulator) {
	const ndv = page.getByTestId('ndv');
	const model = page.getByTestId('resource-locator-model');
	const fields = page.getByTestId('mapping-fields-container');
	const output = page.getByTestId('output-panel');

	await step(page, 'owner-setup', async () => {
		await page.goto(`${BASE}/setup`, { waitUntil: 'domcontentloaded' });
		await page.locator('input[name="email"]').fill(OWNER.email);
		await page.locator('input[name="firstName"]').fill(OWNER.firstName);
		await page.locator('input[name="lastName"]').fill(OWNER.lastName);
		await page.locator('input[name="password"]').fill(OWNER.password);
		await click(page.getByTestId('form-submit-button'));
		await page.waitForURL((u) => !u.pathname.startsWith('/setup'));
	});

	// Newer n8n editors differ in the credential and node panels: there only the files-in walk runs,
	// with the credential made through the editor's API.
	if (TARGET !== N8N_OLDEST) {
		await step(page, 'credential-created-through-the-api', async () => {
			await editorApi(page, 'POST', '/credentials', {
				name: 'Replicate account',
				type: 'replicateApi',
				data: { apiToken: emu.token, baseUrl: emu.baseUrl },
			});
		});
		await filesIn({ page, emu, base: BASE, step, check, log });
		return;
	}

	await step(page, 'node-panel-replicate-actions', async () => {
		await page.goto(`${BASE}/workflow/new`, { waitUntil: 'domcontentloaded' });
		await click(page.getByTestId('canvas-add-button'));
		await page.getByTestId('node-creator-search-bar').waitFor();
		await page.keyboard.type('manual');
		await page.getByTestId('node-creator-item-name').first().waitFor();
		await page.keyboard.press('Enter');
		await page.getByTestId('canvas-handle-plus').first().waitFor();
		await click(page.getByTestId('canvas-handle-plus').first());
		await page.getByTestId('node-creator-search-bar').waitFor();
		await page.keyboard.type('Replicate');
		await click(
			page
				.getByTestId('node-creator-item-name')
				.filter({ hasText: /^Replicate$/ })
				.first(),
		);
		const actions = page.getByTestId('node-creator-item-name');
		await actions.filter({ hasText: 'Run a model' }).waitFor();
		// The search results for "Replicate" (other nodes, our three entries) leave the panel a moment after
		// the actions appear: read the list until it shows only the node's actions (or 10 s pass).
		const actionNames = async () =>
			(await texts(actions)).filter((n) => !/^Replicate( |$)/.test(n));
		let names = await actionNames();
		for (let tries = 0; names[0] !== 'Run a model' && tries < 50; tries++) {
			await page.waitForTimeout(200);
			names = await actionNames();
		}
		check(names[0] === 'Run a model', `the first action is "${names[0]}", not "Run a model"`);
		await page
			.getByText(/^Run any Replicate model/)
			.first()
			.waitFor();
	});

	await step(page, 'run-a-model-opened', async () => {
		await click(
			page.getByTestId('node-creator-item-name').filter({ hasText: 'Run a model' }).first(),
		);
		await ndv.waitFor();
		await page.getByTestId('empty-fields-notice').filter({ hasText: 'Choose a model' }).waitFor();
	});

	await step(page, 'credential-created-and-tested', async () => {
		await click(page.getByTestId('node-credentials-select'));
		await click(page.getByText('Create new credential'));
		const modal = page.getByTestId('editCredential-modal');
		await modal.getByTestId('parameter-input-apiToken').locator('input').fill(emu.token);
		await modal.getByTestId('parameter-input-baseUrl').locator('input').fill(emu.baseUrl);
		await modal.getByText(/Replicate endpoint \(any path, no query\)/).waitFor();
		await click(modal.getByTestId('credential-save-button'));
		await modal.getByText('Connection tested successfully').waitFor();
	});

	await step(page, 'model-picked-from-search', async () => {
		await click(page.getByTestId('editCredential-modal').locator('.el-dialog__headerbtn'));
		await page.getByTestId('editCredential-modal').waitFor({ state: 'hidden' });
		await click(model.getByTestId('rlc-input'));
		await page.getByTestId('rlc-search').pressSequentially('sdxl', { delay: 50 });
		const item = page.getByTestId('rlc-item').filter({ hasText: 'emulator/sdxl-lite' });
		await item.first().waitFor();
		await click(item.first());
		await fields.waitFor();
		const lora = fields.getByTestId('parameter-input-lora_scales');
		await lora.waitFor();
		await lora.scrollIntoViewIfNeeded();
		// An optional array starts as [] in its JSON editor, without a lint error (the linter runs
		// after a pause in typing, ~0.75 s).
		await page.waitForTimeout(1500);
		const text = await lora.locator('.cm-content').innerText();
		check(text.trim() === '[]', `LoRA Scales starts as ${JSON.stringify(text)}`);
		const lint = await fields.locator('.cm-lintRange-error, .cm-lint-marker-error').count();
		check(lint === 0, `${lint} JSON lint error(s) in the empty inputs`);
	});

	await step(page, 'version-list-latest', async () => {
		const version = page.getByTestId('resource-locator-version');
		await click(version.getByTestId('rlc-input'));
		const items = page.getByTestId('rlc-item');
		await items.first().waitFor();
		const names = await texts(items);
		check(/^Latest Version/.test(names[0] ?? ''), `the first version entry is "${names[0]}"`);
		check(
			/ · latest$/.test(names[1] ?? ''),
			`the newest version is not marked latest: "${names[1]}"`,
		);
		await page.keyboard.press('Escape');
	});

	let typedIn = 0;
	await step(page, 'model-id-typed-20ms-per-key', async () => {
		const id = 'emulator/flux-lite';
		await click(model.getByTestId('rlc-mode-selector'));
		await click(page.locator('.el-select-dropdown__item:visible').filter({ hasText: 'By ID' }));
		const input = model.getByTestId('rlc-input');
		await click(input);
		await input.press('ControlOrMeta+a');
		await input.press('Backspace');
		const t = Date.now();
		await input.pressSequentially(id, { delay: 20 });
		typedIn = Date.now() - t;
		await fields.getByTestId('parameter-input-aspect_ratio').waitFor();
		const value = await input.inputValue();
		check(value === id, `the Model field reads "${value}" after typing "${id}"`);
		log(`  typed ${id.length} keys in ${typedIn} ms; the field kept every character`);
	});

	await step(page, 'fields-labels-types-required', async () => {
		const labels = await texts(fields.locator('.parameter-item').getByTestId('input-label'));
		const names = labels.map((l) => l.split('\n')[0].trim());
		const want = ['Prompt', 'Aspect Ratio', 'Num Outputs', 'Seed', 'Output Format'];
		check(JSON.stringify(names) === JSON.stringify(want), `labels ${JSON.stringify(names)}`);
		const field = (id: string) => fields.getByTestId(`parameter-input-${id}`);
		check(await field('aspect_ratio').locator('.el-select').count(), 'Aspect Ratio is not a list');
		check(
			await field('output_format').locator('.el-select').count(),
			'Output Format is not a list',
		);
		check(
			await field('num_outputs').locator('.el-input-number').count(),
			'Num Outputs is not a number',
		);
		check(await field('prompt').locator('input, textarea').count(), 'Prompt is not a text input');
		// Required: no remove button, and an issue mark while empty; optional ones can be removed.
		check(!(await fields.getByTestId('remove-field-button-prompt').count()), 'Prompt is removable');
		check(await fields.getByTestId('remove-field-button-seed').count(), 'Seed is not removable');
		const promptRow = fields.locator('.parameter-item', {
			has: page.getByTestId('parameter-input-prompt'),
		});
		const issues = promptRow.getByTestId('parameter-issues');
		check(await issues.count(), 'no required mark on the empty Prompt');
	});

	await step(page, 'executed-binary-image', async () => {
		const prompt = fields.getByTestId('parameter-input-prompt').locator('input, textarea').first();
		await click(prompt);
		await prompt.fill('a lighthouse at dusk');
		await click(page.getByTestId('node-execute-button'));
		await output.getByTestId('node-run-status-success').waitFor({ timeout: 120_000 });
		await click(output.getByTestId('radio-button-binary'));
		await click(output.getByTestId('ndv-view-binary-data').first());
		const img = page.locator('img[src*="/rest/binary-data"]');
		await img.first().waitFor();
		const size = await img.first().evaluate(async (e) => {
			const i = e as HTMLImageElement;
			if (!i.complete) await new Promise((r) => i.addEventListener('load', r, { once: true }));
			return `${i.naturalWidth}x${i.naturalHeight}`;
		});
		check(size !== '0x0', 'the output image did not load');
		log(`  output image ${size}`);
	});

	await step(page, 'bad-input-names-the-field', async () => {
		const n = fields.getByTestId('parameter-input-num_outputs').locator('input').first();
		await n.scrollIntoViewIfNeeded();
		await click(n);
		await n.fill('9');
		await n.press('Tab');
		await click(page.getByTestId('node-execute-button'));
		const message = output.getByTestId('node-error-message');
		await message.waitFor({ timeout: 120_000 });
		const text = await message.innerText();
		// Named as the editor shows it and by its API name.
		check(
			/"Num Outputs" \(num_outputs\)/.test(text) && /at most 4/.test(text),
			`error message: ${text}`,
		);
	});

	await step(page, 'canvas-subtitle', async () => {
		await click(page.getByTestId('ndv-close-button'));
		await ndv.waitFor({ state: 'hidden' });
		const node = page.getByTestId('canvas-node').filter({ hasText: 'Run a model' });
		const subtitle = await node.first().innerText();
		check(
			subtitle.split('\n').includes('Run a model'),
			`canvas node reads ${JSON.stringify(subtitle)}`,
		);
	});

	await filesIn({ page, emu, base: BASE, step, check, log });

	await step(page, 'trigger-urls-and-hints', async () => {
		await page.goto(`${BASE}/workflow/new`, { waitUntil: 'domcontentloaded' });
		await click(page.getByTestId('canvas-add-button'));
		await page.getByTestId('node-creator-search-bar').waitFor();
		await page.keyboard.type('Replicate');
		await click(
			page
				.getByTestId('node-creator-item-name')
				.filter({ hasText: /^Replicate$/ })
				.first(),
		);
		const completed = page
			.getByTestId('node-creator-item-name')
			.filter({ hasText: 'On prediction completed' });
		await click(completed.first());
		await ndv.waitFor();
		await ndv.getByText("Pass this node's Test URL").first().waitFor();
		await click(ndv.getByText('Webhook URLs'));
		const url = ndv.locator('.webhook-url');
		await url.first().waitFor();
		const test = await url.first().innerText();
		check(test.includes(`${BASE}/webhook-test/`), `Test URL: ${test}`);
		await click(ndv.getByTestId('radio-button-production'));
		await url
			.filter({ hasText: `${BASE}/webhook/` })
			.first()
			.waitFor();
		const notice = await ndv
			.locator('.parameter-item')
			.filter({ hasText: 'Every delivery' })
			.first()
			.innerText();
		check(/Test URL/.test(notice) && /Production URL/.test(notice), `notice: ${notice}`);
	});

	await step(page, 'trigger-final-status-only-for-completed', async () => {
		check(
			await ndv.getByTestId('parameter-input-statuses').count(),
			'Final Status hidden for Completed',
		);
		const events = ndv.getByTestId('parameter-input-events');
		await click(events.locator('.el-tag__close, .el-select__tags .el-icon').first());
		await ndv.getByTestId('parameter-input-statuses').waitFor({ state: 'detached' });
		// Events = Prediction Started only: still no Final Status.
		await click(
			page.locator('.el-select-dropdown__item:visible').filter({ hasText: 'Prediction Started' }),
		);
		await events.getByText('Prediction Started').first().waitFor();
		await click(ndv.getByText('Events', { exact: true }).first());
		await page.waitForTimeout(300);
		const shown = await ndv.getByTestId('parameter-input-statuses').count();
		check(!shown, 'Final Status is shown for Events = Prediction Started');
	});

	await step(page, 'trigger-rejected-delivery-shown-in-editor', async () => {
		const production = await ndv.locator('.webhook-url').first().innerText();
		const testUrl = production.replace('/webhook/', '/webhook-test/');
		await click(ndv.getByTestId('node-execute-button').first());
		await ndv.getByTestId('trigger-listening').waitFor();
		// A delivery signed with another key, as a forger (or a wrong secret) would send it.
		const body = JSON.stringify({ id: 'p-ui-forged', status: 'succeeded' });
		let status = 404;
		for (let tries = 0; status === 404 && tries < 60; tries++) {
			if (tries) await page.waitForTimeout(500);
			status = (
				await fetch(testUrl, {
					method: 'POST',
					body,
					headers: {
						'content-type': 'application/json',
						'webhook-id': 'msg_ui_forged_0001',
						'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
						'webhook-signature': 'v1,Zm9yZ2VkIHNpZ25hdHVyZSBmb3IgdGhlIHVpIHRlc3Q=',
					},
				})
			).status;
		}
		check(status === 500, `the Test URL answered ${status}`);
		const message = ndv.getByTestId('node-error-message');
		await message.waitFor();
		const text = await message.innerText();
		check(/Webhook delivery rejected: signature rejected: no signature matches/.test(text), text);
		const logged = readFileSync(join(WORK, 'n8n.log'), 'utf8');
		check(
			/\(Test URL\) .* was refused \(shown in the editor; n8n answers 500\): signature rejected: no signature matches/.test(
				logged,
			),
			"n8n's log has no line about the rejected delivery",
		);
	});

	await step(page, 'dark-theme-icon', async () => {
		await page.keyboard.press('Escape');
		await page.evaluate(() => localStorage.setItem('N8N_THEME', 'dark'));
		await page.goto(`${BASE}/workflow/new`, { waitUntil: 'domcontentloaded' });
		await click(page.getByTestId('canvas-add-button'));
		await page.getByTestId('node-creator-search-bar').waitFor();
		await page.keyboard.type('Replicate');
		const icon = page.locator('img[src*="replicate.dark.svg"]');
		await icon.first().waitFor();
		await page.evaluate(() => localStorage.removeItem('N8N_THEME'));
	});
	void typedIn;
}

void main().catch((e) => {
	log(`test:ui crashed: ${(e as Error).stack}`);
	process.exit(1);
});
