export {
	Emulator,
	startEmulator,
	type EmulatorOptions,
	type Fault,
	type LogEntry,
	type RateLimit,
} from './server';
export { signWebhook } from './signing';
export { generatedBlock, generatedStream } from './store';
export { CATALOG } from './models/catalog';
