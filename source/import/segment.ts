import crypto from 'node:crypto';
import fs from 'node:fs';
import type {RawBlockBuilder} from '../db/raw.js';
import {Collector, type ReadEvent, type Rejected} from './collector.js';
import {LinesReader} from './readers/lines.js';
import {Window} from './window.js';

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
export function readSegment(path: string, segment: SegmentTask, raw: RawBlockBuilder): SegmentResult {
	const w = new Window();
	w.push(readRange(path, segment.start, segment.end), true);
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
