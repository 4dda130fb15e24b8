// What a built-in model is made of: its schema, its metadata and what it does when it runs.

export type JsonObject = Record<string, unknown>;

/** A generated file: either bytes, or a size and a byte generator (never held in memory). */
export type FileBody = Buffer | { size: number; seed: number };

export interface RunContext {
	input: JsonObject;
	/** Waits `ms` of model time (scaled by the emulator's speed); rejects when the prediction is canceled. */
	sleep(ms: number): Promise<void>;
	log(line: string): void;
	/** Appends an item to an iterator output (streamed over SSE and webhooks). */
	appendOutput(item: unknown): void;
	/** Publishes a file on the delivery host and returns its URL. */
	file(name: string, contentType: string, body: FileBody): string;
	/** Reads a file input: data: URI, Files API URL or delivery URL. */
	fetchInput(url: string): Promise<{ data: Buffer; contentType: string }>;
}

export class ModelError extends Error {}

/** Thrown by a run to end it as `canceled` (as when someone cancels it from the dashboard). */
export class RunCanceled extends Error {}

/**
 * A trainer: what `TrainingInput` its versions declare, what a training does, and the model a
 * successful training pushes to the destination as a new version.
 */
export interface TrainerDef {
	properties: Record<string, JsonObject>;
	required?: string[];
	/** Runs the training; the emulator then pushes `produces` to the destination. */
	run(ctx: RunContext): Promise<void>;
	/** The model the trained version runs as (its schema becomes the new version's). */
	produces(input: JsonObject): ModelDef;
}

export interface ModelDef {
	owner: string;
	name: string;
	description: string;
	official?: boolean;
	streaming?: boolean;
	hardware: string;
	tags: string[];
	/** Number of versions the model has (official models have one, used for its schema). */
	versions: number;
	openapi: JsonObject;
	exampleInput: JsonObject;
	readme: string;
	/** Extra metrics of a finished run (language models report token counts). */
	metrics?(input: JsonObject, output: unknown): JsonObject;
	run(ctx: RunContext): Promise<unknown>;
	/** Present on trainers: their versions accept trainings. */
	training?: TrainerDef;
}
