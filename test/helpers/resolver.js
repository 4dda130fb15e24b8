// Jest's module resolver, except that @n8n/ai-node-sdk cannot be found: it is a devDependency for its
// types only, and at run time the tests see n8n before 2.16, which has no SDK
// (test/chat/without-sdk.test.ts). The chat tests mock it (jest.mock with `virtual: true`).
module.exports = (request, options) => {
	if (request === '@n8n/ai-node-sdk' || request.startsWith('@n8n/ai-node-sdk/')) {
		const error = new Error(`Cannot find module '${request}'`);
		error.code = 'MODULE_NOT_FOUND';
		throw error;
	}
	return options.defaultResolver(request, options);
};
