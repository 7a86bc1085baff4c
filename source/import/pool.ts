import fs from 'node:fs';
import {fileURLToPath} from 'node:url';
import {Worker} from 'node:worker_threads';
import {bundleWorkerArgument} from './bundle-worker.js';
import {isPart, readBatch, unpackChunk, weight, type Chunk, type PackedChunk} from './chunks.js';
import {limits} from './limits.js';
import type {KnownSources, ResumePoints, Task} from './process.js';

/**
 * A reader's young generation (V8's nursery), in MiB: 3 × a 16 MiB semi-space. V8 sizes it from the
 * machine's memory (far larger on a 24 GiB host), and a reader's garbage is short-lived batches, so
 * the default only kept dead batches resident: on a 1M-event import, 48 MiB took the load's peak
 * RSS from 1061 to 666 MiB and its CPU from 33 to 28 s (fewer, cheaper scavenges).
 */
const readerYoungGenerationMb = 48;

export interface PoolOptions {
	/** Worker threads; 0 reads inline on the main thread (small imports, tests). */
	workers: number;
	known: KnownSources;
	/** Interrupted streamed sources to continue where their last committed part ended. */
	resume: ResumePoints;
	/** Called with chunks in input order, several at a time when they are ready together. */
	commit(chunks: Chunk[]): void;
	/** Whether a chunk can be committed now (a split file's segment waits for its hashes). */
	ready?(chunk: Chunk): boolean;
	/** Tasks that come while the import runs (a gzip file's segments, as they are inflated), after all the others. */
	later?: {subscribe(add: (tasks: Task[]) => void): void; readonly pending: boolean};
	taskDone(task: Task): void;
	stopped(): boolean;
}

/** Set by the portable bundle's build (scripts/pack.mjs): the worker is the bundle file itself (source/bundle.ts). */
declare const MFATRAIL_BUNDLE: boolean | undefined;
const bundled = typeof MFATRAIL_BUNDLE !== 'undefined' && MFATRAIL_BUNDLE;
const workerFile = bundled ? fileURLToPath(import.meta.url) : fileURLToPath(new URL('./worker.js', import.meta.url));

/**
 * Chunks commit together, in transactions of about this many events (or whatever is ready after
 * `batchMillis`): a commit costs a WAL sync and per-transaction overhead, so tens of events per
 * transaction (one small CloudTrail file) ran at half the speed of thousands.
 */
export const batchEvents = 4_000;
const batchMillis = 250;

/**
 * Consecutive tasks a worker reads as one batch: enough small files (by bytes as read) that their
 * record texts fill a raw block or two, and commit order stays input order batch by batch.
 */
const batchBytes = 384 * 1024;
const batchTasks = 512;

function batches(tasks: Task[]): Task[][] {
	const out: Task[][] = [];
	let current: Task[] = [];
	let bytes = 0;
	for (const task of tasks) {
		current.push(task);
		bytes += task.size;
		if (bytes >= batchBytes || current.length >= batchTasks) {
			out.push(current);
			current = [];
			bytes = 0;
		}
	}
	if (current.length > 0) out.push(current);
	return out;
}

/** The worker thread's file and arguments (split.ts starts its hashing thread from the same file). */
export const workerStart = (): {file: string; argv: string[]} => ({file: workerFile, argv: bundled ? [bundleWorkerArgument] : []});

/** Worker threads are available when running from the build (dist/import/worker.js exists) or the bundle. */
export function workersAvailable(): boolean {
	return fs.existsSync(workerFile);
}

