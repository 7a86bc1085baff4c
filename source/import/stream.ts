import crypto from 'node:crypto';
import {Readable, Transform} from 'node:stream';
import zlib from 'node:zlib';
import {RawBlockBuilder} from '../db/raw.js';
import {Collector, type ReadEvent, type Rejected} from './collector.js';
import {decompressCap, limits, mib} from './limits.js';
import {skipSpace} from './scan.js';
import {Window} from './window.js';
import {detectReader, resumeReader} from './readers/registry.js';
import type {DigestRow, Reader, ReaderState} from './readers/reader.js';
import type {SourceInfo} from '../db/store.js';

/**
 * Reads one source (a file or an archive member, plain or gzip) through the readers, streaming:
 * content flows through a Window, records leave in parts of `limits.partRecords`, each part with
 * a resume point. A source that fits in one part leaves as one 'source' result, as small S3 log
 * files always do.
 */

/** A source as read: its provenance, with the notes the readers made. */
export type SourceMeta = SourceInfo & {notes: string[]};

/** Where a streamed source stands after a committed part: enough to continue in a later run. */
export interface ResumePoint {
	/** Content offset of the next record (decompressed bytes). */
	byteOffset: number;
	/** Record index of the next record. */
	position: number;
	/** JSON: the reader's state and the SHA-256 of the content before byteOffset. */
	state: string;
}

export type PartResult = {
	kind: 'part';
	meta: SourceMeta;
	/** Counts from 0 within this run. */
	part: number;
	/** Id of the 'importing' source row of an earlier run this continues. */
	resumeOf?: number;
	/** 'importing' on every part but the last. */
	status: 'importing' | 'imported' | 'partial';
	events: ReadEvent[];
	rejected: Rejected[];
	/** Raw blocks of this part's events (when the reader made its own builder). */
	rawBlocks?: Uint8Array[];
	/** Absent on the last part. */
	resume?: ResumePoint;
	/** Input bytes read so far (for progress within a large file). */
	inputOffset: number;
};

export type StreamResult =
	| {kind: 'source'; meta: SourceMeta; status: 'imported' | 'partial'; events: ReadEvent[]; rawBlocks?: Uint8Array[]; rejected: Rejected[]}
	| PartResult
	| {kind: 'digest'; meta: SourceMeta; digest: DigestRow}
	| {kind: 'rejected'; path: string; member: string | null; position: string | null; reason: string}
	/** mfatrail itself failed while reading (a bug, not the source's fault): the import stops. */
	| {kind: 'failed'; path: string; member: string | null; error: string}
	| {kind: 'skipped'; path: string; member: string | null; reason: string};

/** The 'importing' row of an earlier run for this source, and where it stopped. */
export type ResumeFrom = ResumePoint & {sourceId: number};

export interface ContentInput {
	path: string;
	member: string | null;
	/** The bytes as read, whole; or `stream` of them. */
	bytes?: Buffer;
	stream?: Readable;
	/** Bytes as read, when known up front (for progress); the count read is what is stored. */
	size: number;
	gzip: boolean;
	/** SHA-256 of `bytes`, when the caller hashed them already. */
	sha256?: string;
	/** The compression ratio is known to be suspect already (declared zip sizes). */
	suspect?: boolean;
	resume?: ResumeFrom;
	/** Reading stopped early drains the stream instead of destroying it (a tar member: the archive goes on). */
	drainOnStop?: boolean;
	/** The raw block builder to pack record texts into; else one per part, sent with it. */
	raw?: RawBlockBuilder;
}

export type Emit = (result: StreamResult) => Promise<void> | void;

/** The scope file `mfatrail scope` writes beside a scoped download (not evidence). */
export const scopeFile = /(^|\/)mfatrail-scope\.json$/;

/** Bytes as read and content, hashed and counted as they flow; damage noted. */
export class Feed {
	inputBytes = 0;
	contentBytes = 0;
	damage?: string;
	suspect: boolean;
	/** The bytes as read on their way to the inflater (streamed gzip input), and the inflater. */
	counted?: Readable;
	inflater?: Readable;
	/** Streams to release when reading stops early. */
	streams: Readable[] = [];
	/** A UTF-16 source's own content hash and size (the readers see it as UTF-8). */
	original?: {sha256: string; size: number};
	private inputHash?: crypto.Hash;
	private inputSha?: string;
	private iterator?: AsyncIterator<Buffer>;
	private whole?: Buffer;
	private ended = false;

