// One module per Replicate resource; together they are the 37 operations of the spec (plus the
// CDN routes for output files and streams).
import type { Router } from '../http';
import type { Emulator } from '../server';
import * as account from './account';
import * as collections from './collections';
import * as deployments from './deployments';
import * as files from './files';
import * as hardware from './hardware';
import * as models from './models';
import * as predictions from './predictions';
import * as search from './search';
import * as trainings from './trainings';
import * as webhooks from './webhooks';

export function registerAll(router: Router, emu: Emulator) {
	for (const mod of [
		account,
		collections,
		deployments,
		files,
		hardware,
		models,
		predictions,
		search,
		trainings,
		webhooks,
	]) {
		mod.register(router, emu);
	}
}
