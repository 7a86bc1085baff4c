import crypto from 'node:crypto';
import fs from 'node:fs';
import {Readable, Transform} from 'node:stream';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import yauzl from 'yauzl';
import {decompressCap, limits, mib} from './limits.js';
import {bombReason, gunzipCapped, sniffContainer} from './decompress.js';
import {parseContent, type DigestRow, type ReadEvent, type Rejected} from './parse.js';
import type {SourceInfo} from '../db/store.js';

/**
 * Turns one input (a file, or stdin's bytes) into sources: the file itself, or each member of an
 * archive. Runs in a worker thread (worker.ts) or inline; it never touches the case file.
 */

export interface Task {
	seq: number;
	/** The path as stored in provenance (resolved), or '-' for stdin. */
	path: string;
	size: number;
	/** stdin's bytes; files are read by the task itself. */
	bytes?: Uint8Array;
}

/** A source as read: its provenance, with the notes the readers made. */
export type SourceMeta = SourceInfo & {notes: string[]};

export type SourceResult =
	| {kind: 'source'; meta: SourceMeta; status: 'imported' | 'partial'; events: ReadEvent[]; rawBlocks: Uint8Array[]; rejected: Rejected[]}
	| {kind: 'digest'; meta: SourceMeta; digest: DigestRow}
	/** The same bytes from the same place were imported before (sourceId of that row). */
	| {kind: 'known'; path: string; member: string | null; sourceId: number}
	| {kind: 'rejected'; path: string; member: string | null; position: string | null; reason: string}
	| {kind: 'skipped'; path: string; member: string | null; reason: string};

export type Emit = (result: SourceResult) => Promise<void> | void;

/** path NUL member → [sha256 of bytes as read, source id] of sources already in the case file. */
export type KnownSources = Map<string, [string, number]>;
export const knownKey = (path: string, member: string | null) => `${path}\0${member ?? ''}`;

const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

class Member {
	count = 0;
}

export async function processTask(task: Task, emit: Emit, known: KnownSources): Promise<void> {
	const counter = new Member();
	try {
		if (task.bytes) return await unit(Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength), task.path, null, 0, emit, known, counter);
		// Most evidence files are small: read them once, whole, rather than opening each three times
		// (head, gzip head, content); archives too large for memory stream from disk as before.
		const whole = task.size <= wholeFileBytes ? fs.readFileSync(task.path) : undefined;
		const head = whole ? whole.subarray(0, 512) : readHead(task.path);
		const {container} = sniffContainer(head);
		if (container === 'zip') return await zipEntries(task.path, task.path, null, 1, emit, known, counter);
		if (container === 'tar') return await tarEntries(fs.createReadStream(task.path), task.path, null, 1, emit, known, counter);
		if (container === 'gzip' && isTar(whole ? gunzipHeadSync(whole) : await gunzipHead(task.path))) {
			const gunzip = zlib.createGunzip();
			return await tarEntries(fs.createReadStream(task.path).pipe(gunzip), task.path, null, 1, emit, known, counter);
		}
		if (task.size > limits.maxSourceBytes) {
			return await emit({kind: 'rejected', path: task.path, member: null, position: null, reason: `file of ${mib(task.size)} exceeds the limit of ${mib(limits.maxSourceBytes)} per source`});
		}
		await unit(whole ?? fs.readFileSync(task.path), task.path, null, 0, emit, known, counter);
	} catch (error) {
		await emit({kind: 'rejected', path: task.path, member: null, position: null, reason: `cannot read: ${describe(error)}`});
	}
}

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

const isTar = (head: Uint8Array) => sniffContainer(head).container === 'tar';

/** Files up to this size are read whole at once. */
const wholeFileBytes = 16 * 1024 * 1024;

/**
 * The first decompressed bytes of gzip data in memory: inflating its first 4 KiB (never more,
 * whatever the ratio) is enough to recognise a tar header.
 */