/** Processes tasks, committing their chunks strictly in task order whatever thread read them. */
export async function runTasks(tasks: Task[], options: PoolOptions): Promise<void> {
	const groups = batches(tasks);
	if (options.workers <= 0 || !workersAvailable()) {
		let pending: Chunk[] = [];
		let done: Task[] = [];
		let events = 0;
		let since = Date.now();
		const flush = () => {
			if (pending.length > 0) options.commit(pending);
			for (const t of done) options.taskDone(t);
			pending = [];
			done = [];
			events = 0;
			since = Date.now();
		};
		try {
			for (const group of groups) {
				if (options.stopped()) return;
				await readBatch(group, options, async (chunk, last) => {
					pending.push(chunk);
					for (const r of chunk.results) events += weight(r);
					if (last) done.push(...group);
					if (chunk.results.some(isPart) || events >= batchEvents || Date.now() - since >= batchMillis) flush();
					// Stopping mid-file: the reader lets this error through (stream.ts), and reading ends here.
					if (options.stopped()) throw Object.assign(new Error('import stopped'), {name: 'ImportStopped'});
				});
				if (options.stopped()) return;
			}
		} catch (error) {
			if ((error as Error).name === 'ImportStopped') return;
			throw error;
		}
		flush();
		return;
	}
	await new Promise<void>((resolve, reject) => {
		const known = [...options.known].map(([key, [sha, id]]) => [key, sha, id]);
		const resume = [...options.resume];
		const workers: Worker[] = [];
		const inFlight = new Map<Worker, Set<number>>();
		const buffered = new Map<number, {chunks: {chunk: Chunk; worker: Worker; events: number}[]; done: boolean}>();
		// Chunks taken in order and not yet committed, and the tasks they complete.
		let batch: {chunk: Chunk; worker: Worker; events: number}[] = [];
		let batchDone: Task[] = [];
		let batchWeight = 0;
		let batchSince = Date.now();
		let next = 0;
		let head = 0;
		let finished = false;
		// Batches queued per worker: one being read, one waiting, so a worker never idles while
		// this thread commits.
		const perWorker = 2;

		// A stop request must end the run even while no worker message is arriving.
		const poll = setInterval(() => drain(), 100);
		const finish = (error?: Error) => {
			if (finished) return;
			finished = true;
			clearInterval(poll);
			for (const w of workers) void w.terminate();
			if (error) reject(error);
			else resolve();
		};
		const slot = (seq: number) => {
			let b = buffered.get(seq);
			if (!b) buffered.set(seq, (b = {chunks: [], done: false}));
			return b;
		};
		// Batches a dead worker had queued but not started: handed to the next worker.
		const retry: number[] = [];
		const dispatch = (w: Worker) => {
			const mine = inFlight.get(w)!;
			while (mine.size < perWorker && (retry.length > 0 || next < groups.length) && !options.stopped()) {
				const seq = retry.length > 0 ? retry.shift()! : next++;
				mine.add(seq);
				// An inflated segment's bytes move to the worker (not copied, and not kept here).
				const moved = groups[seq].flatMap(t => (t.segment && t.bytes ? [t.bytes.buffer as ArrayBuffer] : []));
				w.postMessage({type: 'batch', seq, tasks: groups[seq]}, moved);
			}
		};
		// Runs from worker messages and a timer, outside the caller's try: a failed commit (disk
		// full, busy database) must end the run through finish(error), not escape as a crash.
		const drain = () => {
			try {
				drainBatch();
			} catch (error) {
				finish(error as Error);
			}
		};
		const drainBatch = () => {
			if (finished) return;
			if (options.stopped()) return finish();
			let part = false;
			for (;;) {
				const b = buffered.get(head);
				if (!b) break;
				// A chunk not ready stops the taking here: a later message or the poll comes back for it.
				const waiting = options.ready ? b.chunks.findIndex(x => !options.ready!(x.chunk)) : -1;
				const taken = waiting < 0 ? b.chunks : b.chunks.slice(0, waiting);
				for (const x of taken) {
					batchWeight += x.events;
					if (x.chunk.results.some(isPart)) part = true;
				}
				batch.push(...taken);
				b.chunks = waiting < 0 ? [] : b.chunks.slice(waiting);
				if (waiting >= 0 || !b.done) break;
				batchDone.push(...groups[head]);
				buffered.delete(head);
				head++;
			}
			const all = head >= groups.length && !options.later?.pending;
			if (!all && !part && batchWeight < batchEvents && Date.now() - batchSince < batchMillis) return;
			if (batch.length > 0) {
				options.commit(batch.map(x => x.chunk));
				// Acknowledged only once committed: a worker's unacknowledged chunks bound memory.
				const acks = new Map<Worker, {count: number; events: number}>();
				for (const x of batch) {
					const a = acks.get(x.worker) ?? {count: 0, events: 0};
					a.count++;
					a.events += x.events;
					acks.set(x.worker, a);
				}
				for (const [w, a] of acks) w.postMessage({type: 'ack', ...a});
			}
			for (const t of batchDone) options.taskDone(t);
			batch = [];
			batchDone = [];
			batchWeight = 0;
			batchSince = Date.now();
			if (all) finish();
		};
		const start = (): Worker => {
			const w = new Worker(workerFile, {
				workerData: {limits: {...limits}, known, resume},
				argv: bundled ? [bundleWorkerArgument] : [],
				resourceLimits: {maxYoungGenerationSizeMb: readerYoungGenerationMb},
			});
			workers.push(w);
			inFlight.set(w, new Set());
			w.on('message', (m: {type: 'chunk'; seq: number; last: boolean; chunk: PackedChunk; events: number}) => {
				const b = slot(m.seq);
				b.chunks.push({chunk: unpackChunk(m.chunk), worker: w, events: m.events});
				if (m.last) {
					b.done = true;
					inFlight.get(w)!.delete(m.seq);
					dispatch(w);
				}
				drain();
			});
			w.on('error', error => {
				// A worker that dies takes the batch it was reading with it (the lowest in flight: a
				// worker reads its queue in order): its tasks not yet handed over are reported, the
				// other batches go to a new worker.
				const lost = [...(inFlight.get(w) ?? [])].sort((a, b) => a - b);
				// Batches whose bytes moved to the dead worker cannot be read again: reported too.
				const gone = (seq: number) => groups[seq].some(t => t.segment && t.bytes);
				retry.push(...lost.slice(1).filter(seq => !gone(seq)));
				retry.sort((a, b) => a - b);
				for (const seq of [...lost.slice(0, 1), ...lost.slice(1).filter(gone)]) {
					const b = slot(seq);
					const reported = new Set(b.chunks.flatMap(x => x.chunk.results.map(r => ('meta' in r ? r.meta.path : r.path))));
					const results = groups[seq]
						.filter(task => !reported.has(task.path))
						.map(task => ({kind: 'rejected' as const, path: task.path, member: null, position: null, reason: `reader failed: ${error.message}`}));
					b.chunks.push({chunk: {results, blocks: []}, worker: w, events: results.length});
					b.done = true;
				}
				inFlight.delete(w);
				workers.splice(workers.indexOf(w), 1);
				if (!finished) dispatch(start());
				drain();
			});
			return w;
		};
		try {
			for (let i = 0; i < Math.min(options.workers, options.later?.pending ? Infinity : groups.length); i++) dispatch(start());
			// Each later task is a batch of its own (a segment is a part: it commits alone anyway).
			options.later?.subscribe(tasks => {
				for (const t of tasks) groups.push([t]);
				for (const w of workers) dispatch(w);
			});
			if (groups.length === 0 && !options.later?.pending) finish();
		} catch (error) {
			finish(error as Error);
		}
	});
}
