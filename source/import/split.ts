import crypto from 'node:crypto';
import fs from 'node:fs';
import {Worker} from 'node:worker_threads';
import {limits} from './limits.js';
import {knownKey, type KnownSources, type ResumePoints, type Task} from './process.js';
import {skipSpace} from './scan.js';
import {sniffContainer} from './decompress.js';
import {lineFormat} from './readers/records.js';
import {LinesReader} from './readers/lines.js';
import {detectReader} from './readers/registry.js';
import type {ReaderState} from './readers/reader.js';
import type {SegmentResult} from './segment.js';
import type {PartResult} from './stream.js';
import {scopeFile} from './stream.js';
import {Window} from './window.js';

/**
 * One large JSON Lines file on every core. A plain file of at least `limits.splitBytes` whose
 * content the registry reads as JSON Lines is cut, on this thread and before any parsing, into
 * segments of whole lines of about `limits.segmentBytes` (a boundary is the first line start at or
 * after each multiple of it); the workers parse the segments in parallel, and the writer commits
 * them in file order, each as one part of the source with its resume point. The reader's numbers
 * (line, record position) count from the segment's start in the worker and are made the file's
 * here, at commit time, from the segments before. SHA-256 is sequential: one more thread reads the
 * file once for the digests at every segment end (the resume points' check) and of the whole file.
 *
 * Not split (read by one worker as before): gzip (one stream cannot be cut), files already in the
 * case file (the re-read is a hash, not a parse), and a resume whose prefix no longer matches.
 */

export interface SplitSource {
	path: string;
	size: number;
	format: string;
	/** Segment ends, ascending; the last is the file's size. */
	ends: number[];
	/** Lines and records before the first segment (a resumed import's). */
	lines: number;
	records: number;
	notes: string[];
	resumeOf?: number;
}

/** Files the import reads in segments, and the thread hashing each. */
export class Splitter {
	private readonly sources = new Map<string, SplitState>();

	/** Replaces each large plain JSON Lines file of `tasks` by its segments (seq renumbered). */
	static async plan(tasks: Task[], context: {workers: number; known: KnownSources; resume: ResumePoints; workerFile: string; workerArgv: string[]}): Promise<{tasks: Task[]; splitter: Splitter}> {
		const splitter = new Splitter();
		if (context.workers < 2) return {tasks, splitter};
		const out: Task[] = [];
		for (const task of tasks) {
			const plan = task.bytes || task.size < limits.splitBytes ? undefined : await planFile(task, context.known, context.resume);
			if (!plan) {
				out.push({...task, seq: out.length});
				continue;
			}
			let start = plan.ends[0];
			for (const end of plan.ends.slice(1)) {
				out.push({seq: out.length, path: task.path, size: end - start, segment: {start, end, fileSize: plan.size, format: plan.format}});
				start = end;
			}
			splitter.sources.set(task.path, new SplitState({...plan, ends: plan.ends.slice(1)}, context.workerFile, context.workerArgv));
		}
		return {tasks: out, splitter};
	}

	/** Whether the hashes a chunk's segments need are known (else the writer waits for the hashing thread). */
	ready(results: {kind: string; path?: string; end?: number}[]): boolean {
		return results.every(r => r.kind !== 'segment' || this.sources.get(r.path!)!.ready(r.end!));
	}

	/** A segment as the part of its source it is, numbered for the whole file. Call in file order. */
	part(segment: SegmentResult): PartResult {
		return this.sources.get(segment.path)!.part(segment);
	}

	/** Stops the hashing threads (the import ended or stopped). */
	close(): void {
		for (const s of this.sources.values()) s.close();
	}
}

class SplitState {
	private lines: number;
	private records: number;
	private parts = 0;
	private readonly notes: Set<string>;
	private damaged = false;
	private readonly digests = new Map<number, string>();
	private hashed = false;
	private readonly hasher: Worker;

	constructor(
		private readonly source: SplitSource,
		workerFile: string,
		workerArgv: string[],
	) {
		this.lines = source.lines;
		this.records = source.records;
		this.notes = new Set(source.notes);
		this.hasher = new Worker(workerFile, {workerData: {role: 'hash', path: source.path, offsets: source.ends.slice(0, -1)}, argv: workerArgv});
		this.hasher.on('message', (m: {offset: number; sha256: string; end?: boolean}) => {
			this.digests.set(m.end ? -1 : m.offset, m.sha256);
			if (m.end) {
				this.digests.set(-2, String(m.offset));
				this.hashed = true;
			}
		});
		this.hasher.on('error', error => {
			// The file cannot be read whole (it shrank, or a read failed): the source is then left 'importing'
			// rather than closed with a wrong hash; its segments say what was read.
			this.digests.set(-1, '');
			this.hashed = true;
			this.notes.add(`hashing failed: ${error.message}`);
		});
	}

	ready(end: number): boolean {
		return end === this.source.size ? this.hashed : this.digests.has(end) || this.hashed;
	}

