// Files in, in the browser: a workflow whose binaries come from earlier nodes (Convert to File, then
// a model's output file) feeds a model with a list-of-files input (several binaries) and a model
// with a required file input. Run from the editor (its webhook's Test URL), then published and
// called on its Production URL. Nothing may block it: no "node has issues", no placeholder.
import { createHash } from 'node:crypto';

import type { Page } from 'playwright-core';

import type { Emulator } from '../emulator';
import { makePng } from '../emulator/png';

export interface Walk {
	page: Page;
	emu: Emulator;
	base: string;
	step(page: Page, name: string, fn: () => Promise<void>): Promise<void>;
	check(cond: unknown, message: string): asserts cond;
	log(message: string): void;
}

const PATH = 'ui-files-in';
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** A REST call of the editor's own API, from the page (its session cookie and browser id). */
export async function editorApi<T>(
	page: Page,
	method: string,
	path: string,
	body?: unknown,
): Promise<T> {
	const res = await page.evaluate(
		async ({ method, path, body }) => {
			const r = await fetch(`/rest${path}`, {
				method,
				headers: {
					'content-type': 'application/json',
					'browser-id': localStorage.getItem('n8n-browserId') ?? '',
				},
				body: body === undefined ? undefined : JSON.stringify(body),
			});
			return { status: r.status, text: await r.text() };
		},
		{ method, path, body },
	);
	if (res.status >= 300) throw new Error(`${method} /rest${path}: ${res.status} ${res.text}`);
	return (JSON.parse(res.text) as { data: T }).data;
}

function workflow(credential: { id: string; name: string }, a: Buffer, b: Buffer) {
	const replicate = (name: string, model: string, x: number, extra: object = {}) => ({
		id: `f11e5000-0000-4000-8000-00000000000${x / 200}`,
		name,
		type: '@n8n-nodes-replicate/n8n-nodes-replicate.replicate',
		typeVersion: 1.1,
		position: [x, 0],
		parameters: {
			resource: 'prediction',
			operation: 'run',
			runTarget: 'model',
			model: { __rl: true, mode: 'id', value: model },
			version: { __rl: true, mode: 'list', value: '' },
			inputMode: 'fields',
			inputFields: { mappingMode: 'defineBelow', value: {} },
			options: {},
			...extra,
		},
		credentials: { replicateApi: credential },
	});
	const toFile = (name: string, source: string, property: string, y: number) => ({
		id: `f11e5000-0000-4000-8000-0000000001${y ? 2 : 1}0`,
		name,
		type: 'n8n-nodes-base.convertToFile',
		typeVersion: 1.1,
		position: [400, y],
		parameters: {
			operation: 'toBinary',
			sourceProperty: source,
			binaryPropertyName: property,
			options: { fileName: `${source}.png`, mimeType: 'image/png' },
		},
	});
	const main = (...targets: Array<[string, number]>) => ({
		main: [targets.map(([node, index]) => ({ node, type: 'main', index }))],
	});
	return {
		name: 'UI: files in',
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'f11e5000-0000-4000-8000-000000000000',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: 'f11e5000-0000-4000-8000-0000000000ff',
				parameters: { httpMethod: 'POST', path: PATH, responseMode: 'lastNode', options: {} },
			},
			{
				id: 'f11e5000-0000-4000-8000-000000000100',
				name: 'Images',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [200, 0],
				parameters: {
					assignments: {
						assignments: [
							{ id: 'a', name: 'a', value: a.toString('base64'), type: 'string' },
							{ id: 'b', name: 'b', value: b.toString('base64'), type: 'string' },
						],
					},
					options: {},
				},
			},
			toFile('PNG A', 'a', 'data', 0),
			toFile('PNG B', 'b', 'data_1', 200),
			{
				id: 'f11e5000-0000-4000-8000-000000000300',
				name: 'Merge',
				type: 'n8n-nodes-base.merge',
				typeVersion: 3,
				position: [600, 0],
				parameters: { mode: 'combine', combineBy: 'combineByPosition', options: {} },
			},
			// A list of files: two binary properties, comma-separated.
			replicate('Grid', 'emulator/image-grid', 800, {
				binaryInputs: { files: [{ input: 'images', binaryProperty: 'data, data_1' }] },
			}),
			// A required file input; its Binary Input is added in the editor below.
			replicate('Caption', 'emulator/blip-lite', 1000),
		],
		connections: {
			Webhook: main(['Images', 0]),
			Images: {
				main: [
					[
						{ node: 'PNG A', type: 'main', index: 0 },
						{ node: 'PNG B', type: 'main', index: 0 },
					],
				],
			},
			'PNG A': main(['Merge', 0]),
			'PNG B': main(['Merge', 1]),
			Merge: main(['Grid', 0]),
			Grid: main(['Caption', 0]),
		},
	};
}

/** POSTs to a webhook URL until n8n has registered it (a test listener registers as it opens). */
async function call(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
	for (let tries = 0; ; tries++) {
		const res = await fetch(url, {
			method: 'POST',
			body: '{}',
			headers: { 'content-type': 'application/json' },
		});
		const text = await res.text();
		if (res.status !== 404 || tries >= 60)
			return {
				status: res.status,
				body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
			};
		await new Promise((r) => setTimeout(r, 500));
	}
}

