import { scaleBench } from '/work/main/bench/scale';
const speed = Number(process.argv[2]);
const seconds = Number(process.argv[3] ?? 2);
void scaleBench({ cases: [{ seconds, items: 1000, speed }] }).then(
	() => process.exit(0),
	(e) => {
		console.log(e);
		process.exit(1);
	},
);
