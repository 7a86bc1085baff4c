/**
 * The read floor (`npm run bench` runs it as its own process, timed from start to exit like the
 * import): walks the inputs as the import does and, on as many worker threads as the import uses,
 * reads, gunzips and JSON.parses every file; nothing else. No importer can be faster than this.
 *   node dist/bench/floor.js --workers N PATH...
 * Large files (JSON Lines exports) are parsed line by line, as no single string can hold a GiB,
 * and on every worker, as the import reads them (source/import/split.ts): a plain one in byte
 * ranges of whole lines, a gzip one inflated on this thread in pieces of whole lines that the
 * workers parse. Everything else is read whole. Prints {files, records, bytes} as JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import {pathToFileURL, fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {Worker, isMainThread, parentPort} from 'node:worker_threads';
import zlib from 'node:zlib';
import {walkInputs} from '../import/walk.js';

const wholeBytes = 64 * 1024 * 1024;
/** Pieces of a large file a worker parses: whole lines of about this many bytes (the import's segment size). */
const pieceBytes = 1 << 20;

/** Records in whole lines of JSON. */
function parseLines(bytes: Buffer): number {
	let n = 0;
	let at = 0;
	while (at < bytes.length) {
		let nl = bytes.indexOf(0x0a, at);
		if (nl < 0) nl = bytes.length;
		if (nl > at + 1 || (nl > at && bytes[at] !== 0x0d)) {
			try {
				JSON.parse(bytes.toString('utf8', at, nl));
				n++;
			} catch {
				// Not the floor's business.
			}
		}
		at = nl + 1;
	}
	return n;
}

/** Bytes [start, end) of a file, extended to whole lines: from the first line starting at or after `start` to the end of the line holding end - 1. */
function lineRange(file: string, start: number, end: number): Buffer {
	const fd = fs.openSync(file, 'r');
	try {
		const size = fs.fstatSync(fd).size;
		const read = (from: number, n: number) => {
			const b = Buffer.allocUnsafe(Math.max(0, Math.min(n, size - from)));
			fs.readSync(fd, b, 0, b.length, from);
			return b;
		};
		let bytes = read(start, end - start);
		if (start > 0 && read(start - 1, 1)[0] !== 0x0a) {
			const nl = bytes.indexOf(0x0a);
			bytes = nl < 0 ? Buffer.alloc(0) : bytes.subarray(nl + 1);
			if (nl < 0) return bytes;
		}
		// The last line runs on past `end`.
		const tail: Buffer[] = [];
		let at = end;
		while (at < size && bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) {
			const more = read(at, 64 * 1024);
			const nl = more.indexOf(0x0a);
			tail.push(nl < 0 ? more : more.subarray(0, nl + 1));
			if (nl >= 0) break;
			at += more.length;
		}
		return tail.length > 0 ? Buffer.concat([bytes, ...tail]) : bytes;
	} finally {
		fs.closeSync(fd);
	}
}

/** A large gzip file inflated here, in pieces of whole lines, for the workers to parse. */
async function* inflatedPieces(file: string): AsyncGenerator<Buffer> {
	let rest: Buffer = Buffer.alloc(0);
	for await (const chunk of fs.createReadStream(file, {highWaterMark: 1 << 20}).pipe(zlib.createGunzip({chunkSize: 256 * 1024}))) {
		rest = rest.length === 0 ? (chunk as Buffer) : Buffer.concat([rest, chunk as Buffer]);
		if (rest.length < pieceBytes) continue;
		const cut = rest.lastIndexOf(0x0a) + 1;
		if (cut === 0) continue;
		yield rest.subarray(0, cut);
		rest = rest.subarray(cut);
	}
	if (rest.length > 0) yield rest;
}

const isGzip = (file: string) => {
	const fd = fs.openSync(file, 'r');
	const head = Buffer.alloc(2);
	fs.readSync(fd, head, 0, 2, 0);
	fs.closeSync(fd);
	return head[0] === 0x1f && head[1] === 0x8b;
};

function countRecords(value: unknown): number {
	if (value !== null && typeof value === 'object' && Array.isArray((value as {Records?: unknown}).Records)) return (value as {Records: unknown[]}).Records.length;
	return Array.isArray(value) ? value.length : 1;
}

