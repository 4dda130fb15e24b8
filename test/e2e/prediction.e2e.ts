// Prediction → Run in real n8n: the example workflow writes its images; a two-model chain runs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import {
	binaryPath,
	exampleWorkflow,
	execute,
	importWorkflow,
	nodeItems,
	PACKAGE_ROOT,
} from '../../tools/n8n-host';
import { check, fixture, type E2EContext } from './run';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

export default async function ({ host, emu, work, scenario }: E2EContext) {
	await scenario(
		'the example workflow generates images and writes them to demo-output/',
		async () => {
			// as imported: the emulator serves its model, black-forest-labs/flux-schnell
			const workflow = exampleWorkflow('generate-images.workflow.json', {
				id: 'replCredE2E00001',
				name: 'Replicate (emulator)',
			});
			const out = join(PACKAGE_ROOT, 'demo-output');
			mkdirSync(out, { recursive: true });
			const before = new Set(readdirSync(out));
			await importWorkflow(host, work, workflow);
			const r = await execute(
				{ ...host, env: { ...host.env, N8N_RESTRICT_FILE_ACCESS_TO: out } },
				workflow.id,
			);
			check(
				r.code === 0 && r.run?.status === 'success',
				`execution failed: ${r.run?.data.resultData.error?.message ?? r.raw.slice(-1500)}`,
			);
			const items = nodeItems(r, 'Generate Images');
			check(items.length === 2, `expected 2 items (one per file), got ${items.length}`);
			const written = readdirSync(out).filter((f) => !before.has(f));
			check(
				written.length === 2 && written.every((f) => f.endsWith('.png')),
				`files written: ${written.join(', ')}`,
			);
			for (const item of items) {
				const file = join(
					out,
					`${item.json.id}-${(item.binary?.data as { fileName: string }).fileName}`,
				);
				check(existsSync(file), `missing ${file}`);
				const url = (item.json.output as string[])[(item.json.file as { index: number }).index];
				const original = Buffer.from(await (await fetch(url)).arrayBuffer());
				check(
					md5(readFileSync(file)) === md5(original),
					`bytes of ${file} differ from the model's output`,
				);
				rmSync(file);
			}
		},
	);

	await scenario(
		"a two-model chain: one model's output URL is the next model's input; binary in filesystem mode",
		async () => {
			await importWorkflow(host, work, fixture('chain.workflow.json'));
			const r = await execute(host, 'wfReplChain00001');
			check(
				r.code === 0 && r.run?.status === 'success',
				`execution failed: ${r.run?.data.resultData.error?.message ?? r.raw.slice(-1500)}`,
			);
			const first = nodeItems(r, 'Text to Image')[0];
			const second = nodeItems(r, 'Image to Image')[0];
			check(second?.json.status === 'succeeded', `second status ${second?.json.status}`);
			check(
				(second.json.input as { image: string }).image === (first.json.output as string[])[0],
				'the chain did not pass the URL through',
			);
			const bin = second.binary?.data as { id?: string; mimeType?: string } | undefined;
			check(
				bin?.id?.startsWith('filesystem-v2:') && bin.mimeType === 'image/png',
				`binary: ${JSON.stringify(bin)}`,
			);
			const onDisk = readFileSync(binaryPath(host, bin!.id!));
			check(onDisk.subarray(1, 4).toString() === 'PNG', 'stored binary is not a PNG');
			check(
				emu
					.requests()
					.filter((l) => l.server === 'cdn')
					.every((l) => !l.sentAuthorization),
				'the token was sent to the file host',
			);
		},
	);
}
