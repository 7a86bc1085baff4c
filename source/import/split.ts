import crypto from 'node:crypto';
import fs from 'node:fs';
import {Worker} from 'node:worker_threads';
import {limits, mib} from './limits.js';
import {isProgrammingError} from '../lib/errors.js';
import {gunzipHead, knownKey, type KnownSources, type ResumePoints, type SourceResult, type Task} from './process.js';
import {skipSpace} from './scan.js';
import {sniffContainer} from './decompress.js';
import {lineFormat} from './readers/records.js';
import {LinesReader} from './readers/lines.js';
import {detectReader} from './readers/registry.js';
import type {ReaderState} from './readers/reader.js';
import type {InflateMessage, SegmentResult} from './segment.js';
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

/** Where a split source's segments come from, and the hashes its parts need. */
interface Hashes {
	/** Whether the content digest at a segment's end is known. */
	has(end: number): boolean;
	/** The content digest at a segment's end (its resume point's check); taken once, when it commits. */
	at(end: number): string | undefined;
	/** The whole source's, once read to the end. */
	final(): {byteSize: number; sha256: string; contentSize: number; contentSha256: string; damage?: string} | undefined;
	close(): void;
}

/** Files the import reads in segments, and the thread hashing (or inflating) each. */
export class Splitter {
	private readonly sources = new Map<string, SplitState>();
	/** Segments of a gzip file, as its inflating thread sends them (pool.ts runs them as they come). */
	private add?: (tasks: Task[]) => void;
	private waiting: Task[] = [];
	private open = 0;
	private seq = 0;

	/** Replaces each large plain JSON Lines file of `tasks` by its segments (seq renumbered). */
	static async plan(tasks: Task[], context: {workers: number; known: KnownSources; resume: ResumePoints; workerFile: string; workerArgv: string[]}): Promise<{tasks: Task[]; splitter: Splitter}> {
		const splitter = new Splitter();
		if (context.workers < 2) return {tasks, splitter};
		const out: Task[] = [];
		for (const [i, task] of tasks.entries()) {
			if (task.bytes || context.known.has(knownKey(task.path, null)) || scopeFile.test(task.path)) {
				out.push({...task, seq: out.length});
				continue;
			}
			// A gzip file's segments come while it is read, so they can only follow every other task.
			const gzip = i === tasks.length - 1 && task.size >= limits.splitBytes / gzipRatio && !context.resume.has(knownKey(task.path, null)) ? await unlessUnreadable(planGzip(task)) : undefined;
			if (gzip) {
				splitter.open++;
				splitter.sources.set(task.path, new SplitState(gzip, new Inflating(splitter, gzip, context.workers, context.workerFile, context.workerArgv)));
				continue;
			}
			const plan = task.size < limits.splitBytes ? undefined : await unlessUnreadable(planFile(task, context.resume));
			if (!plan) {
				out.push({...task, seq: out.length});
				continue;
			}
			let start = plan.ends[0];
			for (const end of plan.ends.slice(1)) {
				out.push({seq: out.length, path: task.path, size: end - start, segment: {start, end, fileSize: plan.size, format: plan.format, last: end === plan.size}});
				start = end;
			}
			splitter.sources.set(task.path, new SplitState(plan, new Hashing({...plan, ends: plan.ends.slice(1)}, context.workerFile, context.workerArgv)));
		}
		splitter.seq = out.length;
		return {tasks: out, splitter};
	}

	/** pool.ts: where to send segments that come later; whether more may come. */
	subscribe(add: (tasks: Task[]) => void): void {
		this.add = add;
		if (this.waiting.length > 0) add(this.waiting.splice(0));
	}

	get pending(): boolean {
		return this.open > 0;
	}

	/** A gzip file's inflating ended without a last segment (stopped at a bomb): no more segments come. */
	ended(): void {
		this.open--;
	}

	/** An inflated segment, to be parsed by a worker. */
	segment(task: Omit<Task, 'seq'>, last: boolean): void {
		const t = {...task, seq: this.seq++};
		if (last) this.open--;
		if (this.add) this.add([t]);
		else this.waiting.push(t);
	}

