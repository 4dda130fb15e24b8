// Files in real n8n: an n8n binary is uploaded, a model runs with the file's URL, the file is deleted.
import { createHash } from 'node:crypto';

import { execute, importWorkflow, nodeItems } from '../../tools/n8n-host';
import { check, fixture, type E2EContext } from './run';

export default async function ({ host, emu, work, scenario }: E2EContext) {
	await scenario(
		'upload an n8n binary file, run a model with its URL, delete the file',
		async () => {
			await importWorkflow(host, work, fixture('files.workflow.json'));
			const r = await execute(host, 'wfReplFiles00001');
			check(
				r.code === 0 && r.run?.status === 'success',
				`execution failed: ${r.run?.data.resultData.error?.message ?? r.raw.slice(-1500)}`,
			);
			const uploaded = nodeItems(r, 'Upload')[0]?.json as {
				id: string;
				checksums: { md5: string };
				metadata: Record<string, unknown>;
			};
			const expected = createHash('md5').update('hello from n8n to replicate').digest('hex');
			check(
				uploaded?.checksums.md5 === expected,
				`uploaded md5 ${uploaded?.checksums.md5} != ${expected}`,
			);
			check(uploaded.metadata.from === 'n8n', 'metadata missing');
			const echoed = (
				nodeItems(r, 'Echo')[0]?.json.output as { file: { md5: string; via: string } }
			).file;
			check(
				echoed.md5 === expected && echoed.via === 'url',
				`the model received ${JSON.stringify(echoed)}`,
			);
			check(
				JSON.stringify(nodeItems(r, 'Delete')[0]?.json) === '{"deleted":true}',
				'delete did not answer {deleted: true}',
			);
			check(!emu.store.files.has(uploaded.id), 'the file still exists on the emulator');
		},
	);
}
