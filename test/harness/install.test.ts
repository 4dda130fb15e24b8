// tools/n8n-host.ts installs n8n and Node into a shared cache; several worktrees and CI runs may ask for
// the same version at once. installStaged() must never leave a half install in place, replace a
// complete one, or be blocked forever by a dead holder's lock.
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	utimesSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { installStaged } from '../../tools/n8n-host';

const complete = (d: string) => existsSync(join(d, 'done'));
let root: string;
beforeEach(() => {
	root = mkdtempSync(join(tmpdir(), 'install-staged-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('installStaged', () => {
	it('installs into a staging folder and moves it into place', () => {
		const dir = join(root, 'n8n-1.0.0');
		let stagedAt = '';
		installStaged(dir, complete, (staging) => {
			stagedAt = staging;
			expect(existsSync(dir)).toBe(false);
			writeFileSync(join(staging, 'done'), 'x');
		});
		expect(stagedAt).not.toBe(dir);
		expect(complete(dir)).toBe(true);
		expect(existsSync(stagedAt)).toBe(false);
		expect(existsSync(`${dir}.lock`)).toBe(false);
	});

	it('a failed install leaves nothing behind, and the lock is released', () => {
		const dir = join(root, 'n8n-1.0.0');
		expect(() =>
			installStaged(dir, complete, () => {
				throw new Error('npm failed');
			}),
		).toThrow('npm failed');
		expect(existsSync(dir)).toBe(false);
		expect(existsSync(`${dir}.lock`)).toBe(false);
	});

	it('replaces an old incomplete install that nobody is writing to', () => {
		const dir = join(root, 'n8n-1.0.0');
		mkdirSync(join(dir, 'node_modules'), { recursive: true });
		writeFileSync(join(dir, 'leftover'), 'x');
		const old = new Date(Date.now() - 3600_000);
		utimesSync(join(dir, 'node_modules'), old, old);
		utimesSync(dir, old, old);
		installStaged(dir, complete, (staging) => writeFileSync(join(staging, 'done'), 'x'));
		expect(complete(dir)).toBe(true);
		expect(existsSync(join(dir, 'leftover'))).toBe(false);
	});

	it('takes over a lock whose holder is dead, and does not install over a complete folder', () => {
		const dir = join(root, 'n8n-1.0.0');
		mkdirSync(`${dir}.lock`);
		writeFileSync(join(`${dir}.lock`, 'pid'), '999999'); // no such process
		mkdirSync(dir);
		writeFileSync(join(dir, 'done'), 'first');
		const install = jest.fn();
		installStaged(dir, complete, install);
		expect(install).not.toHaveBeenCalled();
		expect(readFileSync(join(dir, 'done'), 'utf8')).toBe('first');
		expect(existsSync(`${dir}.lock`)).toBe(false);
	});
});