function gunzipHeadSync(bytes: Buffer): Buffer {
	try {
		return zlib.gunzipSync(bytes.subarray(0, 4096), {finishFlush: zlib.constants.Z_SYNC_FLUSH}).subarray(0, 512);
	} catch {
		return Buffer.alloc(0); // damaged: the whole-content path reports it
	}
}

/** The first 512 decompressed bytes of a gzip file, to tell a .tar.gz from a .json.gz by content. */
function gunzipHead(file: string): Promise<Buffer> {
	return new Promise(resolve => {
		const chunks: Buffer[] = [];
		let size = 0;
		const input = fs.createReadStream(file, {highWaterMark: 16 * 1024});
		const gunzip = zlib.createGunzip();
		const done = () => {
			input.destroy();
			gunzip.destroy();
			resolve(Buffer.concat(chunks).subarray(0, 512));
		};
		gunzip.on('data', (chunk: Buffer) => {
			chunks.push(chunk);
			size += chunk.length;
			if (size >= 512) done();
		});
		gunzip.on('end', done);
		gunzip.on('error', done);
		input.on('error', done);
		input.pipe(gunzip);
	});
}

/** One file or member's bytes: a nested archive, a gzip, or content to read. */
async function unit(bytes: Buffer, path: string, member: string | null, depth: number, emit: Emit, known: KnownSources, counter: Member): Promise<void> {
	const sha = sha256(bytes);
	const seen = known.get(knownKey(path, member));
	if (seen && seen[0] === sha) return emit({kind: 'known', path, member, sourceId: seen[1]});
	const {container, name} = sniffContainer(bytes.subarray(0, 512));
	const prefix = member === null ? '' : `${member}!/`;
	if (container === 'unsupported') return emit({kind: 'rejected', path, member, position: null, reason: `${name} compression is not supported (decompress it first)`});
	if (container === 'zip' || container === 'tar') {
		if (depth >= limits.maxArchiveDepth) return emit({kind: 'rejected', path, member, position: null, reason: `archive nested deeper than ${limits.maxArchiveDepth} levels`});
		if (container === 'zip') return zipEntries(bytes, path, prefix, depth + 1, emit, known, counter);
		return tarEntries(Readable.from([bytes]), path, prefix, depth + 1, emit, known, counter);
	}
	const notes: string[] = [];
	let content = bytes;
	let damaged: string | undefined;
	if (container === 'gzip') {
		const result = gunzipCapped(bytes);
		if (!result.ok) return emit({kind: 'rejected', path, member, position: null, reason: result.reason});
		content = result.content;
		damaged = result.truncated;
		if (damaged) notes.push(damaged);
		if (isTar(content.subarray(0, 512))) {
			if (depth >= limits.maxArchiveDepth) return emit({kind: 'rejected', path, member, position: null, reason: `archive nested deeper than ${limits.maxArchiveDepth} levels`});
			return tarEntries(Readable.from([content]), path, prefix, depth + 1, emit, known, counter);
		}
	}
	const meta: SourceMeta = {
		path,
		member,
		format: 'unknown',
		byteSize: bytes.length,
		sha256: sha,
		contentSize: content.length,
		contentSha256: content === bytes ? sha : sha256(content),
		notes,
	};
	const parsed = parseContent(content, member ?? path);
	if (parsed.kind === 'skipped') return emit({kind: 'skipped', path, member, reason: parsed.reason});
	if (parsed.kind === 'rejected') {
		const reason = damaged ? `${parsed.reason} (${damaged})` : parsed.reason;
		return emit({kind: 'rejected', path, member, position: parsed.position, reason});
	}
	if (parsed.kind === 'digest') return emit({kind: 'digest', meta: {...meta, format: 'digest', notes: [...notes, ...parsed.notes]}, digest: parsed.digest});
	meta.format = parsed.format;
	meta.notes.push(...parsed.notes);
	const rejected = [...parsed.rejected];
	if (damaged) rejected.push({position: `byte ${content.length} of the decompressed content`, reason: `${damaged}; ${parsed.events.length} complete records imported`});
	await emit({kind: 'source', meta, status: damaged || parsed.damaged ? 'partial' : 'imported', events: parsed.events, rawBlocks: parsed.rawBlocks, rejected});
}