async function readOne(file: string, size: number): Promise<number> {
	const fd = fs.openSync(file, 'r');
	const head = Buffer.alloc(2);
	fs.readSync(fd, head, 0, 2, 0);
	fs.closeSync(fd);
	const gzip = head[0] === 0x1f && head[1] === 0x8b;
	if (size <= wholeBytes) {
		const bytes = fs.readFileSync(file);
		const content = gzip ? zlib.gunzipSync(bytes) : bytes;
		try {
			return countRecords(JSON.parse(content.toString('utf8')));
		} catch {
			return parseLines(content); // JSON Lines
		}
	}
	const input = fs.createReadStream(file, {highWaterMark: 1 << 20});
	const lines = readline.createInterface({input: gzip ? input.pipe(zlib.createGunzip()) : input, crlfDelay: Infinity});
	let n = 0;
	for await (const line of lines) {
		if (line.length === 0) continue;
		JSON.parse(line);
		n++;
	}
	return n;
}

/** What a worker is given: a whole file, a range of lines of one, or lines inflated from one. */
type Task = {file: string; size: number; start?: number; end?: number; bytes?: Uint8Array};

if (!isMainThread) {
	const port = parentPort!;
	port.on('message', async (task: Task | null) => {
		if (task === null) return process.exit(0);
		let records = 0;
		try {
			if (task.bytes) records = parseLines(Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength));
			else if (task.start !== undefined) records = parseLines(lineRange(task.file, task.start, task.end!));
			else records = await readOne(task.file, task.size);
		} catch {
			// Not evidence (a README, a damaged file): the floor only reads.
		}
		port.postMessage(records);
	});
} else if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
	const {values, positionals} = parseArgs({allowPositionals: true, options: {workers: {type: 'string', default: '2'}}});
	const count = Math.max(1, Number(values.workers));
	const files: {file: string; size: number}[] = [];
	walkInputs(positionals, entry => files.push(entry), () => {});
	const bytes = files.reduce((n, t) => n + t.size, 0);
	// Large plain files in ranges of whole lines; a large gzip file last, inflated here while the workers parse.
	const tasks: Task[] = [];
	let gzipFile: string | undefined;
	for (const f of files) {
		if (f.size <= wholeBytes || count < 2) tasks.push(f);
		else if (isGzip(f.file)) {
			if (gzipFile) tasks.push(f);
			else gzipFile = f.file;
		} else for (let start = 0; start < f.size; start += pieceBytes) tasks.push({...f, start, end: Math.min(f.size, start + pieceBytes)});
	}
	let next = 0;
	let records = 0;
	let done = 0;
	let more = gzipFile !== undefined;
	const self = fileURLToPath(import.meta.url);
	await new Promise<void>(resolve => {
		if (tasks.length === 0 && !more) return resolve();
		const workers = Array.from({length: count}, () => new Worker(self));
		const idle: Worker[] = [];
		let credit: (() => void) | undefined;
		const feed = (w: Worker) => {
			if (next < tasks.length) {
				const t = tasks[next++];
				w.postMessage(t, t.bytes ? [t.bytes.buffer as ArrayBuffer] : []);
			} else if (more) idle.push(w);
			else w.postMessage(null);
			credit?.();
		};
		for (const w of workers) {
			w.on('message', (n: number) => {
				records += n;
				if (++done === tasks.length && !more) resolve();
				feed(w);
			});
			// A few in flight per worker, so none waits on this thread.
			for (let i = 0; i < 4; i++) feed(w);
		}
		if (gzipFile) {
			void (async () => {
				for await (const piece of inflatedPieces(gzipFile)) {
					tasks.push({file: gzipFile, size: 0, bytes: new Uint8Array(piece)});
					const w = idle.shift();
					if (w) feed(w);
					// At most a few pieces waiting: memory stays bounded, as in the import.
					while (tasks.length - next > 2 * count) await new Promise<void>(r => (credit = r));
				}
				more = false;
				for (const w of idle.splice(0)) w.postMessage(null);
				if (done === tasks.length) resolve();
			})();
		}
	});
	process.stdout.write(`${JSON.stringify({files: files.length, records, bytes})}\n`);
	process.exit(0);
}
