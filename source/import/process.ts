import {isProgrammingError} from '../lib/errors.js';
import crypto from 'node:crypto';
import fs from 'node:fs';
import {PassThrough, Readable, Transform} from 'node:stream';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import yauzl from 'yauzl';
import {RawBlockBuilder} from '../db/raw.js';
import {decompressCap, limits, mib} from './limits.js';
import {sniffContainer} from './decompress.js';
import {readSource, type ResumeFrom, type StreamResult} from './stream.js';
import {readSegment, type SegmentResult, type SegmentTask} from './segment.js';

export type {SourceMeta, ResumeFrom} from './stream.js';

/**
 * Turns one input (a file, or stdin's bytes) into sources: the file itself, or each member of an
 * archive, each read by stream.ts. Runs in a worker thread (worker.ts) or inline; it never touches
 * the case file.
 */

export interface Task {
	seq: number;
	/** The path as stored in provenance (resolved), or '-' for stdin. */
	path: string;
	size: number;
	/** stdin's bytes (or an inflated segment's); files are read by the task itself. */
	bytes?: Uint8Array;
	/** Whole lines of a large JSON Lines file, read beside its other segments (split.ts). */
	segment?: SegmentTask;
}

export type SourceResult =
	| StreamResult
	| SegmentResult
	/** The same bytes from the same place were imported before (sourceId of that row). */
	| {kind: 'known'; path: string; member: string | null; sourceId: number};

export type Emit = (result: SourceResult) => Promise<void> | void;

/** path NUL member → [sha256 of bytes as read, source id] of sources already in the case file. */
export type KnownSources = Map<string, [string, number]>;
/** path NUL member → where an interrupted import of that source stopped (status 'importing'). */
export type ResumePoints = Map<string, ResumeFrom>;
export const knownKey = (path: string, member: string | null) => `${path}\0${member ?? ''}`;

const sha256 = (b: Uint8Array) => (crypto.hash ? crypto.hash('sha256', b, 'hex') : crypto.createHash('sha256').update(b).digest('hex'));

/** What a task reads with: sources already imported, interrupted ones to continue, where record texts go. */
interface Context {
	emit: Emit;
	known: KnownSources;
	resume: ResumePoints;
	raw?: RawBlockBuilder;
	/** Archive members read so far (nested archives count towards their parent). */
	members: number;
}

/** Files (and archive members) up to this size are read whole; larger ones stream. */
const wholeBytes = () => Math.min(16 * 1024 * 1024, limits.maxSourceBytes);

export async function processTask(task: Task, emit: Emit, known: KnownSources, resume: ResumePoints = new Map(), raw?: RawBlockBuilder): Promise<void> {
	const ctx: Context = {emit, known, resume, raw, members: 0};
	try {
		if (task.segment) return await emit(readSegment(task.path, task.segment, raw ?? new RawBlockBuilder(), task.bytes));
		if (task.bytes) return await unit(Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength), task.path, null, 0, ctx);
		// Most evidence files are small: read them once, whole. Larger ones stream from disk.
		if (task.size <= wholeBytes()) return await unit(fs.readFileSync(task.path), task.path, null, 0, ctx);
		const head = readHead(task.path);
		const {container, name} = sniffContainer(head);
		if (container === 'unsupported') return await emit({kind: 'rejected', path: task.path, member: null, position: null, reason: `${name} compression is not supported (decompress it first)`});
		if (container === 'zip') return await zipEntries(task.path, task.path, null, 1, ctx);
		if (container === 'tar') return await tarEntries(fs.createReadStream(task.path), task.path, null, 1, ctx);
		if (container === 'gzip' && isTar(await gunzipHead(task.path))) {
			return await tarEntries(fs.createReadStream(task.path).pipe(zlib.createGunzip()), task.path, null, 1, ctx);
		}
		const key = knownKey(task.path, null);
		const seen = known.get(key);
		if (seen && seen[0] === (await hashFile(task.path))) return await emit({kind: 'known', path: task.path, member: null, sourceId: seen[1]});
		const read = (from?: ResumeFrom) =>
			readSource({path: task.path, member: null, stream: fs.createReadStream(task.path, {highWaterMark: Math.min(1024 * 1024, limits.readBytes)}), size: task.size, gzip: container === 'gzip', resume: from, raw}, emit);
		if ((await read(resume.get(key))) === 'restart') await read();
	} catch (error) {
		if (stopping(error)) throw error;
		if (isProgrammingError(error)) return await emit({kind: 'failed', path: task.path, member: null, error: String(error)});
		await emit({kind: 'rejected', path: task.path, member: null, position: null, reason: `cannot read: ${describe(error)}`});
	}
}

