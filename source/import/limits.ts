/**
 * Every bound the importer enforces, in one place, so a hostile input (a gzip bomb, a 42.zip, a
 * record nested a million levels deep) is stopped with a clear reason and memory stays bounded.
 *
 * Memory: JSON content of any size is streamed (readers/). Each worker holds a window of content
 * (`readBytes`, growing only to hold one record of at most `maxRecordBytes`), one part's records
 * (`partRecords` / `partBytes`) and, for files up to 16 MiB, the file's bytes; CSV and text are read
 * whole up to `maxSourceBytes`. The main thread holds at most `maxPendingSources` finished sources
 * (`maxPendingEvents` events) per worker. With the defaults and 2 workers the import stays below
 * about 1 GiB of RSS whatever the size of the files.
 *
 * The object is mutable on purpose: tests lower the bounds to exercise them with small inputs.
 */
export const limits = {
	/** Largest content read whole (CSV, UTF-16 text, stdin, a nested archive), in bytes. JSON streams past it. */
	maxSourceBytes: 128 * 1024 * 1024,
	/** Content a streaming reader takes in at a time. */
	readBytes: 4 * 1024 * 1024,
	/**
	 * A streamed source is committed in parts of this many records (or bytes of record text), each
	 * with its resume point. MFATRAIL_PART_RECORDS lowers it (tests interrupt large files cheaply).
	 */
	partRecords: Number(process.env.MFATRAIL_PART_RECORDS) || 8_000,
	partBytes: 32 * 1024 * 1024,
	/**
	 * A plain JSON Lines file of at least this many bytes is read in segments of whole lines of
	 * about `segmentBytes`, by every worker at once (split.ts); each segment is one part. Below it,
	 * one worker reads the file (a segment costs a part's commit, and starting the hashing thread).
	 * MFATRAIL_SPLIT_BYTES and MFATRAIL_SEGMENT_BYTES lower them (tests split small files).
	 */
	splitBytes: Number(process.env.MFATRAIL_SPLIT_BYTES) || 64 * 1024 * 1024,
	segmentBytes: Number(process.env.MFATRAIL_SEGMENT_BYTES) || 1024 * 1024,
	/**
	 * Decompression bombs: past the ratio below (`maxRatio`, `ratioFloorBytes`) the output is only
	 * suspect; it is rejected when this many bytes of it in a row hold no record that imports.
	 */
	bombWindowBytes: 80 * 1024 * 1024,
	/** Largest single record (one array element, one line, one CloudTrailEvent string), in bytes. */
	maxRecordBytes: 64 * 1024 * 1024,
	/** Deepest nesting of objects/arrays in one record; checked by the scanner before JSON.parse. */
	maxDepth: 2_000,
	/** Most members read from one archive (nested archives count towards their parent). */
	maxArchiveMembers: 200_000,
	/** Archives inside archives: a zip of .tar.gz is depth 2. */
	maxArchiveDepth: 3,
	/**
	 * Decompressed/compressed ratio above which output is suspect. CloudTrail JSON compresses
	 * 10–30×; a gzip of zeros about 1000×. Applied only once the output passes `ratioFloorBytes`.
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
