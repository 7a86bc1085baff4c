import crypto from 'node:crypto';
import fs from 'node:fs';
import type {RawBlockBuilder} from '../db/raw.js';
import {Collector, type ReadEvent, type Rejected} from './collector.js';
import {LinesReader} from './readers/lines.js';
import {Window} from './window.js';
import type {Feed} from './stream.js';

/**
 * One segment of a large JSON Lines file (split.ts plans them): whole lines between two byte
 * offsets, read and parsed by a worker thread while other workers read the segments beside it.
 * Its line numbers and record positions count from the segment's start; the main thread, which
 * commits segments in file order, adds the lines and records of the segments before it.
 */
export interface SegmentTask {
	/** Byte offsets in the file: `start` begins a line, `end` follows a newline (or is the end of the file). */
	start: number;
	end: number;
	/** The whole file's size (the last segment ends there). */
	fileSize: number;
	/** The source's format, from its first line (lineFormat): every segment stores the same. */
	format: string;
	/** The source's last segment. */
	last: boolean;
	/** Bytes of the file read when the segment was cut (gzip: compressed bytes), for progress. */
	inputOffset?: number;
}

export interface SegmentResult {
	kind: 'segment';
	path: string;
	member: null;
	start: number;
	end: number;
	events: ReadEvent[];
	/** Labelled from the segment's start ("line 1" is its first line); split.ts renumbers them. */
	rejected: Rejected[];
	/** Lines the segment holds (newlines consumed, and a last line without one). */
	lines: number;
	/** Records (events and rejections) it holds: the positions it takes. */
	records: number;
	notes: string[];
	/** Its last line is cut (the end of a truncated file). */
	damaged: boolean;
	last: boolean;
	inputOffset: number;
	/** Offset from the segment's start just past its last record taken (-1: none), for the decompression-bomb check. */
	progress: number;
}

/** Reads bytes [start, end) of a file. */
function readRange(file: string, start: number, end: number): Buffer {
	const bytes = Buffer.allocUnsafe(end - start);
	const fd = fs.openSync(file, 'r');
	try {
		let at = 0;
		while (at < bytes.length) {
			const n = fs.readSync(fd, bytes, at, bytes.length - at, start + at);
			if (n === 0) break;
			at += n;
		}
		return at === bytes.length ? bytes : bytes.subarray(0, at);
	} finally {
		fs.closeSync(fd);
	}
}

/** Parses one segment with the JSON Lines reader, exactly as a single reader would read those lines. */
export function readSegment(path: string, segment: SegmentTask, raw: RawBlockBuilder, bytes?: Uint8Array): SegmentResult {
	const w = new Window();
	w.push(bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : readRange(path, segment.start, segment.end), true);
	const reader = new LinesReader({r: 'lines', line: 1, format: segment.format});
	const out = new Collector(raw);
	while (reader.read(w, out) !== 'done');
	const {events, rejected} = out.take();
	return {
		kind: 'segment',
		path,
		member: null,
		start: segment.start,
		end: segment.end,
		events,
		rejected,
		lines: (reader.state().line as number) - 1,
		records: out.position,
		notes: [...out.notes],
		damaged: out.damaged,
		last: segment.last,
		inputOffset: segment.inputOffset ?? segment.end,
		progress: events.length > 0 ? out.progressAt : -1,
	};
}

/**
 * The source's hashes for a split file, on a thread of its own: SHA-256 is sequential, so one
 * thread reads the whole file once while the segments are parsed elsewhere. It posts the digest of
 * the bytes before each offset asked for (the resume point of each segment, ascending), and last
 * the digest and size of the whole file.
 */
export function hashPrefixes(file: string, offsets: number[], post: (message: {offset: number; sha256: string; end?: boolean}) => void): void {
	const hash = crypto.createHash('sha256');
	const buffer = Buffer.allocUnsafe(4 << 20);
	const fd = fs.openSync(file, 'r');
	let at = 0;
	let next = 0;
	try {
		for (;;) {
			const n = fs.readSync(fd, buffer, 0, buffer.length, at);
			let used = 0;
			while (next < offsets.length && offsets[next] <= at + n) {
				hash.update(buffer.subarray(used, offsets[next] - at));
				used = offsets[next] - at;
				post({offset: offsets[next], sha256: hash.copy().digest('hex')});
				next++;
			}
			hash.update(buffer.subarray(used, n));
			at += n;
			if (n === 0) break;
		}
	} finally {
		fs.closeSync(fd);
	}
	post({offset: at, sha256: hash.digest('hex'), end: true});
}