/** The import was stopped (Ctrl-C) while a source was being read: not the source's fault, not a rejection. */
const stopping = (error: unknown) => (error as Error | undefined)?.name === 'ImportStopped';

function describe(error: unknown): string {
	const e = error as NodeJS.ErrnoException;
	return e.code && !e.message.includes(e.code) ? `${e.code} ${e.message}` : e.message;
}

function readHead(file: string): Buffer {
	const fd = fs.openSync(file, 'r');
	try {
		const head = Buffer.alloc(512);
		const n = fs.readSync(fd, head, 0, 512, 0);
		return head.subarray(0, n);
	} finally {
		fs.closeSync(fd);
	}
}

async function hashFile(file: string): Promise<string> {
	const hash = crypto.createHash('sha256');
	for await (const chunk of fs.createReadStream(file, {highWaterMark: 1024 * 1024})) hash.update(chunk as Buffer);
	return hash.digest('hex');
}

const isTar = (head: Uint8Array) => sniffContainer(head).container === 'tar';

/**
 * The first decompressed bytes of gzip data in memory: inflating its first 4 KiB (never more,
 * whatever the ratio) is enough to recognise a tar header.
 */
function gunzipHeadSync(bytes: Buffer): Buffer {
	try {
		return zlib.gunzipSync(bytes.subarray(0, 4096), {finishFlush: zlib.constants.Z_SYNC_FLUSH}).subarray(0, 512);
	} catch {
		return Buffer.alloc(0); // damaged: the reader reports it
	}
}

/** The first `bytes` decompressed bytes of a gzip file (fewer if it ends or is damaged): is it a .tar.gz or a .json.gz, JSON Lines? */
export function gunzipHead(file: string, bytes = 512): Promise<Buffer> {
	return new Promise(resolve => {
		const chunks: Buffer[] = [];
		let size = 0;
		const input = fs.createReadStream(file, {highWaterMark: 16 * 1024});
		const gunzip = zlib.createGunzip();
		const done = () => {
			input.destroy();
			gunzip.destroy();
			resolve(Buffer.concat(chunks).subarray(0, bytes));
		};
		gunzip.on('data', (chunk: Buffer) => {
			chunks.push(chunk);
			size += chunk.length;
			if (size >= bytes) done();
		});
		gunzip.on('end', done);
		gunzip.on('error', done);
		input.on('error', done);
		input.pipe(gunzip);
	});
}

/** One file or member held in memory: a nested archive, or a source (plain or gzip) to read. */
async function unit(bytes: Buffer, path: string, member: string | null, depth: number, ctx: Context, suspect = false): Promise<void> {
	const {emit} = ctx;
	const sha = sha256(bytes);
	const key = knownKey(path, member);
	const seen = ctx.known.get(key);
	if (seen && seen[0] === sha) return emit({kind: 'known', path, member, sourceId: seen[1]});
	const {container, name} = sniffContainer(bytes.subarray(0, 512));
	const prefix = member === null ? '' : `${member}!/`;
	if (container === 'unsupported') return emit({kind: 'rejected', path, member, position: null, reason: `${name} compression is not supported (decompress it first)`});
	const gzipTar = container === 'gzip' && isTar(gunzipHeadSync(bytes));
	if (container === 'zip' || container === 'tar' || gzipTar) {
		if (depth >= limits.maxArchiveDepth) return emit({kind: 'rejected', path, member, position: null, reason: `archive nested deeper than ${limits.maxArchiveDepth} levels`});
		if (container === 'zip') return zipEntries(bytes, path, prefix, depth + 1, ctx);
		const stream = Readable.from([bytes]);
		return tarEntries(gzipTar ? stream.pipe(zlib.createGunzip()) : stream, path, prefix, depth + 1, ctx);
	}
	const read = (from?: ResumeFrom) => readSource({path, member, bytes, sha256: sha, size: bytes.length, gzip: container === 'gzip', suspect, resume: from, raw: ctx.raw}, emit);
	if ((await read(ctx.resume.get(key))) === 'restart') await read();
}