export async function filesIn(w: Walk) {
	const { page, emu, base, step, log } = w;
	const check: Walk['check'] = w.check;
	const ndv = page.getByTestId('ndv');
	const a = makePng(4, 4, 11);
	const b = makePng(4, 4, 22);
	let workflowId = '';
	const runs = (model: string) =>
		[...emu.store.predictions.values()].filter((p) => p.obj.model === model);

	await step(page, 'files-workflow-opened', async () => {
		const credentials = await editorApi<Array<{ id: string; name: string; type: string }>>(
			page,
			'GET',
			'/credentials',
		);
		const credential = credentials.find((c) => c.type === 'replicateApi');
		check(credential, 'no Replicate credential to use');
		const created = await editorApi<{ id: string }>(
			page,
			'POST',
			'/workflows',
			workflow({ id: credential.id, name: credential.name }, a, b),
		);
		workflowId = created.id;
		await page.goto(`${base}/workflow/${workflowId}`, { waitUntil: 'domcontentloaded' });
		await page.getByTestId('canvas-node').filter({ hasText: 'Caption' }).first().waitFor();
	});

	await step(page, 'required-file-input-not-blocking-and-input-name-offered', async () => {
		await page.getByTestId('canvas-node').filter({ hasText: 'Grid' }).first().dblclick();
		await ndv.waitFor();
		const gridInput = ndv.getByTestId('parameter-input-input').first().locator('input').first();
		await gridInput.waitFor();
		// The list loads after the panel opens; until then the field shows the stored name.
		let shown = await gridInput.inputValue();
		for (let tries = 0; shown !== 'Images (List of Files)' && tries < 50; tries++) {
			await page.waitForTimeout(200);
			shown = await gridInput.inputValue();
		}
		check(shown === 'Images (List of Files)', `Grid's Input Name shows "${shown}"`);
		await click(page, page.getByTestId('ndv-close-button'));
		await ndv.waitFor({ state: 'hidden' });

		await page.getByTestId('canvas-node').filter({ hasText: 'Caption' }).first().dblclick();
		await ndv.waitFor();
		const fields = ndv.getByTestId('mapping-fields-container');
		const image = fields.getByTestId('parameter-input-image');
		await image.waitFor();
		const row = fields.locator('.parameter-item', { has: image });
		check(!(await row.getByTestId('parameter-issues').count()), 'the empty Image field is marked');
		await ndv.getByRole('button', { name: 'Add Binary Input' }).click();
		const input = ndv.getByTestId('parameter-input-input').first();
		await input.waitFor();
		await input.click();
		const options = page.locator('.el-select-dropdown__item:visible');
		await options.first().waitFor();
		const names = await options.allInnerTexts();
		check(
			names.map((n) => n.split('\n')[0].trim()).join('|') === 'Image',
			`Input Name offers ${JSON.stringify(names)}`,
		);
		await options.first().click();
		await click(page, page.getByTestId('ndv-close-button'));
		await ndv.waitFor({ state: 'hidden' });
	});

	await step(page, 'files-run-from-the-editor', async () => {
		const before = runs('emulator/blip-lite').length;
		await page.getByTestId('execute-workflow-button').first().click();
		const answer = await call(`${base}/webhook-test/${PATH}`);
		check(
			answer.status === 200,
			`Test URL answered ${answer.status} ${JSON.stringify(answer.body)}`,
		);
		check(
			/^Caption: an image of \d+ bytes \(image\/png\)/.test(String(answer.body.output)),
			`output ${JSON.stringify(answer.body.output)}`,
		);
		await page
			.getByTestId('canvas-node')
			.filter({ hasText: 'Caption' })
			.locator('[data-test-id="canvas-node-status-success"]')
			.first()
			.waitFor({ timeout: 120_000 });
		check(runs('emulator/blip-lite').length === before + 1, 'no caption prediction was made');
		const grid = runs('emulator/image-grid').at(-1);
		const logs = String(grid?.obj.logs ?? '');
		check(
			logs.includes(`image 0: ${a.length} bytes (image/png), md5 ${md5(a)}`) &&
				logs.includes(`image 1: ${b.length} bytes (image/png), md5 ${md5(b)}`),
			`the grid got: ${logs}`,
		);
		log(`  caption: ${String(answer.body.output)}`);
	});

	await step(page, 'files-published-and-called', async () => {
		await page.keyboard.press('ControlOrMeta+s');
		await click(page, page.getByTestId('workflow-open-publish-modal-button'));
		await click(page, page.getByTestId('workflow-publish-button'));
		await page.getByTestId('workflow-publish-button').waitFor({ state: 'hidden' });
		const before = runs('emulator/blip-lite').length;
		const answer = await call(`${base}/webhook/${PATH}`);
		check(
			answer.status === 200 && /^Caption: an image of/.test(String(answer.body.output)),
			`Production URL answered ${answer.status} ${JSON.stringify(answer.body)}`,
		);
		check(runs('emulator/blip-lite').length === before + 1, 'the published run made no caption');
	});
}

const click = (_page: Page, l: ReturnType<Page['getByTestId']>) => l.click({ noWaitAfter: true });
