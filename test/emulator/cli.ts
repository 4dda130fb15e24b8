// npm run emulator -- --port 8787 [--cdn-port 8788] [--speed 10] [--token r8_...]
import { startEmulator } from './server';

function arg(name: string): string | undefined {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
	const emu = await startEmulator({
		port: Number(arg('port') ?? 8787),
		cdnPort: arg('cdn-port') ? Number(arg('cdn-port')) : undefined,
		speed: arg('speed') ? Number(arg('speed')) : undefined,
		token: arg('token') ?? process.env.EMULATOR_TOKEN,
		webhookSecret: arg('webhook-secret') ?? process.env.EMULATOR_WEBHOOK_SECRET,
		rateLimits:
			arg('no-rate-limits') !== undefined || process.argv.includes('--no-rate-limits')
				? false
				: undefined,
	});
	process.stdout.write(
		[
			'Replicate emulator running',
			`  API base URL:  ${emu.baseUrl}`,
			`  API token:     ${emu.token}`,
			`  Files/streams: ${emu.cdnOrigin}`,
			`  Webhook secret: ${emu.options.webhookSecret}`,
			`  Control:       ${emu.apiOrigin}/__emulator/log`,
			'',
		].join('\n'),
	);
	const stop = () => void emu.stop().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

void main();
