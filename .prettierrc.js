// Formatting for the whole repository, as n8n's node starter sets it: tabs, single quotes, trailing
// commas, 100 columns. `npm run format` writes it; `npm run lint` checks it.
module.exports = {
	semi: true,
	trailingComma: 'all',
	bracketSpacing: true,
	useTabs: true,
	tabWidth: 2,
	arrowParens: 'always',
	singleQuote: true,
	quoteProps: 'as-needed',
	endOfLine: 'lf',
	printWidth: 100,
};
