/**
 * The read floor (`npm run bench` runs it as its own process, timed from start to exit like the
 * import): walks the inputs as the import does and, on as many worker threads as the import uses,
 * reads, gunzips and JSON.parses every file; nothing else. No importer can be faster than this.
 *   node dist/bench/floor.js --workers N PATH...
 * Large files (JSON Lines exports) are streamed and parsed line by line, as no single string can
 * hold a GiB; everything else is read whole. Prints {files, records, bytes} as JSON.
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
		const text = (gzip ? zlib.gunzipSync(bytes) : bytes).toString('utf8');
		return countRecords(JSON.parse(text));
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

if (!isMainThread) {
	const port = parentPort!;
	port.on('message', async (task: {file: string; size: number} | null) => {
		if (task === null) return process.exit(0);
		let records = 0;
		try {
			records = await readOne(task.file, task.size);
		} catch {
			// Not evidence (a README, a damaged file): the floor only reads.
		}
		port.postMessage(records);
	});
} else if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
	const {values, positionals} = parseArgs({allowPositionals: true, options: {workers: {type: 'string', default: '2'}}});
	const count = Math.max(1, Number(values.workers));
	const tasks: {file: string; size: number}[] = [];
	walkInputs(positionals, entry => tasks.push(entry), () => {});
	let next = 0;
	let records = 0;
	let done = 0;
	const bytes = tasks.reduce((n, t) => n + t.size, 0);
	const self = fileURLToPath(import.meta.url);
	await new Promise<void>(resolve => {
		if (tasks.length === 0) return resolve();
		const workers = Array.from({length: Math.min(count, tasks.length)}, () => new Worker(self));
		for (const w of workers) {
			const feed = () => w.postMessage(next < tasks.length ? tasks[next++] : null);
			w.on('message', (n: number) => {
				records += n;
				if (++done === tasks.length) resolve();
				feed();
			});
			// A few in flight per worker, so none waits on this thread.
			for (let i = 0; i < 4 && next < tasks.length; i++) w.postMessage(tasks[next++]);
		}
	});
	process.stdout.write(`${JSON.stringify({files: tasks.length, records, bytes})}\n`);
	process.exit(0);
}
