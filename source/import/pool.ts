import fs from 'node:fs';
import {fileURLToPath} from 'node:url';
import {Worker} from 'node:worker_threads';
import {limits} from './limits.js';
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

/** Worker threads are available when running from the build (dist/import/worker.js exists). */
export function workersAvailable(): boolean {
	return fs.existsSync(workerFile);
}

/** Processes tasks, committing their sources strictly in task order whatever thread read them. */
export async function runTasks(tasks: Task[], options: PoolOptions): Promise<void> {
	if (options.workers <= 0 || !workersAvailable()) {
		for (const task of tasks) {
			if (options.stopped()) return;
			const results: SourceResult[] = [];
			await processTask(task, r => void results.push(r), options.known);
			if (options.stopped()) return;
			options.commit(results);
			options.taskDone(task);
		}
		return;
	}
	await new Promise<void>((resolve, reject) => {
		const known = [...options.known].map(([key, [sha, id]]) => [key, sha, id]);
		const workers: Worker[] = [];
		const inFlight = new Map<Worker, Set<number>>();
		const buffered = new Map<number, {results: {result: SourceResult; worker: Worker}[]; done: boolean}>();
		let next = 0;
		let head = 0;
		let finished = false;
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
			if (!b) buffered.set(seq, (b = {results: [], done: false}));
			return b;
		};
		const dispatch = (w: Worker) => {
			const mine = inFlight.get(w)!;
			while (mine.size < perWorker && next < tasks.length && !options.stopped()) {
				const task = tasks[next++];
				mine.add(task.seq);
				w.postMessage({type: 'task', task});
			}
		};
		const drain = () => {
			if (finished) return;
			if (options.stopped()) return finish();
			const batch: {result: SourceResult; worker: Worker}[] = [];
			const done: Task[] = [];
			for (;;) {
				const b = buffered.get(head);
				if (!b) break;
				batch.push(...b.results);
				b.results = [];
				if (!b.done) break;
				done.push(tasks[head]);
				buffered.delete(head);
				head++;
			}
			if (batch.length > 0) {
				options.commit(batch.map(x => x.result));
				const acks = new Map<Worker, number>();
				for (const x of batch) acks.set(x.worker, (acks.get(x.worker) ?? 0) + 1);
				for (const [w, count] of acks) w.postMessage({type: 'ack', count});
			}
			for (const t of done) options.taskDone(t);
			if (head >= tasks.length) finish();
		};
		const start = (): Worker => {
			const w = new Worker(workerFile, {workerData: {limits: {...limits}, known}});
			workers.push(w);
			inFlight.set(w, new Set());
			w.on('message', (m: {type: 'result'; seq: number; result: SourceResult} | {type: 'done'; seq: number}) => {
				if (m.type === 'result') slot(m.seq).results.push({result: m.result, worker: w});
				else {
					slot(m.seq).done = true;
					inFlight.get(w)!.delete(m.seq);
					dispatch(w);
				}
				drain();
			});
			w.on('error', error => {
				// A worker that dies takes its tasks with it: report them and carry on with a new worker.
				for (const seq of inFlight.get(w) ?? []) {
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