	/** Whether the hashes a chunk's segments need are known (else the writer waits for the hashing thread). */
	ready(results: SourceResult[]): boolean {
		return results.every(r => r.kind !== 'segment' || this.sources.get(r.path)!.ready(r));
	}

	/** A segment as the part of its source it is, numbered for the whole file (undefined: after a bomb, not read). Call in file order. */
	part(segment: SegmentResult): PartResult | undefined {
		return this.sources.get(segment.path)!.part(segment);
	}

	/** Stops the hashing and inflating threads (the import ended or stopped). */
	close(): void {
		for (const s of this.sources.values()) s.close();
	}
}

/** The usual ratio of CloudTrail JSON to its gzip: a gzip file this much smaller than splitBytes holds about as much. */
const gzipRatio = 8;

/** The hashing thread of a plain file: digests at every segment end, and of the whole file. */
class Hashing implements Hashes {
	private readonly digests = new Map<number, string>();
	private whole?: {sha256: string; size: number};
	private readonly worker: Worker;

	constructor(source: SplitSource, workerFile: string, workerArgv: string[]) {
		this.worker = new Worker(workerFile, {workerData: {role: 'hash', path: source.path, offsets: source.ends.slice(0, -1)}, argv: workerArgv});
		this.worker.on('message', (m: {offset: number; sha256: string; end?: boolean}) => {
			if (m.end) this.whole = {sha256: m.sha256, size: m.offset};
			else this.digests.set(m.offset, m.sha256);
		});
		// The file cannot be read whole (a read failed): the source closes with no hash rather than a wrong one.
		this.worker.on('error', () => (this.whole = {sha256: '', size: source.size}));
	}

	has(end: number): boolean {
		return this.digests.has(end) || this.whole !== undefined;
	}

	at(end: number): string | undefined {
		const d = this.digests.get(end) ?? (this.whole ? '' : undefined);
		if (d !== undefined) this.digests.delete(end);
		return d;
	}

	final() {
		return this.whole && {byteSize: this.whole.size, sha256: this.whole.sha256, contentSize: this.whole.size, contentSha256: this.whole.sha256};
	}

	close(): void {
		void this.worker.terminate();
	}
}

/** The inflating thread of a gzip file: segments with their digests as it goes, and the hashes at the end. */
class Inflating implements Hashes {
	private readonly digests = new Map<number, string>();
	private end?: Extract<InflateMessage, {type: 'end'}>;
	private readonly worker: Worker;
	/** Suspect output (past the ratio bound): checked for a decompression bomb at every segment. */
	suspect = false;
	private lastSent = false;

	constructor(splitter: Splitter, source: SplitSource & {skip: number}, workers: number, workerFile: string, workerArgv: string[]) {
		// Segments inflated and not yet committed: enough to keep every worker busy, few enough to bound memory.
		const credits = 2 * workers + 2;
		this.worker = new Worker(workerFile, {workerData: {role: 'inflate', path: source.path, size: source.size, skip: source.skip, credits, limits: {...limits}}, argv: workerArgv});
		this.worker.on('message', (m: InflateMessage) => {
			if (m.type === 'end') {
				this.end = m;
				if (!this.lastSent) splitter.ended();
				return;
			}
			if (m.last) this.lastSent = true;
			if (m.suspect) this.suspect = true;
			if (!m.last) this.digests.set(m.end, m.sha256);
			splitter.segment({path: source.path, size: m.end - m.start, bytes: m.bytes, segment: {start: m.start, end: m.end, fileSize: source.size, format: source.format, last: m.last, inputOffset: m.inputOffset}}, m.last);
		});
		this.worker.on('error', error => {
			if (this.lastSent || this.end) return;
			this.lastSent = true;
			this.end = {type: 'end', inputSha256: '', inputBytes: source.size, contentSha256: '', contentBytes: 0, damage: `cannot read: ${error.message}`, ratio: '', suspect: false};
			splitter.segment({path: source.path, size: 0, bytes: new Uint8Array(0), segment: {start: 0, end: 0, fileSize: source.size, format: source.format, last: true}}, true);
		});
	}

