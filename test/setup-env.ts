// n8n-core creates <N8N_USER_FOLDER>/.n8n/config on first import: keep it in a throwaway folder.
// Binary data goes to the filesystem, as in a default n8n 2.x instance, so streaming is exercised.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

if (!process.env.N8N_USER_FOLDER) {
	process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'n8n-replicate-test-'));
}
process.env.N8N_DEFAULT_BINARY_DATA_MODE = process.env.N8N_DEFAULT_BINARY_DATA_MODE ?? 'filesystem';
process.env.N8N_LOG_LEVEL = process.env.N8N_LOG_LEVEL ?? 'silent';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
