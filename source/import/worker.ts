import {parentPort, workerData} from 'node:worker_threads';
import {limits} from './limits.js';
import {packChunk, readBatch, weight} from './chunks.js';
import {hashPrefixes} from './segment.js';
import type {KnownSources, ResumeFrom, ResumePoints, Task} from './process.js';

/**
 * Import worker: reads, decompresses, slices, parses, normalises, compresses the record texts and
 * packs batches of sources off the main thread, which only writes to the case file. It pauses
 * while `maxPendingChunks` chunks (or `maxPendingEvents` events) wait for the main thread, so
 * memory stays bounded however fast it reads.
 */
const data = workerData as {limits: typeof limits; known: [string, string, number][]; resume: [string, ResumeFrom][]} | {role: 'hash'; path: string; offsets: number[]};
// The same file is the hashing thread of a split file (split.ts): it hashes, posts and ends.
if ('role' in data) {
	hashPrefixes(data.path, data.offsets, message => parentPort!.postMessage(message));
	process.exit(0);
}
Object.assign(limits, data.limits);
const known: KnownSources = new Map(data.known.map(([key, sha, id]) => [key, [sha, id]]));
const resume: ResumePoints = new Map(data.resume);
const port = parentPort!;
const maxPendingChunks = 8;

const queue: {seq: number; tasks: Task[]}[] = [];
let running = false;
let pending = 0;
let pendingEvents = 0;
let wake: (() => void) | undefined;

async function run(): Promise<void> {
	if (running) return;
	running = true;
	while (queue.length > 0) {
		const batch = queue.shift()!;
		await readBatch(batch.tasks, {known, resume}, async (chunk, last) => {
			const events = chunk.results.reduce((n, r) => n + weight(r), 0);
			pending++;
			pendingEvents += events;
			const {message, transfer} = packChunk(chunk);
			port.postMessage({type: 'chunk', seq: batch.seq, last, chunk: message, events}, transfer);
			while (pending >= maxPendingChunks || pendingEvents >= limits.maxPendingEvents) await new Promise<void>(resolve => (wake = resolve));
		});
	}
	running = false;
}

port.on('message', (message: {type: 'batch'; seq: number; tasks: Task[]} | {type: 'ack'; count: number; events: number}) => {
	if (message.type === 'ack') {
		pending -= message.count;
		pendingEvents -= message.events;
		const w = wake;
		wake = undefined;
		w?.();
	} else {
		queue.push({seq: message.seq, tasks: message.tasks});
		void run();
	}
});