	has(): boolean {
		return true; // a segment comes with its digest
	}

	at(end: number): string | undefined {
		const d = this.digests.get(end);
		this.digests.delete(end);
		// A segment committed: the thread may inflate one more.
		this.worker.postMessage({type: 'credit'});
		return d;
	}

	final() {
		const e = this.end;
		return e && {byteSize: e.inputBytes, sha256: e.inputSha256, contentSize: e.contentBytes, contentSha256: e.contentSha256, damage: e.damage};
	}

	/** A decompression bomb: inflate no more; the rest of the compressed bytes is read only to be hashed. */
	stop(): void {
		this.worker.postMessage({type: 'stop'});
	}

	get ratio(): string | undefined {
		return this.end?.ratio;
	}

	close(): void {
		void this.worker.terminate();
	}
}

/** Numbering and closing one split source, segment after segment in file order. */
class SplitState {
	private lines: number;
	private records: number;
	private parts = 0;
	private readonly notes: Set<string>;
	private damaged = false;
	/** Content offset just past the last record taken, as of the segments found ready (decompression-bomb check). */
	private progressAt: number;
	/** Where a decompression bomb was found: after `at`, up to `end`, no record. */
	private bomb?: {at: number; end: number};
	private done = false;

	constructor(
		private readonly source: SplitSource,
		private readonly hashes: Hashes,
	) {
		this.lines = source.lines;
		this.records = source.records;
		this.progressAt = source.ends[0] ?? 0;
		this.notes = new Set(source.notes);
	}

	/**
	 * Called for each segment in file order until it says yes (then it commits): whether its hashes
	 * are known. It also judges a suspect gzip's output as stream.ts does (this much output in a row
	 * without a record that imports is a decompression bomb): the inflating thread is stopped there.
	 */
	ready(s: SegmentResult): boolean {
		if (this.bomb && s.start >= this.bomb.end) return true; // after a bomb: not read (part() drops it)
		const progress = s.progress >= 0 ? s.start + s.progress : this.progressAt;
		if (this.hashes instanceof Inflating && this.hashes.suspect && !s.last && s.end - progress > limits.bombWindowBytes) {
			if (!this.bomb) {
				this.bomb = {at: progress, end: s.end};
				this.hashes.stop();
			}
			return this.hashes.final() !== undefined;
		}
		if (s.last) return this.hashes.final() !== undefined;
		if (!this.hashes.has(s.end)) return false;
		this.progressAt = progress;
		return true;
	}

	part(s: SegmentResult): PartResult | undefined {
		if (this.done) return undefined;
		const lineBase = this.lines;
		const recordBase = this.records;
		for (const e of s.events) e.position += recordBase;
		const rejected = s.rejected.map(r => ({...r, position: renumber(r.position, lineBase, recordBase)}));
		this.lines += s.lines;
		this.records += s.records;
		for (const n of s.notes) this.notes.add(n);
		if (s.damaged) this.damaged = true;
		const format = this.source.format;
		const result: PartResult = {
			kind: 'part',
			meta: {path: s.path, member: null, format, byteSize: this.source.size, sha256: '', contentSize: 0, contentSha256: '', notes: [...this.notes]},
			part: this.parts++,
			status: 'importing',
			events: s.events,
			rejected,
			inputOffset: s.inputOffset,
		};
		if (this.source.resumeOf !== undefined) result.resumeOf = this.source.resumeOf;
		const inflating = this.hashes instanceof Inflating ? this.hashes : undefined;
		const digest = this.hashes.at(s.end);
		const bombHere = this.bomb !== undefined && s.end === this.bomb.end;
		if (s.last || bombHere) {
			const final = this.hashes.final()!;
			this.done = true;
			if (bombHere) {
				const {at, end} = this.bomb!;
				const reason = `decompresses to ${inflating?.ratio ?? `more than ${limits.maxRatio}×`} of its ${final.byteSize} compressed bytes, and ${mib(end - at)} of the output after byte ${at} hold no record (possible decompression bomb)`;
				rejected.push({position: `byte ${at} of the decompressed content`, reason: `${reason}; the rest was not read`});
				this.damaged = true;
			}
			if (final.damage) {
				this.notes.add(final.damage);
				rejected.push({position: `byte ${final.contentSize} of the decompressed content`, reason: `${final.damage}; the records before it were imported`});
			}
			result.status = this.damaged || final.damage ? 'partial' : 'imported';
			result.meta = {...result.meta, notes: [...this.notes], byteSize: final.byteSize, sha256: final.sha256, contentSize: final.contentSize, contentSha256: bombHere ? '' : final.contentSha256};
			return result;
		}
		const state: {reader: ReaderState; contentSha256: string; notes: string[]} = {
			reader: new LinesReader({r: 'lines', line: this.lines + 1, format}).state(),
			contentSha256: digest ?? '',
			notes: [...this.notes],
		};
		result.resume = {byteOffset: s.end, position: this.records, state: JSON.stringify(state)};
		return result;
	}

