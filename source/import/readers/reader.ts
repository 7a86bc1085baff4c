import type {Collector} from '../collector.js';
import type {Window} from '../window.js';
import type {DigestRow} from '../../db/record.js';

export type {DigestRow} from '../../db/record.js';

/**
 * A reader for one input format (plaso's habit: one parser per format, a registry that recognises
 * them by content). Readers are step machines over a Window, so one code path reads a 2 KiB S3 log
 * held whole and a 40 GiB export streamed from disk:
 * - 'more': the window ends inside a record; call again after a refill (never returned at eof);
 * - 'cut': a part is full (Collector.full) and the reader stands on a record boundary, where
 *   `state()` says how to pick up again (the resume point a streamed source commits);
 * - 'done': nothing more to read (at the end, or after damage that stops the source).
 */
export type Step = 'more' | 'cut' | 'done';

/** A whole source that is not records (a digest), or not evidence at all. */
export type WholeOutcome =
	| {kind: 'digest'; digest: DigestRow}
	| {kind: 'rejected'; position: string | null; reason: string}
	| {kind: 'skipped'; reason: string};

/** JSON-serialisable; `r` names the reader (registry.ts). */
export type ReaderState = {r: string} & Record<string, unknown>;

export interface Reader {
	/** The format as stored in provenance (may be refined as reading goes on). */
	readonly format: string;
	read(w: Window, out: Collector): Step;
	state(): ReaderState;
	/** Set when the source turned out to be a digest or a document of another shape. */
	whole?: WholeOutcome;
}
