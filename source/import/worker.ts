import {parentPort, workerData} from 'node:worker_threads';
import {limits} from './limits.js';
import {packEvents} from './packed.js';
import {weight} from './pool.js';
import {processTask, type KnownSources, type SourceResult, type Task} from './process.js';

/**
 * Import worker: reads, decompresses, slices, parses, normalises and packs sources off the main
 * thread, which only writes to the case file. It pauses when `maxPendingSources` results (or `maxPendingEvents` events) wait
 * for the main thread, so memory stays bounded however fast it reads.
 */
const data = workerData as {limits: typeof limits; known: [string, string, number][]};
Object.assign(limits, data.limits);
const known: KnownSources = new Map(data.known.map(([key, sha, id]) => [key, [sha, id]]));
const port = parentPort!;

const queue: Task[] = [];
let running = false;
let pending = 0;
let pendingEvents = 0;
let wake: (() => void) | undefined;

async function emit(seq: number, result: SourceResult): Promise<void> {
	pending++;
	pendingEvents += weight(result);
	if (result.kind === 'source') {
		// Events travel packed (packed.ts); their typed arrays are handed over, not copied.
		const packed = packEvents(result.events);
		port.postMessage({type: 'result', seq, result: {...result, events: []}, packed}, [packed.text.buffer, packed.numbers.buffer, packed.sha.buffer]);
	} else port.postMessage({type: 'result', seq, result});
	while (pending >= limits.maxPendingSources || pendingEvents >= limits.maxPendingEvents) await new Promise<void>(resolve => (wake = resolve));
}

async function run(): Promise<void> {
	if (running) return;
	running = true;
	while (queue.length > 0) {
		const task = queue.shift()!;
		await processTask(task, result => emit(task.seq, result), known);
		port.postMessage({type: 'done', seq: task.seq});
	}
	running = false;
}

port.on('message', (message: {type: 'task'; task: Task} | {type: 'ack'; count: number; events: number}) => {
	if (message.type === 'ack') {
		pending -= message.count;
		pendingEvents -= message.events;
		const w = wake;
		wake = undefined;
		w?.();
	} else {
		queue.push(message.task);
		void run();
	}
});
