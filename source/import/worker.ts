import {parentPort, workerData} from 'node:worker_threads';
import {limits} from './limits.js';
import {packChunk, readBatch, weight} from './chunks.js';
import fs from 'node:fs';
import {hashPrefixes, inflateSegments} from './segment.js';
import {Feed} from './stream.js';
import type {KnownSources, ResumeFrom, ResumePoints, Task} from './process.js';

/**
 * Import worker: reads, decompresses, slices, parses, normalises, compresses the record texts and
 * packs batches of sources off the main thread, which only writes to the case file. It pauses
 * while `maxPendingChunks` chunks (or `maxPendingEvents` events) wait for the main thread, so
 * memory stays bounded however fast it reads.
 */
type Role =
	| {role: 'hash'; path: string; offsets: number[]}
	| {role: 'inflate'; path: string; size: number; skip: number; credits: number; limits: typeof limits};
const data = workerData as {limits: typeof limits; known: [string, string, number][]; resume: [string, ResumeFrom][]} | Role;
// The same file is the hashing or inflating thread of a split file (split.ts).
if ('role' in data && data.role === 'hash') {
	hashPrefixes(data.path, data.offsets, message => parentPort!.postMessage(message));
	process.exit(0);
}
if ('role' in data && data.role === 'inflate') {
	Object.assign(limits, data.limits);
	let credits = data.credits;
	let stopped = false;
	let wake: (() => void) | undefined;
	parentPort!.on('message', (m: {type: 'credit' | 'stop'}) => {
		if (m.type === 'credit') credits++;
		else stopped = true;
		wake?.();
		wake = undefined;
	});
	const feed = new Feed({path: data.path, member: null, stream: fs.createReadStream(data.path, {highWaterMark: 1 << 20}), size: data.size, gzip: true});
	await inflateSegments(feed, {segmentBytes: limits.segmentBytes, maxRecordBytes: limits.maxRecordBytes, skip: data.skip}, (m, transfer) => parentPort!.postMessage(m, transfer ?? []), {
		credit: async () => {
			credits--;
			while (credits <= 0 && !stopped) await new Promise<void>(resolve => (wake = resolve));
		},
		stopped: () => stopped,
	});
	process.exit(0);
}
const main = data as Exclude<typeof data, Role>;
Object.assign(limits, main.limits);
const known: KnownSources = new Map(main.known.map(([key, sha, id]) => [key, [sha, id]]));
const resume: ResumePoints = new Map(main.resume);
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