/** Reads every member of a zip (a file on disk, or bytes from an enclosing archive); nothing is extracted. */
function zipEntries(from: string | Buffer, path: string, prefix: string | null, depth: number, emit: Emit, known: KnownSources, counter: Member): Promise<void> {
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
					if (++counter.count > limits.maxArchiveMembers) {
						await emit({kind: 'rejected', path, member: name, position: null, reason: `archive has more than ${limits.maxArchiveMembers} members; the rest were not read`});
						zip.close();
						return resolve();
					}
					if (mode === 0o120000) {
						await emit({kind: 'skipped', path, member: name, reason: 'symbolic link inside the archive, not followed'});
						return zip.readEntry();
					}
					if (entry.uncompressedSize > limits.maxSourceBytes || entry.uncompressedSize > decompressCap(entry.compressedSize)) {
						await emit({kind: 'rejected', path, member: name, position: null, reason: bombReason(entry.compressedSize, decompressCap(entry.compressedSize))});
						return zip.readEntry();
					}
					try {
						const bytes = await readZipEntry(zip, entry);
						await unit(bytes, path, name, depth, emit, known, counter);
					} catch (e) {
						await emit({kind: 'rejected', path, member: name, position: null, reason: `cannot read archive member: ${(e as Error).message}`});
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
		const cap = Math.min(limits.maxSourceBytes, Math.max(expected, 0));
		stream.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > cap) {
				(stream as unknown as {destroy(): void}).destroy();
				reject(new Error(`member larger than declared or than ${mib(limits.maxSourceBytes)}`));
				return;
			}
			chunks.push(chunk);
		});
		stream.on('end', () => resolve(Buffer.concat(chunks, size)));
		stream.on('error', reject);
	});
}

/** Reads every member of a tar stream (plain or gunzipped); links and devices are recorded, never followed. */
async function tarEntries(input: Readable, path: string, prefix: string | null, depth: number, emit: Emit, known: KnownSources, counter: Member): Promise<void> {
	const where = prefix ?? '';
	const extract = tar.extract();
	let inputError: Error | undefined;
	input.on('error', e => {
		inputError = e;
		extract.destroy(e);
	});
	// Count decompressed bytes so a tar.gz bomb stops at the cap even across many small members.
	let total = 0;
	const budget = limits.maxSourceBytes * 8;
	const counting = new Transform({
		transform(chunk: Buffer, _enc, done) {
			total += chunk.length;
			if (total > budget) return done(new Error(`archive decompresses beyond ${mib(budget)} (possible decompression bomb)`));
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
			if (++counter.count > limits.maxArchiveMembers) {
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
			if (size > limits.maxSourceBytes) {
				entry.resume();
				await emit({kind: 'rejected', path, member: name, position: null, reason: `member of ${mib(size)} exceeds the limit of ${mib(limits.maxSourceBytes)} per source`});
				continue;
			}
			const bytes = await collect(entry as unknown as NodeJS.ReadableStream, size);
			try {
				await unit(bytes, path, name, depth, emit, known, counter);
			} catch (e) {
				// A bad member (say, a damaged nested archive) is that member's problem, not the tar's.
				await emit({kind: 'rejected', path, member: name, position: null, reason: `cannot read archive member: ${(e as Error).message}`});
			}
		}
	} catch (error) {
		await emit({kind: 'rejected', path, member: prefix, position: `after ${counter.count} members`, reason: `tar archive damaged or truncated: ${(inputError ?? (error as Error)).message}`});
	}
}
