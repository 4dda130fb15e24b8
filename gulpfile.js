// Static assets next to the compiled code: icons (light and dark) and codex files.
const { src, dest, parallel } = require('gulp');

function icons() {
	return src('icons/*.svg').pipe(dest('dist/icons'));
}

function nodeAssets() {
	return src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json'], { base: '.' }).pipe(dest('dist'));
}

exports['build:assets'] = parallel(icons, nodeAssets);
exports.default = exports['build:assets'];
