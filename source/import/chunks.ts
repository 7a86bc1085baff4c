import {RawBlockBuilder} from '../db/raw.js';
import {limits} from './limits.js';
import {packEvents, unpackEvents, type PackedEvents} from './packed.js';
import {processTask, type KnownSources, type ResumePoints, type SourceResult, type Task} from './process.js';
import type {ReadEvent} from './collector.js';

/**
 * The unit of work between the readers and the store. A worker reads a batch of consecutive
 * tasks (many small files, or one large one) and hands over chunks: the results of some of its
 * tasks, their events, and the raw blocks holding those events' texts (RawRef.block indexes
 * `blocks`). The store commits a chunk whole, so blocks span many small sources (an S3 trail is
 * tens of thousands of files of a few records) and still never dangle. A part of a large
 * streamed source always ends its chunk: its resume point commits with exactly its records.
 */
export interface Chunk {
	results: SourceResult[];
	blocks: Uint8Array[];
}

/** A chunk as it crosses from a worker: events packed (packed.ts) for all its results together. */
export interface PackedChunk {
	results: SourceResult[];
	/** Events per result, in order (0 for results without events). */
	counts: number[];
	packed: PackedEvents;
	blocks: Uint8Array[];
}

export function packChunk(chunk: Chunk): {message: PackedChunk; transfer: ArrayBuffer[]} {
	const all: ReadEvent[] = [];
	const counts: number[] = [];
	const results = chunk.results.map(r => {
		if (!hasEvents(r)) {
			counts.push(0);
			return r;
		}
		counts.push(r.events.length);
		for (const e of r.events) all.push(e);
		return {...r, events: []};
	});
	const packed = packEvents(all);
	const transfer: ArrayBuffer[] = [packed.text.buffer, packed.numbers.buffer];
	for (const b of chunk.blocks) if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) transfer.push(b.buffer as ArrayBuffer);
	return {message: {results, counts, packed, blocks: chunk.blocks}, transfer};
}

export function unpackChunk(message: PackedChunk): Chunk {
	const events = unpackEvents(message.packed);
	let at = 0;
	message.results.forEach((r, i) => {
		const n = message.counts[i];
		if (hasEvents(r)) r.events = events.slice(at, at + n);
		at += n;
	});
	return {results: message.results, blocks: message.blocks};
}

/** Events a result carries, for batching and flow control (other results count as one). */
export const weight = (r: SourceResult) => (hasEvents(r) ? Math.max(1, r.events.length) : 1);

/** Results that carry events (a whole source, a part of one, a segment of a split file). */
export const hasEvents = (r: SourceResult): r is Extract<SourceResult, {events: unknown}> => r.kind === 'source' || r.kind === 'part' || r.kind === 'segment';

/** Results that end a chunk and commit with their own resume point. */
export const isPart = (r: SourceResult) => r.kind === 'part' || r.kind === 'segment';

/**
 * Raw text a chunk gathers before it is handed over at the next source boundary: a block or two,
 * so blocks are large and a chunk's memory stays small.
 */
const chunkRawBytes = 2 << 20;

/**
 * Reads a batch of tasks into chunks, calling `send` for each (awaited: the caller's flow control).
 * Used by the worker threads and by the inline (no-worker) path alike.
 */
export async function readBatch(
	tasks: Task[],
	context: {known: KnownSources; resume: ResumePoints},
	send: (chunk: Chunk, last: boolean) => Promise<void>,
): Promise<void> {
	const raw = new RawBlockBuilder();
	let results: SourceResult[] = [];
	const flush = async (last: boolean) => {
		const chunk = {results, blocks: raw.seal()};
		results = [];
		await send(chunk, last);
	};
	for (const task of tasks) {
		await processTask(
			task,
			async result => {
				results.push(result);
				if (isPart(result) || raw.pending >= chunkRawBytes || results.length >= limits.maxPendingSources) await flush(false);
			},
			context.known,
			context.resume,
			raw,
		);
	}
	await flush(true);
}
