/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// *.scale.test.ts run tens of thousands of items (minutes): `npm run test:scale`, which CI runs too.
	testPathIgnorePatterns: process.env.REPLICATE_SCALE_TESTS
		? ['/node_modules/']
		: ['/node_modules/', '\\.scale\\.test\\.ts$'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: false }],
	},
	setupFiles: ['<rootDir>/test/setup-env.ts'],
	setupFilesAfterEnv: ['<rootDir>/test/setup-after-env.ts'],
	testTimeout: 60000,
	// @n8n/ai-node-sdk is a devDependency for its types only: the tests see no SDK at run time, as on
	// n8n before 2.16 (test/chat/without-sdk.test.ts); the chat tests mock it where they need it.
	resolver: '<rootDir>/test/helpers/resolver.js',
	// The tests mostly wait (on the emulator, on the node's scaled waits), so a third worker helps even on
	// two cores: 61 s → 49 s for the whole suite on the 2-core CI machine.
	maxWorkers: 3,
};