/** A large archive member, streamed: a gzip or plain source (a nested archive this large is refused). */
async function streamedMember(stream: Readable, size: number, path: string, member: string, ctx: Context, suspect: boolean, drainOnStop = false): Promise<void> {
	const {head, rest} = await peek(stream, 512);
	const {container, name} = sniffContainer(head);
	if (container === 'unsupported') {
		rest.resume();
		return ctx.emit({kind: 'rejected', path, member, position: null, reason: `${name} compression is not supported (decompress it first)`});
	}
	if (container === 'zip' || container === 'tar') {
		rest.resume();
		return ctx.emit({kind: 'rejected', path, member, position: null, reason: `nested archive of ${mib(size)}: larger than the ${mib(limits.maxSourceBytes)} read in memory; extract it first`});
	}
	const key = knownKey(path, member);
	// A member stream cannot be read twice: one that changed since its interrupted import is only closed (partial).
	await readSource({path, member, stream: rest, size, gzip: container === 'gzip', suspect, drainOnStop, resume: ctx.resume.get(key), raw: ctx.raw}, ctx.emit);
}

/** The first `n` bytes of a stream, and a stream of all of it (the head included). */
async function peek(stream: Readable, n: number): Promise<{head: Buffer; rest: Readable}> {
	const parts: Buffer[] = [];
	let size = 0;
	const iterator = stream[Symbol.asyncIterator]();
	while (size < n) {
		const next = await iterator.next();
		if (next.done) break;
		parts.push(next.value as Buffer);
		size += (next.value as Buffer).length;
	}
	const head = Buffer.concat(parts, size);
	const rest = new PassThrough();
	rest.write(head);
	void (async () => {
		try {
			for (;;) {
				const next = await iterator.next();
				if (next.done) break;
				if (!rest.write(next.value)) await new Promise(resolve => rest.once('drain', resolve));
			}
			rest.end();
		} catch (error) {
			rest.destroy(error as Error);
		}
	})();
	return {head, rest};
}

/** Reads every member of a zip (a file on disk, or bytes from an enclosing archive); nothing is extracted. */
function zipEntries(from: string | Buffer, path: string, prefix: string | null, depth: number, ctx: Context): Promise<void> {
	const {emit} = ctx;
	const where = prefix ?? '';
	// decodeStrings: false → names are not validated (yauzl refuses '../x'): hostile names are kept as data.
	const options = {lazyEntries: true, decodeStrings: false as const, validateEntrySizes: true};
	return new Promise((resolve, reject) => {
		const opened = (error: Error | null, zip?: yauzl.ZipFile) => {
			if (error || !zip) return reject(error ?? new Error('cannot open zip'));
			zip.on('error', (e: Error) => {
				void Promise.resolve(emit({kind: 'rejected', path, member: prefix, position: null, reason: `zip archive damaged: ${e.message}`})).then(() => resolve());
			});
			zip.on('end', () => resolve());
			zip.on('entry', (entry: yauzl.Entry) => {
				void (async () => {
					const rawName = entry.fileName as unknown as Buffer;
					const name = where + ((entry.generalPurposeBitFlag & 0x800) !== 0 ? rawName.toString('utf8') : rawName.toString('latin1'));
					const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
					if (name.endsWith('/') && entry.uncompressedSize === 0) return zip.readEntry();
					if (++ctx.members > limits.maxArchiveMembers) {
						await emit({kind: 'rejected', path, member: name, position: null, reason: `archive has more than ${limits.maxArchiveMembers} members; the rest were not read`});
						zip.close();
						return resolve();
					}
					if (mode === 0o120000) {
						await emit({kind: 'skipped', path, member: name, reason: 'symbolic link inside the archive, not followed'});
						return zip.readEntry();
					}
					// A ratio past the bound makes the member suspect, not rejected: it is judged by what it holds.
					const suspect = entry.uncompressedSize > decompressCap(entry.compressedSize);
					try {
						if (entry.uncompressedSize > wholeBytes()) await streamedMember(await zipStream(zip, entry), entry.uncompressedSize, path, name, ctx, suspect);
						else await unit(await readZipEntry(zip, entry), path, name, depth, ctx, suspect);
					} catch (e) {
						if (stopping(e)) throw e;
						if (isProgrammingError(e)) await emit({kind: 'failed', path, member: name, error: String(e)});
						else await emit({kind: 'rejected', path, member: name, position: null, reason: `cannot read archive member: ${(e as Error).message}`});
					}
					zip.readEntry();
				})().catch(reject);
			});
			zip.readEntry();
		};
		if (typeof from === 'string') yauzl.open(from, options, opened);
		else yauzl.fromBuffer(from, options, opened);
	});
}

function zipStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
	return new Promise((resolve, reject) => {
		zip.openReadStream(entry, (error, stream) => (error || !stream ? reject(error ?? new Error('no stream')) : resolve(stream)));
	});
}

function readZipEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		zip.openReadStream(entry, (error, stream) => {
			if (error || !stream) return reject(error ?? new Error('no stream'));
			collect(stream, entry.uncompressedSize).then(resolve, reject);
		});
	});
}

/** Reads a stream into memory, refusing to go past `expected` (and the per-source cap). */
function collect(stream: NodeJS.ReadableStream, expected: number): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		const cap = Math.max(expected, 0);
		stream.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > cap) {
				(stream as unknown as {destroy(): void}).destroy();
				reject(new Error(`member larger than its declared ${expected} bytes`));
				return;
			}
			chunks.push(chunk);
		});
		stream.on('end', () => resolve(Buffer.concat(chunks, size)));
		stream.on('error', reject);
	});
}

/** Reads every member of a tar stream (plain or gunzipped); links and devices are recorded, never followed. */
async function tarEntries(input: Readable, path: string, prefix: string | null, depth: number, ctx: Context): Promise<void> {
	const {emit} = ctx;
	const where = prefix ?? '';
	const extract = tar.extract();
	let inputError: Error | undefined;
	input.on('error', e => {
		inputError = e;
		extract.destroy(e);
	});
	// Count decompressed bytes so a tar.gz bomb stops even across many small members: past this
	// budget only when it also outgrew its compressed bytes by more than the ratio bound.
	let total = 0;
	const budget = limits.maxSourceBytes * 8;
	const compressed = () => (input as unknown as {bytesWritten?: number}).bytesWritten ?? Infinity;
	const counting = new Transform({
		transform(chunk: Buffer, _enc, done) {
			total += chunk.length;
			if (total > budget && total > compressed() * limits.maxRatio) {
				return done(new Error(`archive decompresses beyond ${limits.maxRatio}× its compressed bytes (${mib(total)} so far; possible decompression bomb)`));
			}
			done(null, chunk);
		},
	});
	input.pipe(counting).pipe(extract);
	counting.on('error', e => extract.destroy(e));
	try {
		for await (const entry of extract) {
			const header = entry.header;
			const name = where + header.name;
			if (header.type === 'directory') {
				entry.resume();
				continue;
			}
			if (++ctx.members > limits.maxArchiveMembers) {
				entry.resume();
				await emit({kind: 'rejected', path, member: name, position: null, reason: `archive has more than ${limits.maxArchiveMembers} members; the rest were not read`});
				break;
			}
			if (header.type !== 'file' && header.type !== 'contiguous-file') {
				entry.resume();
				const target = header.linkname ? ` → ${header.linkname}` : '';
				await emit({kind: 'skipped', path, member: name, reason: `${header.type}${target} inside the archive, not followed`});
				continue;
			}
			const size = header.size ?? 0;
			try {
				if (size > wholeBytes()) await streamedMember(entry as unknown as Readable, size, path, name, ctx, false, true);
				else await unit(await collect(entry as unknown as NodeJS.ReadableStream, size), path, name, depth, ctx);
			} catch (e) {
				if (stopping(e)) throw e;
				// A bad member (say, a damaged nested archive) is that member's problem, not the tar's; a bug is mfatrail's.
				if (isProgrammingError(e)) await emit({kind: 'failed', path, member: name, error: String(e)});
				else await emit({kind: 'rejected', path, member: name, position: null, reason: `cannot read archive member: ${(e as Error).message}`});
			}
		}
	} catch (error) {
		if (stopping(error)) throw error;
		await emit({kind: 'rejected', path, member: prefix, position: `after ${ctx.members} members`, reason: `tar archive damaged or truncated: ${(inputError ?? (error as Error)).message}`});
	}
}
