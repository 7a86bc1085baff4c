import {RawBlockBuilder, type RawRef} from '../db/raw.js';
import {normaliseRecord, RecordRejection, type NormaliseOptions, type NormalisedEvent} from './normalise.js';

/** A normalised event as it travels from a reader to the store: its original text is in the raw blocks. */
export type ReadEvent = Omit<NormalisedEvent, 'raw'> & {rawRef: RawRef};

export interface Rejected {
	position: string;
	reason: string;
}

/**
 * What the readers hand their records to: it normalises each record, packs its exact bytes into
 * the raw blocks and counts positions. A streamed source empties it once per part (`take`), so a
 * reader never holds more than one part's records however large the file.
 */
export class Collector {
	events: ReadEvent[] = [];
	rejected: Rejected[] = [];
	notes = new Set<string>();
	/** Record index inside the source of the next record (continues across parts and resumed runs). */
	position: number;
	/** The source is damaged (truncated, a syntax error between records): status 'partial'. */
	damaged = false;
	/** Content offset just past the last record accepted (the decompression-bomb check's progress mark). */
	progressAt = 0;
	/** Bytes of record text taken since the last `take`, to size parts. */
	private bytes = 0;

	constructor(
		public raw: RawBlockBuilder,
		position = 0,
		/** Records (or bytes of record text) after which a streamed source cuts a part. */
		private readonly partRecords = Infinity,
		private readonly partBytes = Infinity,
	) {
		this.position = position;
	}

	reject(label: string, reason: string): void {
		this.rejected.push({position: label, reason});
		this.position++;
	}

	/** One record object with its exact original bytes. */
	record(value: unknown, bytes: Buffer, label: string, options?: NormaliseOptions): void {
		try {
			const event: Omit<NormalisedEvent, 'raw'> & {raw?: string; rawRef?: RawRef} = normaliseRecord(value, '', this.position, {...options, rawBytes: bytes});
			// The text lives in the raw block: drop it from the event (setting, not copying the object without it).
			event.raw = undefined;
			event.rawRef = this.raw.addBytes(bytes);
			this.events.push(event as ReadEvent);
			this.position++;
			this.bytes += bytes.length;
		} catch (error) {
			if (error instanceof RecordRejection) this.reject(label, error.message);
			else throw error;
		}
	}

	/** Enough for one part of a streamed source. */
	get full(): boolean {
		return this.events.length + this.rejected.length >= this.partRecords || this.bytes >= this.partBytes;
	}

	/** The records and rejections so far, leaving the collector empty for the next part. */
	take(): {events: ReadEvent[]; rejected: Rejected[]} {
		const out = {events: this.events, rejected: this.rejected};
		this.events = [];
		this.rejected = [];
		this.bytes = 0;
		return out;
	}
}
