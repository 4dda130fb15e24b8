// n8n before 2.16 has no @n8n/ai-node-sdk (neither has this repository): the package must still load
// and the chat node must explain what it needs, without a single request to Replicate.
import { LmChatReplicate } from '../../nodes/LmChatReplicate/LmChatReplicate.node';
import { Replicate } from '../../nodes/Replicate/Replicate.node';
import { replicateCredentials } from '../harness/n8n';
import { supplyContext } from '../harness/supply';
import { useEmulator } from '../helpers/emulator';

const emu = useEmulator();

test('the SDK is really absent here', () => {
	expect(() => require.resolve('@n8n/ai-node-sdk')).toThrow();
});

test('the chat node module and the other nodes load without the SDK', () => {
	expect(new LmChatReplicate().description.outputs).toEqual(['ai_languageModel']);
	expect(new Replicate().description.name).toBe('replicate');
});

test('supplyData fails with the n8n version it needs, before any request', async () => {
	const { ctx } = supplyContext({
		parameters: {
			source: 'model',
			model: { __rl: true, mode: 'id', value: 'emulator/chat-messages' },
			options: {},
		},
		credentials: replicateCredentials(emu.emu.baseUrl, emu.emu.token),
	});
	const before = emu.emu.log.length;
	const err = await new LmChatReplicate().supplyData
		.call(ctx, 0)
		.catch((e: Error & { description?: string }) => e);
	expect((err as Error).message).toBe('Replicate Chat Model needs n8n 2.16 or newer');
	expect((err as { description?: string }).description).toMatch(/@n8n\/ai-node-sdk/);
	expect(emu.emu.log.length).toBe(before);
});
