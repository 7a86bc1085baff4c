import fs from 'node:fs';
import {fileURLToPath} from 'node:url';
import {Worker} from 'node:worker_threads';
import {limits} from './limits.js';
import {unpackEvents, type PackedEvents} from './packed.js';
import {processTask, type KnownSources, type SourceResult, type Task} from './process.js';

export interface PoolOptions {
	/** Worker threads; 0 reads inline on the main thread (small imports, tests). */
	workers: number;
	known: KnownSources;
	/** Called with finished sources in input order, several at a time when they are ready together. */
	commit(results: SourceResult[]): void;
	taskDone(task: Task): void;
	stopped(): boolean;
}

const workerFile = fileURLToPath(new URL('./worker.js', import.meta.url));

/**
 * Sources commit together, whole, in transactions of about this many events (or whatever is
 * ready after `batchMillis`): a commit costs a WAL sync and per-transaction overhead, so tens of
 * events per transaction (one small CloudTrail file) ran at half the speed of thousands.
 */
export const batchEvents = 8_000;
const batchMillis = 250;

/** Events a result carries, for batching and flow control (other results count as one). */
export const weight = (r: SourceResult) => (r.kind === 'source' ? Math.max(1, r.events.length) : 1);

/** Worker threads are available when running from the build (dist/import/worker.js exists). */
export function workersAvailable(): boolean {
	return fs.existsSync(workerFile);
}

/** Processes tasks, committing their sources strictly in task order whatever thread read them. */
export async function runTasks(tasks: Task[], options: PoolOptions): Promise<void> {
	if (options.workers <= 0 || !workersAvailable()) {
		let results: SourceResult[] = [];
		let done: Task[] = [];
		let events = 0;
		let since = Date.now();
		const flush = () => {
			if (results.length > 0) options.commit(results);
			for (const t of done) options.taskDone(t);
			results = [];
			done = [];
			events = 0;
			since = Date.now();
		};
		for (const task of tasks) {
			if (options.stopped()) return;
			const before = results.length;
			await processTask(task, r => void results.push(r), options.known);
			if (options.stopped()) return;
			for (let i = before; i < results.length; i++) events += weight(results[i]);
			done.push(task);
			if (events >= batchEvents || Date.now() - since >= batchMillis) flush();
		}
		flush();
		return;
	}
	await new Promise<void>((resolve, reject) => {
		const known = [...options.known].map(([key, [sha, id]]) => [key, sha, id]);
		const workers: Worker[] = [];
		const inFlight = new Map<Worker, Set<number>>();
		const buffered = new Map<number, {results: {result: SourceResult; worker: Worker}[]; done: boolean}>();
		// Results taken in order and not yet committed, and the tasks they complete.
		let batch: {result: SourceResult; worker: Worker}[] = [];
		let batchDone: Task[] = [];
		let batchWeight = 0;
		let batchSince = Date.now();
		let next = 0;
		let head = 0;
		let finished = false;
		// Tasks queued per worker: enough that a worker never waits for the next one while this
		// thread is busy committing (most tasks are one small file).
		const perWorker = 64;

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
			if (!b) buffered.set(seq, (b = {results: [], done: false}));
			return b;
		};
		// Tasks a dead worker had queued but not started: handed to the next worker.
		const retry: number[] = [];
		const dispatch = (w: Worker) => {
			const mine = inFlight.get(w)!;
			while (mine.size < perWorker && (retry.length > 0 || next < tasks.length) && !options.stopped()) {
				const task = tasks[retry.length > 0 ? retry.shift()! : next++];
				mine.add(task.seq);
				w.postMessage({type: 'task', task});
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
			for (;;) {
				const b = buffered.get(head);
				if (!b) break;
				for (const x of b.results) batchWeight += weight(x.result);
				batch.push(...b.results);
				b.results = [];
				if (!b.done) break;
				batchDone.push(tasks[head]);
				buffered.delete(head);
				head++;
			}
			const all = head >= tasks.length;
			if (!all && batchWeight < batchEvents && Date.now() - batchSince < batchMillis) return;
			if (batch.length > 0) {
				options.commit(batch.map(x => x.result));
				// Acknowledged only once committed: a worker's unacknowledged results bound memory.
				const acks = new Map<Worker, {count: number; events: number}>();
				for (const x of batch) {
					const a = acks.get(x.worker) ?? {count: 0, events: 0};
					a.count++;
					a.events += weight(x.result);
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
			const w = new Worker(workerFile, {workerData: {limits: {...limits}, known}});
			workers.push(w);
			inFlight.set(w, new Set());
			w.on('message', (m: {type: 'result'; seq: number; result: SourceResult; packed?: PackedEvents} | {type: 'done'; seq: number}) => {
				if (m.type === 'result') {
					if (m.packed && m.result.kind === 'source') m.result.events = unpackEvents(m.packed);
					slot(m.seq).results.push({result: m.result, worker: w});
				}
				else {
					slot(m.seq).done = true;
					inFlight.get(w)!.delete(m.seq);
					dispatch(w);
				}
				drain();
			});
			w.on('error', error => {
				// A worker that dies takes the task it was reading with it (the lowest in flight: a worker
				// reads its queue in order): report that one, hand the others on, carry on with a new worker.
				const lost = [...(inFlight.get(w) ?? [])].sort((a, b) => a - b);
				retry.push(...lost.slice(1));
				retry.sort((a, b) => a - b);
				for (const seq of lost.slice(0, 1)) {
					const task = tasks[seq];
					const b = slot(seq);
					b.results.push({
						result: {kind: 'rejected', path: task.path, member: null, position: null, reason: `reader failed: ${error.message}`},
						worker: w,
					});
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
			for (let i = 0; i < Math.min(options.workers, tasks.length); i++) dispatch(start());
			if (tasks.length === 0) finish();
		} catch (error) {
			finish(error as Error);
		}
	});
}