	close(): void {
		this.hashes.close();
	}
}

/** A rejection's place, counted from its segment's start, counted from the file's. */
function renumber(position: string, lines: number, records: number): string {
	return position.replace(/^(line|record) (\d+)/, (_, noun: string, n: string) => `${noun} ${Number(n) + (noun === 'line' ? lines : records)}`);
}

/**
 * A file that cannot be read while planning (gone since the walk, an I/O error) is not split: the
 * one-reader path reads it and rejects it with the reason, and the rest of the import goes on.
 */
async function unlessUnreadable<T>(plan: Promise<T | undefined>): Promise<T | undefined> {
	try {
		return await plan;
	} catch (error) {
		if (isProgrammingError(error)) throw error;
		return undefined;
	}
}

/** The first bytes: enough for the registry to recognise JSON Lines (registry.ts headBytes). */
const headBytes = 1024 * 1024;

/** The segments of a file, or undefined when it is not split (see the module comment). */
async function planFile(task: Task, resumes: ResumePoints): Promise<SplitSource | undefined> {
	const key = knownKey(task.path, null);
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
		if (sniffContainer(head.subarray(0, 512)).container !== 'none') return undefined;
		// As stream.ts reads the start: a byte order mark, blanks, then the reader the content asks for.
		const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
		const notes: string[] = bom ? ['byte order mark'] : [];
		const first = lineStart(head.subarray(0, n), n >= size, bom ? 3 : 0, task.path);
		if (!first) return undefined;
		let start: number;
		let {format} = first;
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
		} else start = first.s;
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

/** A gzip file whose content reads as JSON Lines: inflated on one thread, its segments parsed on the others. */
async function planGzip(task: Task): Promise<(SplitSource & {skip: number}) | undefined> {
	const fd = fs.openSync(task.path, 'r');
	const magic = Buffer.alloc(2);
	try {
		fs.readSync(fd, magic, 0, 2, 0);
	} finally {
		fs.closeSync(fd);
	}
	if (sniffContainer(magic).container !== 'gzip') return undefined;
	const head = await gunzipHead(task.path, headBytes);
	const start = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
	const first = lineStart(head, head.length < headBytes, start, task.path);
	if (!first || sniffContainer(head.subarray(0, 512)).container !== 'none') return undefined;
	return {path: task.path, size: task.size, format: first.format, ends: [first.s], lines: 0, records: 0, notes: start ? ['byte order mark'] : [], skip: first.s};
}

/** Where the first record starts and the format of the first line, if the content is JSON Lines (as stream.ts decides). */
function lineStart(head: Buffer, eof: boolean, start: number, name: string): {s: number; format: string} | undefined {
	if (head[0] === 0xff && head[1] === 0xfe) return undefined;
	const w = new Window();
	w.push(head, eof);
	const s = skipSpace(w.text, start);
	if (s >= w.text.length || !(detectReader(w, s, name) instanceof LinesReader)) return undefined;
	const nl = w.text.indexOf('\n', s);
	return {s, format: lineFormat(w.text.slice(s, nl < 0 ? w.text.length : nl))};
}
