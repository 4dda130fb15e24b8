// What the image models render: deterministic PNGs after tqdm-like progress lines.
import { createHash } from 'node:crypto';

import { makePng } from '../png';
import type { RunContext } from './types';

export function seedOf(input: Record<string, unknown>, i = 0): number {
	const h = createHash('sha256')
		.update(JSON.stringify(input) + ':' + i)
		.digest();
	return h.readUInt16BE(0);
}

export async function progress(ctx: RunContext, totalMs: number, steps = 10) {
	for (let i = 1; i <= steps; i++) {
		await ctx.sleep(totalMs / steps);
		const pct = Math.round((i / steps) * 100);
		const bar = '█'.repeat(i) + ' '.repeat(steps - i);
		ctx.log(
			`${String(pct).padStart(3)}%|${bar}| ${i}/${steps} [00:0${Math.floor((i * totalMs) / steps / 1000) % 10}<00:00, ${(steps / (totalMs / 1000 || 1)).toFixed(2)}it/s]`,
		);
	}
}

export async function images(
	ctx: RunContext,
	count: number,
	size: number,
	ms: number,
	prefix = 'out',
) {
	ctx.log('Using seed: ' + seedOf(ctx.input));
	await progress(ctx, ms);
	const urls: string[] = [];
	for (let i = 0; i < count; i++) {
		urls.push(
			ctx.file(`${prefix}-${i}.png`, 'image/png', makePng(size, size, seedOf(ctx.input, i))),
		);
	}
	return urls;
}