	constructor(private readonly input: ContentInput) {
		this.suspect = Boolean(input.suspect);
		const {bytes} = input;
		if (bytes) {
			this.inputBytes = bytes.length;
			this.inputSha = input.sha256 ?? sha256(bytes);
			if (!input.gzip) this.whole = bytes;
			else {
				const inflated = gunzipWhole(bytes);
				if (inflated.content) {
					this.whole = inflated.content;
					this.damage = inflated.damage;
				} else {
					// More than the ratio allows: suspect, and streamed so that it is judged by what it holds.
					this.suspect = true;
					this.iterator = inflate(Readable.from([bytes]), this)[Symbol.asyncIterator]();
				}
			}
		} else {
			this.inputHash = crypto.createHash('sha256');
			const counted = (this.counted = tap(input.stream!, this));
			this.iterator = (input.gzip ? inflate(counted, this) : counted)[Symbol.asyncIterator]();
		}
	}

	/** At least `min` more bytes of content (fewer at the end); eof once nothing follows. */
	async take(min: number): Promise<{chunk: Buffer; eof: boolean}> {
		if (this.whole) {
			const chunk = this.whole;
			this.whole = undefined;
			this.ended = true;
			this.contentBytes += chunk.length;
			return {chunk, eof: true};
		}
		if (this.ended || !this.iterator) return {chunk: Buffer.alloc(0), eof: true};
		const parts: Buffer[] = [];
		let size = 0;
		while (size < min) {
			let next: IteratorResult<Buffer>;
			try {
				next = await this.iterator.next();
			} catch (error) {
				if ((error as {inputError?: boolean}).inputError) throw error;
				this.damage = `gzip stream damaged (${(error as Error).message}) in ${this.inputBytes} compressed bytes; ${this.contentBytes + size} bytes recovered before the damage`;
				this.ended = true;
				break;
			}
			if (next.done) {
				this.ended = true;
				break;
			}
			parts.push(next.value);
			size += next.value.length;
		}
		this.contentBytes += size;
		this.checkRatio();
		return {chunk: parts.length === 1 ? parts[0] : Buffer.concat(parts, size), eof: this.ended};
	}

	private checkRatio(): void {
		if (this.input.gzip && this.contentBytes > limits.ratioFloorBytes && this.contentBytes > this.inputBytes * limits.maxRatio) this.suspect = true;
	}

	/**
	 * Reads the rest of the compressed input without inflating it, so the source's SHA-256 of the
	 * bytes as read covers the whole file even when inflating stopped (a bomb).
	 */
	async finishInput(): Promise<void> {
		const counted = this.counted;
		if (!counted || !this.input.gzip) return;
		this.counted = undefined;
		this.inflater?.destroy();
		counted.unpipe();
		for await (const chunk of counted) void chunk;
	}

	/** Stops reading (a bomb): the streams are released. */
	async stop(): Promise<void> {
		this.ended = true;
		for (const stream of this.streams) {
			if (this.input.drainOnStop) {
				stream.unpipe();
				stream.resume();
			} else stream.destroy();
		}
		await this.iterator?.return?.();
	}

	countInput(chunk: Buffer): void {
		this.inputBytes += chunk.length;
		this.inputHash?.update(chunk);
	}

	/** SHA-256 of the bytes as read; for plain input the content's (the same bytes). */
	inputSha256(content: string): string {
		if (this.inputSha) return this.inputSha;
		if (!this.input.gzip) return this.original?.sha256 ?? content;
		return (this.inputSha = this.inputHash!.digest('hex'));
	}

	/** How much the content outgrew its compressed bytes, for a bomb's reason. */
	ratio(): string {
		const ratio = this.contentBytes / Math.max(1, this.inputBytes);
		return ratio > limits.maxRatio ? `${Math.round(ratio)}×` : `more than ${limits.maxRatio}×`;
	}
}

const sha256 = (b: Uint8Array) => (crypto.hash ? crypto.hash('sha256', b, 'hex') : crypto.createHash('sha256').update(b).digest('hex'));

