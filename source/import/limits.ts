/**
 * Every bound the importer enforces, in one place, so a hostile input (a gzip bomb, a 42.zip, a
 * record nested a million levels deep) is stopped with a clear reason and memory stays bounded.
 *
 * Memory: each worker holds at most one source's compressed bytes, its decompressed content
 * (≤ maxSourceBytes) and the parsed records of that source; the main thread holds at most
 * `maxPendingSources` finished sources (`maxPendingEvents` events, a few MiB) per worker. With
 * the defaults (128 MiB, 2 workers) the import stays below about 1 GiB of RSS.
 *
 * The object is mutable on purpose: tests lower the bounds to exercise them with small inputs.
 */
export const limits = {
	/** Largest decompressed content of one source (a file or archive member), in bytes. */
	maxSourceBytes: 128 * 1024 * 1024,
	/** Largest single record (one array element, one line, one CloudTrailEvent string), in bytes. */
	maxRecordBytes: 64 * 1024 * 1024,
	/** Deepest nesting of objects/arrays in one record; checked by the scanner before JSON.parse. */
	maxDepth: 2_000,
	/** Most members read from one archive (nested archives count towards their parent). */
	maxArchiveMembers: 200_000,
	/** Archives inside archives: a zip of .tar.gz is depth 2. */
	maxArchiveDepth: 3,
	/**
	 * Largest decompressed/compressed ratio. CloudTrail JSON compresses 10–30×; a gzip of zeros
	 * about 1000×. Applied only once the output passes `ratioFloorBytes`, so tiny files never trip it.
	 */
	maxRatio: 250,
	ratioFloorBytes: 32 * 1024 * 1024,
	/** Largest stdin input, in bytes (stdin cannot be re-read, so it is held in memory). */
	maxStdinBytes: 512 * 1024 * 1024,
	/**
	 * Finished sources, and events in them, a worker may have waiting for the main thread before it
	 * pauses. Above the commit batch size (pool.ts batchEvents) so both workers can fill a batch.
	 */
	maxPendingSources: 1_000,
	maxPendingEvents: 12_000,
};

export type Limits = typeof limits;

/** Output cap for decompressing `inputBytes` compressed bytes under the size and ratio bounds. */
export function decompressCap(inputBytes: number, l: Limits = limits): number {
	return Math.min(l.maxSourceBytes, Math.max(l.ratioFloorBytes, inputBytes * l.maxRatio));
}

export function mib(bytes: number): string {
	return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB` : `${bytes} bytes`;
}
