// The trained version as a reference Prediction → Run takes as its model (owner/name:version).
import { parseModelRef } from '../../../nodes/common/models/modelRef';
import { formatTraining, versionRef } from '../../../nodes/common/files/trainingOutput';

const V = 'a'.repeat(64);

describe('version_ref', () => {
	test('from output.version (owner/name:id), or an id completed with the destination', () => {
		expect(versionRef({ output: { version: `me/tuned:${V}` } })).toBe(`me/tuned:${V}`);
		expect(versionRef({ output: { version: V } }, 'me/tuned')).toBe(`me/tuned:${V}`);
		expect(versionRef({ output: { version: V } })).toBeUndefined();
		expect(versionRef({ output: null }, 'me/tuned')).toBeUndefined();
		expect(versionRef({ output: { version: 'not a ref!' } }, 'me/tuned')).toBeUndefined();
		expect(parseModelRef(versionRef({ output: { version: V } }, 'me/tuned')!)).toEqual({
			owner: 'me',
			name: 'tuned',
			version: V,
		});
	});

	test('formatTraining adds destination and version_ref, drops logs unless asked, and a null error', () => {
		const t = { id: 't', status: 'succeeded', error: null, logs: 'x', output: { version: V } };
		expect(formatTraining(t, false, 'me/tuned')).toEqual({
			id: 't',
			status: 'succeeded',
			output: { version: V },
			destination: 'me/tuned',
			version_ref: `me/tuned:${V}`,
		});
		expect(formatTraining(t, true).logs).toBe('x');
	});
});