	part(s: SegmentResult): PartResult {
		const lineBase = this.lines;
		const recordBase = this.records;
		for (const e of s.events) e.position += recordBase;
		const rejected = s.rejected.map(r => ({...r, position: renumber(r.position, lineBase, recordBase)}));
		this.lines += s.lines;
		this.records += s.records;
		for (const n of s.notes) this.notes.add(n);
		if (s.damaged) this.damaged = true;
		const last = s.end === this.source.size;
		const notes = [...this.notes];
		const format = this.source.format;
		const size = this.source.size;
		const result: PartResult = {
			kind: 'part',
			meta: {path: s.path, member: null, format, byteSize: size, sha256: '', contentSize: 0, contentSha256: '', notes},
			part: this.parts++,
			status: last ? (this.damaged ? 'partial' : 'imported') : 'importing',
			events: s.events,
			rejected,
			inputOffset: s.end,
		};
		if (this.source.resumeOf !== undefined) result.resumeOf = this.source.resumeOf;
		if (last) {
			const sha = this.digests.get(-1) ?? '';
			const read = Number(this.digests.get(-2) ?? size);
			result.meta = {...result.meta, byteSize: read, sha256: sha, contentSize: read, contentSha256: sha};
		} else {
			const state: {reader: ReaderState; contentSha256: string; notes: string[]} = {
				reader: new LinesReader({r: 'lines', line: this.lines + 1, format}).state(),
				contentSha256: this.digests.get(s.end) ?? '',
				notes,
			};
			result.resume = {byteOffset: s.end, position: this.records, state: JSON.stringify(state)};
		}
		this.digests.delete(s.end);
		return result;
	}

	close(): void {
		void this.hasher.terminate();
	}
}

/** A rejection's place, counted from its segment's start, counted from the file's. */
function renumber(position: string, lines: number, records: number): string {
	return position.replace(/^(line|record) (\d+)/, (_, noun: string, n: string) => `${noun} ${Number(n) + (noun === 'line' ? lines : records)}`);
}

/** The first bytes: enough for the registry to recognise JSON Lines (registry.ts headBytes). */
const headBytes = 1024 * 1024;

/** The segments of a file, or undefined when it is not split (see the module comment). */
async function planFile(task: Task, known: KnownSources, resumes: ResumePoints): Promise<Omit<SplitSource, 'path' | 'size'> & {path: string; size: number} | undefined> {
	const key = knownKey(task.path, null);
	if (known.has(key) || scopeFile.test(task.path)) return undefined;
	let fd: number;
	try {
		fd = fs.openSync(task.path, 'r');
	} catch {
		return undefined; // the reader says why
	}
	try {
		const size = fs.fstatSync(fd).size;
		const head = Buffer.allocUnsafe(Math.min(size, headBytes));
		const n = fs.readSync(fd, head, 0, head.length, 0);
		if (sniffContainer(head.subarray(0, 512)).container !== 'none' || (head[0] === 0xff && head[1] === 0xfe)) return undefined;
		const w = new Window();
		w.push(head.subarray(0, n), n >= size);
		// As stream.ts reads the start: a byte order mark, blanks, then the reader the content asks for.
		const notes: string[] = [];
		let start = 0;
		if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
			start = 3;
			notes.push('byte order mark');
		}
		const s = skipSpace(w.text, start);
		if (s >= w.text.length || !(detectReader(w, s, task.path) instanceof LinesReader)) return undefined;
		const nl = w.text.indexOf('\n', s);
		let format = lineFormat(w.text.slice(s, nl < 0 ? w.text.length : nl));
		let lines = 0;
		let records = 0;
		let resumeOf: number | undefined;
		const resume = resumes.get(key);
		if (resume) {
			const state = JSON.parse(resume.state) as {reader: ReaderState; contentSha256: string; notes?: string[]};
			// Hashed here, before the load: a prefix that changed is left to the one-reader path, which closes it.
			if (state.reader.r !== 'lines' || resume.byteOffset > size || (await prefixSha256(fd, resume.byteOffset)) !== state.contentSha256) return undefined;
			notes.length = 0;
			notes.push(...(state.notes ?? []));
			notes.push(`continued at byte ${resume.byteOffset} of the content (record ${resume.position}) after an interrupted import; the bytes before it were hashed again, not read again`);
			format = state.reader.format as string;
			lines = (state.reader.line as number) - 1;
			records = resume.position;
			resumeOf = resume.sourceId;
			start = resume.byteOffset;
		} else start = s;
		const ends = segmentEnds(fd, start, size);
		if (!ends) return undefined;
		return {path: task.path, size, format, ends: [start, ...ends], lines, records, notes, resumeOf};
	} finally {
		fs.closeSync(fd);
	}
}

/**
 * Segment ends from `start`: the first line start at or after each multiple of segmentBytes, and
 * the file's size. Undefined when a line is longer than a record may be (the one-reader path skips
 * it without holding it).
 */
function segmentEnds(fd: number, start: number, size: number): number[] | undefined {
	const ends: number[] = [];
	const step = limits.segmentBytes;
	const buffer = Buffer.allocUnsafe(64 * 1024);
	let last = start;
	for (let nominal = (Math.floor(start / step) + 1) * step; nominal < size; nominal = Math.max(nominal + step, (Math.floor(last / step) + 1) * step)) {
		// The line holding byte nominal - 1 ends at its newline; the next line starts after it.
		let at = nominal - 1;
		let end = -1;
		while (end < 0 && at < size) {
			const n = fs.readSync(fd, buffer, 0, buffer.length, at);
			if (n === 0) break;
			const i = buffer.subarray(0, n).indexOf(0x0a);
			if (i >= 0) end = at + i + 1;
			else at += n;
			if (at - last > limits.maxRecordBytes) return undefined;
		}
		if (end < 0 || end >= size) break;
		if (end > last) ends.push((last = end));
	}
	ends.push(size);
	return ends;
}

async function prefixSha256(fd: number, bytes: number): Promise<string> {
	const hash = crypto.createHash('sha256');
	const buffer = Buffer.allocUnsafe(4 << 20);
	let at = 0;
	while (at < bytes) {
		const {bytesRead} = await new Promise<{bytesRead: number}>((resolve, reject) =>
			fs.read(fd, buffer, 0, Math.min(buffer.length, bytes - at), at, (error, bytesRead) => (error ? reject(error) : resolve({bytesRead}))),
		);
		if (bytesRead === 0) break;
		hash.update(buffer.subarray(0, bytesRead));
		at += bytesRead;
	}
	return hash.digest('hex');
}