/** What the inflating thread of a split gzip file posts: segments of whole lines, then the end. */
export type InflateMessage =
	| {type: 'segment'; start: number; end: number; bytes: Uint8Array; sha256: string; inputOffset: number; suspect: boolean; last: boolean}
	| {type: 'end'; inputSha256: string; inputBytes: number; contentSha256: string; contentBytes: number; damage?: string; ratio: string; suspect: boolean};

/**
 * The inflating thread of a split gzip file: one gzip stream cannot be cut, so this thread inflates
 * it (and hashes the bytes as read and the content, both sequential) and cuts the content after the
 * last newline of every `segmentBytes` or so; the workers parse the segments. It waits while
 * `credits` segments are not yet committed, and on `stop` (a decompression bomb) reads the rest of
 * the compressed bytes only to hash them. `skip`: content before the first record (a byte order
 * mark, blanks), hashed but not sent.
 */
export async function inflateSegments(
	feed: Feed,
	options: {segmentBytes: number; maxRecordBytes: number; skip: number},
	post: (message: InflateMessage, transfer?: ArrayBuffer[]) => void,
	flow: {credit(): Promise<void>; stopped(): boolean},
): Promise<void> {
	const content = crypto.createHash('sha256');
	let pending: Buffer = Buffer.alloc(0);
	let offset = 0;
	let skip = options.skip;
	let lastSent = false;
	for (;;) {
		const {chunk, eof} = await feed.take(options.segmentBytes);
		pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
		if (skip > 0) {
			const n = Math.min(skip, pending.length);
			content.update(pending.subarray(0, n));
			pending = pending.subarray(n);
			offset += n;
			skip -= n;
		}
		while (pending.length > 0 && (eof || pending.length >= options.segmentBytes)) {
			let cut = pending.length;
			if (!eof || pending.length > options.segmentBytes) {
				cut = pending.lastIndexOf(0x0a, options.segmentBytes * 2) + 1;
				// A line longer than a record may be is cut anyway (memory stays bounded); its pieces are rejected.
				if (cut === 0) {
					if (!eof && pending.length <= options.maxRecordBytes + options.segmentBytes) break;
					cut = Math.min(pending.length, options.maxRecordBytes + options.segmentBytes);
				}
			}
			const bytes = new Uint8Array(pending.subarray(0, cut));
			content.update(bytes);
			const last = eof && cut === pending.length;
			lastSent ||= last;
			post({type: 'segment', start: offset, end: offset + cut, bytes, sha256: last ? '' : content.copy().digest('hex'), inputOffset: feed.inputBytes, suspect: feed.suspect, last}, [bytes.buffer]);
			offset += cut;
			pending = pending.subarray(cut);
			await flow.credit();
			if (flow.stopped()) break;
		}
		if (eof || flow.stopped()) {
			if (flow.stopped()) {
				await feed.finishInput();
				await feed.stop();
				post({type: 'end', inputSha256: feed.inputSha256(''), inputBytes: feed.inputBytes, contentSha256: '', contentBytes: offset, ratio: feed.ratio(), suspect: true});
				return;
			}
			// Nothing after the last segment sent: an empty last one closes the source.
			if (pending.length === 0 && !lastSent) post({type: 'segment', start: offset, end: offset, bytes: new Uint8Array(0), sha256: '', inputOffset: feed.inputBytes, suspect: feed.suspect, last: true});
			const contentSha256 = content.digest('hex');
			post({type: 'end', inputSha256: feed.inputSha256(contentSha256), inputBytes: feed.inputBytes, contentSha256, contentBytes: offset, damage: feed.damage, ratio: feed.ratio(), suspect: feed.suspect});
			return;
		}
	}
}