/** Counts and hashes the bytes as read on their way to the inflater (or the window). */
function tap(source: Readable, feed: Feed): Readable {
	const counted = new Transform({
		transform(chunk: Buffer, _enc, done) {
			feed.countInput(chunk);
			done(null, chunk);
		},
	});
	source.on('error', error => counted.destroy(Object.assign(error, {inputError: true})));
	feed.streams.push(source);
	return source.pipe(counted);
}

function inflate(input: Readable, feed: Feed): Readable {
	const gunzip = zlib.createGunzip({chunkSize: Math.max(64, Math.min(256 * 1024, limits.readBytes))});
	feed.inflater = gunzip;
	input.on('error', error => gunzip.destroy(error));
	// At the end of the input, flush before finishing: a gzip cut short then yields every byte
	// inflated before the cut (a plain end would drop the last output chunk with the error). The end
	// waits until that output is read: the error a cut stream ends with discards output not yet read
	// (split.ts reads at the pace of the workers, so the last chunk is often still waiting).
	const endWhenRead = () => {
		if (gunzip.destroyed) return;
		if (gunzip.readableLength > 0) setTimeout(endWhenRead, 5);
		else gunzip.end();
	};
	input.on('end', () => {
		if (!gunzip.destroyed) gunzip.flush(zlib.constants.Z_SYNC_FLUSH, endWhenRead);
	});
	return input.pipe(gunzip, {end: false});
}

/** A gzip held in memory, inflated at once unless it inflates past the ratio cap (then streamed). */
function gunzipWhole(bytes: Buffer): {content?: Buffer; damage?: string} {
	const cap = decompressCap(bytes.length);
	try {
		return {content: zlib.gunzipSync(bytes, {maxOutputLength: cap})};
	} catch (error) {
		if (tooLarge(error)) return {};
		const message = (error as Error).message;
		try {
			const content = zlib.gunzipSync(bytes, {maxOutputLength: cap, finishFlush: zlib.constants.Z_SYNC_FLUSH});
			return {content, damage: `gzip stream damaged (${message}) in ${bytes.length} compressed bytes; ${content.length} bytes recovered before the damage`};
		} catch (second) {
			if (tooLarge(second)) return {};
			return {content: Buffer.alloc(0), damage: `not a readable gzip stream: ${message}`};
		}
	}
}

function tooLarge(error: unknown): boolean {
	const code = (error as NodeJS.ErrnoException).code;
	return code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError;
}

/**
 * Reads one source to the end (or to damage), emitting its parts or its one result. 'restart': the
 * source was to be continued from a resume point but changed since; read it again without one.
 */
export async function readSource(input: ContentInput, emit: Emit): Promise<void | 'restart'> {
	const feed = new Feed(input);
	try {
		return await read(input, feed, emit);
	} finally {
		await feed.stop();
	}
}

async function read(input: ContentInput, feed: Feed, emit: Emit): Promise<void | 'restart'> {
	const {path, member} = input;
	const name = member ?? path;
	const w = new Window();
	const notes: string[] = [];
	const newBuilder = () => input.raw ?? new RawBlockBuilder();
	const resume = input.resume;
	const out = new Collector(newBuilder(), resume?.position ?? 0, limits.partRecords, limits.partBytes);
	let part = 0;

	// The first bytes: enough to recognise the format (and a UTF-16 or UTF-8 byte order mark).
	let first = await feed.take(Math.min(64 * 1024, limits.readBytes));
	if (first.chunk.length === 0 && first.eof && feed.damage?.startsWith('not a readable')) {
		return emit({kind: 'rejected', path, member, position: null, reason: feed.damage});
	}
	if (first.chunk[0] === 0xff && first.chunk[1] === 0xfe && !resume) {
		const whole = await utf16(feed, first.chunk);
		if (whole) feed.original = {sha256: sha256(whole.original), size: whole.original.length};
		if (!whole) return emit({kind: 'rejected', path, member, position: null, reason: `UTF-16 text of more than ${mib(limits.maxSourceBytes)}: convert it to UTF-8`});
		notes.push('UTF-16LE text');
		first = {chunk: whole.utf8, eof: true};
	}
	w.push(first.chunk, first.eof);

	let reader: Reader | undefined;
	if (resume) {
		const state = JSON.parse(resume.state) as {reader: ReaderState; contentSha256: string; notes?: string[]};
		// Content before the resume point was committed by an earlier run: hashed again (the source's
		// hashes cover the whole file), checked against what that run saw, not parsed again.
		while (w.at(w.bytes.length) < resume.byteOffset && !w.eof) {
			w.pos = w.bytes.length;
			const next = await feed.take(limits.readBytes);
			w.push(next.chunk, next.eof);
		}
		const changed =
			w.at(w.bytes.length) < resume.byteOffset
				? `is now shorter than the ${resume.byteOffset} bytes`
				: ((w.pos = resume.byteOffset - w.base), w.prefixSha256() !== state.contentSha256)
					? `no longer has the first ${resume.byteOffset} bytes`
					: undefined;
		if (changed) {
			// The evidence changed since: the interrupted source keeps what it holds, closed as partial;
			// the caller reads the file again from its start as a new source.
			const again = input.stream && member !== null ? 'run the import again to read the member as it is now' : 'the file as it is now is imported again as a new source';
			const reason = `the evidence changed after this import was interrupted: it ${changed} whose ${resume.position} records were imported; those are kept, and ${again}`;
			await emit({
				kind: 'part',
				meta: {path, member, format: (state.reader.format as string | undefined) ?? 'unknown', byteSize: input.size, sha256: '', contentSize: 0, contentSha256: '', notes: [reason]},
				part: 0,
				resumeOf: resume.sourceId,
				status: 'partial',
				events: [],
				rejected: [{position: `byte ${resume.byteOffset} of the decompressed content`, reason}],
				rawBlocks: input.raw ? undefined : [],
				inputOffset: feed.inputBytes,
			});
			return 'restart';
		}
		notes.push(...(state.notes ?? []));
		out.progressAt = resume.byteOffset;
		notes.push(`continued at byte ${resume.byteOffset} of the content (record ${resume.position}) after an interrupted import; the bytes before it were hashed again, not read again`);
		reader = resumeReader(state.reader, name);
		if (!reader) return emit({kind: 'rejected', path, member, position: null, reason: `cannot continue: unknown reader ${state.reader.r}`});
	} else {
		// Written by mfatrail scope beside a scoped download; the import command records it.
		if (scopeFile.test(name)) return emit({kind: 'skipped', path, member, reason: 'mfatrail scope file (recorded as the case scope)'});
		let start = 0;
		if (w.bytes[0] === 0xef && w.bytes[1] === 0xbb && w.bytes[2] === 0xbf) {
			start = 3;
			notes.push('byte order mark');
		}
		for (;;) {
			const s = skipSpace(w.text, start);
			if (s >= w.text.length && w.eof) {
				if (feed.damage) return emit({kind: 'rejected', path, member, position: null, reason: feed.damage});
				return emit({kind: 'skipped', path, member, reason: w.bytes.length === 0 ? 'empty file' : 'only white space'});
			}
			const found = s < w.text.length ? detectReader(w, s, name) : 'more';
			if (found !== 'more') {
				reader = found;
				w.pos = s;
				break;
			}
			const next = await feed.take(refill(w));
			w.push(next.chunk, next.eof);
		}
	}

	const meta = (): SourceMeta => ({
		path,
		member,
		format: reader!.format,
		byteSize: Math.max(input.size, feed.inputBytes),
		sha256: '',
		contentSize: 0,
		contentSha256: '',
		notes: [...notes, ...out.notes],
	});
	const emitPart = async (status: PartResult['status'], final?: {meta: SourceMeta}) => {
		const {events, rejected} = out.take();
		const rawBlocks = input.raw ? undefined : out.raw.finish();
		const result: PartResult = {kind: 'part', meta: final?.meta ?? meta(), part: part++, status, events, rejected, rawBlocks, inputOffset: feed.inputBytes};
		if (resume) result.resumeOf = resume.sourceId;
		if (!final) {
			result.resume = {
				byteOffset: w.at(w.pos),
				position: out.position,
				state: JSON.stringify({reader: reader!.state(), contentSha256: w.prefixSha256(), notes: [...notes, ...out.notes]}),
			};
		}
		if (!input.raw) out.raw = newBuilder();
		await emit(result);
	};

	// Read, refill, cut parts; stop early on a decompression bomb.
	let bomb: string | undefined;
	for (;;) {
		const step = reader.read(w, out);
		if (step === 'done') break;
		if (step === 'more' && w.eof) throw new Error(`${reader.format} reader stalled at byte ${w.at(w.pos)}`);
		if (step === 'cut') {
			await emitPart('importing');
			continue;
		}
		if (feed.suspect && w.at(w.text.length) - out.progressAt > limits.bombWindowBytes) {
			bomb = `decompresses to ${feed.ratio()} of its ${feed.inputBytes} compressed bytes, and ${mib(w.at(w.text.length) - out.progressAt)} of the output after byte ${out.progressAt} hold no record (possible decompression bomb)`;
			break;
		}
		const next = await feed.take(refill(w));
		w.push(next.chunk, next.eof);
	}

	// Whole-source outcomes (a digest, not evidence, damage before any record).
	const whole = reader.whole;
	if (whole && part === 0) {
		if (whole.kind === 'skipped') return emit({kind: 'skipped', path, member, reason: whole.reason});
		if (whole.kind === 'rejected') {
			let reason = whole.reason;
			if (feed.suspect) reason = `decompresses to ${feed.ratio()} of its ${feed.inputBytes} compressed bytes into content that is not records: ${reason} (possible decompression bomb)`;
			else if (feed.damage) reason = `${reason} (${feed.damage})`;
			return emit({kind: 'rejected', path, member, position: feed.suspect ? null : whole.position, reason});
		}
	}
	if (bomb) {
		await feed.finishInput();
		await feed.stop();
		if (part === 0 && out.events.length === 0) return emit({kind: 'rejected', path, member, position: null, reason: bomb});
		out.rejected.push({position: `byte ${out.progressAt} of the decompressed content`, reason: `${bomb}; the rest was not read`});
		out.damaged = true;
	} else {
		// The rest of the content (after damage, or blanks after the last document) is hashed, not read.
		while (!w.eof) {
			w.pos = w.text.length;
			const next = await feed.take(limits.readBytes);
			w.push(next.chunk, next.eof);
		}
	}
	w.pos = 0;
	const contentSize = feed.original?.size ?? w.at(w.bytes.length);
	const contentSha256 = bomb ? '' : (feed.original?.sha256 ?? w.contentSha256());
	if (feed.damage) {
		notes.push(feed.damage);
		out.rejected.push({position: `byte ${contentSize} of the decompressed content`, reason: `${feed.damage}; the records before it were imported`});
	}
	const final: SourceMeta = {...meta(), byteSize: feed.inputBytes, sha256: feed.inputSha256(contentSha256), contentSize, contentSha256};
	if (whole?.kind === 'digest') return emit({kind: 'digest', meta: {...final, format: 'digest'}, digest: whole.digest});
	const status = feed.damage || out.damaged ? 'partial' : 'imported';
	if (part > 0 || resume) return emitPart(status, {meta: final});
	const {events, rejected} = out.take();
	return emit({kind: 'source', meta: final, status, events, rejected, rawBlocks: input.raw ? undefined : out.raw.finish()});
}

/**
 * How much to read next: a read's worth, or as much again as the window holds when a record spans
 * it (so a long record costs a few refills, not one per read), but never far past the largest
 * record allowed: a window past it means the record is rejected as too large.
 */
function refill(w: Window): number {
	return Math.max(limits.readBytes, Math.min(w.size, limits.maxRecordBytes + limits.readBytes - w.size));
}

/** A UTF-16LE source, read whole (at most maxSourceBytes) and turned into UTF-8 for the readers. */
async function utf16(feed: Feed, first: Buffer): Promise<{utf8: Buffer; original: Buffer} | undefined> {
	const parts = [first];
	let size = first.length;
	for (;;) {
		const next = await feed.take(limits.readBytes);
		parts.push(next.chunk);
		size += next.chunk.length;
		if (size > limits.maxSourceBytes) return undefined;
		if (next.eof) break;
	}
	const original = Buffer.concat(parts, size);
	return {utf8: Buffer.from(original.subarray(2).toString('utf16le'), 'utf8'), original};
}
