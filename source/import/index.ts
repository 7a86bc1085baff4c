import {UsageError} from '../lib/errors.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {CaseFile} from '../db/open.js';
import {EventStore} from '../db/store.js';
import {dropEventIndexes, restoreEventIndexes} from '../db/event-indexes.js';
import {limits, mib} from './limits.js';
import {runTasks, workerStart, workersAvailable} from './pool.js';
import {Splitter} from './split.js';
import type {PartResult} from './stream.js';
import {knownKey, type KnownSources, type ResumePoints, type SourceResult, type Task} from './process.js';
import {resumePoints} from '../db/resume.js';
import {Phases} from '../lib/phases.js';
import {walkInputs} from './walk.js';

export interface ImportSummary {
	files: {seen: number; imported: number; skipped: number; rejected: number};
	records: {seen: number; inserted: number; duplicates: number; conflicts: number; rejected: number};
	errors: {source: string; reason: string}[];
	/** Files skipped on purpose (not evidence, links, devices), with the reason. */
	skipped: {source: string; reason: string}[];
	/** Present and true when the import was stopped (SIGINT/SIGTERM) before the end. */
	interrupted?: boolean;
}

export interface ImportProgress {
	sourcesDone: number;
	sourcesTotal: number;
	bytesDone: number;
	bytesTotal: number;
	events: number;
	startedAt: number;
	/** The large file being read in parts, and how far into it (bytes as read). */
	current?: {path: string; bytesDone: number; bytesTotal: number};
}

export interface ImportOptions {
	argv?: string[];
	toolVersion?: string;
	/** Called after each batch of sources is committed. */
	onProgress?: (progress: ImportProgress) => void;
	/** Aborting stops the import between sources: committed sources stay, the run is 'interrupted'. */
	signal?: AbortSignal;
	/** Worker threads (default: MFATRAIL_IMPORT_WORKERS, else up to 2); 0 reads on the main thread. */
	workers?: number;
	/**
	 * Bulk mode: drop the event indexes while loading and build them after (default: chosen by
	 * the input size against the case file's, see bulkWorthwhile; MFATRAIL_IMPORT_BULK=0/1 forces).
	 */
	bulk?: boolean;
	/** Where the time goes (MFATRAIL_IMPORT_TIMING=1); the orchestrator passes its own to add the later stages. */
	phases?: Phases;
	/** stdin's bytes for the input '-' (default: read process.stdin). */
	stdin?: () => Promise<Buffer>;
}

/** The errors list in the summary is capped; the rejection table in the case file has them all. */
const maxErrors = 1000;

export function emptySummary(): ImportSummary {
	return {
		files: {seen: 0, imported: 0, skipped: 0, rejected: 0},
		records: {seen: 0, inserted: 0, duplicates: 0, conflicts: 0, rejected: 0},
		errors: [],
		skipped: [],
	};
}

/** A missing input path: the CLI reports it in one line before anything is written (a usage error, exit 2). */
export class MissingInputError extends UsageError {}

/** Where a source is, for people: the path, and the member inside an archive. */
export function sourceLabel(path: string, member: string | null, position?: string | null): string {
	return `${path}${member ? ` [${member}]` : ''}${position ? ` ${position}` : ''}`;
}

/**
 * Imports files, folders, archives and stdin ('-') into the case file: the evidence only. The model
 * and findings are brought up to date by the one orchestrator, source/pipeline.ts. Readers run in
 * worker threads; this thread only writes, one transaction per group of whole chunks, in input order.
 */
export async function importPaths(db: CaseFile, inputs: string[], options: ImportOptions = {}): Promise<ImportSummary> {
	for (const input of inputs) {
		if (input !== '-' && !fs.existsSync(input)) throw new MissingInputError(`no such file or folder: ${input}`);
	}
	const store = new EventStore(db, options.argv ?? inputs, options.toolVersion ?? '0.0.0');
	const summary = emptySummary();
	const addError = (source: string, reason: string) => {
		if (summary.errors.length < maxErrors) summary.errors.push({source, reason});
		else if (summary.errors.length === maxErrors) summary.errors.push({source: '…', reason: 'more errors not listed: see the rejection table of the case file'});
	};

	const caseFiles = new Set(['', '-wal', '-shm', '-journal'].map(suffix => path.resolve(db.name) + suffix));
	let tasks: Task[] = [];
	const addTask = (t: Omit<Task, 'seq'>) => tasks.push({...t, seq: tasks.length});
	for (const input of inputs) {
		if (input === '-') {
			const bytes = await (options.stdin ?? readStdin)();
			addTask({path: '-', size: bytes.length, bytes});
			continue;
		}
		walkInputs(
			[input],
			entry => {
				// The case file may sit inside the evidence folder: never read it (or its WAL) as evidence.
				if (caseFiles.has(entry.file)) return;
				addTask({path: entry.file, size: entry.size});
			},
			skip => {
				summary.files.seen++;
				summary.files.skipped++;
				summary.skipped.push({source: skip.file, reason: skip.reason});
			},
		);
	}

	const known = knownSources(db);
	const resume: ResumePoints = new Map(resumePoints(db).map(r => [knownKey(r.path, r.member), r]));
	const statements = {
		prior: db.prepare(`SELECT record_count AS records, rejected, run_id AS runId, path, member FROM source WHERE id = ?`),
		priorRejections: db.prepare(`SELECT position, reason FROM rejection WHERE run_id = ? AND path = ? AND member IS ?`),
	};
	const progress: ImportProgress = {
		sourcesDone: 0,
		sourcesTotal: tasks.length,
		bytesDone: 0,
		bytesTotal: tasks.reduce((n, t) => n + t.size, 0),
		events: 0,
		startedAt: Date.now(),
	};

	const addCounts = (counts: {records: number; inserted: number; duplicates: number; conflicts: number; rejected: number}) => {
		summary.records.seen += counts.records;
		summary.records.inserted += counts.inserted;
		summary.records.duplicates += counts.duplicates;
		summary.records.conflicts += counts.conflicts;
		summary.records.rejected += counts.rejected;
	};
	const commitOne = (r: SourceResult) => {
		summary.files.seen++;
		switch (r.kind) {
			case 'skipped':
				summary.files.skipped++;
				summary.skipped.push({source: sourceLabel(r.path, r.member), reason: r.reason});
				return;
			case 'failed':
				// mfatrail's own failure, not the evidence's: stop (what was committed is kept) and say so.
				throw new Error(`mfatrail failed while reading ${sourceLabel(r.path, r.member)} (a bug in mfatrail, not a problem of the evidence): ${r.error}`);
			case 'rejected':
				summary.files.rejected++;
				store.reject(r.path, r.member, r.position, r.reason);
				addError(sourceLabel(r.path, r.member, r.position), r.reason);
				return;
			case 'known': {
				// Same place, same bytes as a source already in the case file: nothing new to store.
				const prior = statements.prior.get(r.sourceId) as {records: number; rejected: number; runId: number; path: string; member: string | null};
				summary.files.imported++;
				summary.records.seen += prior.records;
				summary.records.duplicates += prior.records - prior.rejected;
				summary.records.rejected += prior.rejected;
				progress.events += prior.records - prior.rejected;
				if (prior.rejected > 0) {
					for (const p of statements.priorRejections.all(prior.runId, prior.path, prior.member) as {position: string | null; reason: string}[]) {
						addError(sourceLabel(r.path, r.member, p.position), `${p.reason} (rejected when first imported)`);
					}
				}
				return;
			}
			case 'digest':
				store.storeDigest(r.meta, r.digest);
				summary.files.imported++;
				return;
			case 'segment': {
				const part = splitter.part(r);
				if (part) return commitPart(part);
				summary.files.seen--; // after a decompression bomb: not read
				return;
			}
			case 'part':
				return commitPart(r);
			case 'source': {
				const counts = store.storeSource(r.meta, r.status, r.events, r.rejected);
				if (r.events.length === 0 && r.rejected.length > 0) summary.files.rejected++;
				else summary.files.imported++;
				addCounts(counts);
				progress.events += r.events.length;
				for (const rej of r.rejected) addError(sourceLabel(r.meta.path, r.meta.member, rej.position), rej.reason);
			}
		}
	};
	// One piece of a large source, committed with its resume point.
	const commitPart = (r: PartResult) => {
		const counts = store.storePart(r);
		addCounts(counts);
		progress.events += r.events.length;
		progress.current = r.status === 'importing' ? {path: r.meta.path, bytesDone: r.inputOffset, bytesTotal: r.meta.byteSize} : undefined;
		if (r.status !== 'importing') {
			if (r.meta.format === 'unknown' || (r.events.length === 0 && counts.records === counts.rejected && r.part === 0)) summary.files.rejected++;
			else summary.files.imported++;
		} else summary.files.seen--; // counted once, with its last part
		for (const rej of r.rejected) addError(sourceLabel(r.meta.path, r.meta.member, rej.position), rej.reason);
	};

	const workers = options.workers ?? defaultWorkers(progress.bytesTotal);
	const bulk = tasks.length > 0 && (options.bulk ?? bulkWorthwhile(db, progress.bytesTotal));
	// Large JSON Lines files in segments for every worker (their hashing threads start here).
	const {file: workerFile, argv: workerArgv} = workerStart();
	const split = workersAvailable() ? await Splitter.plan(tasks, {workers, known, resume, workerFile, workerArgv}) : {tasks, splitter: new Splitter()};
	tasks = split.tasks;
	const {splitter} = split;
	// A larger WAL between checkpoints (fewer syncs and page rewrites); in incremental mode also a
	// larger page cache: inserting into a big case file touches index pages all over the file, and
	// each one evicted before the commit is read again (measured: 10k into 1M, load 1.8 s → 1.3 s).
	// A bulk load only appends, so it keeps the default cache and its memory.
	const autocheckpoint = db.pragma('wal_autocheckpoint', {simple: true}) as number;
	const cacheSize = db.pragma('cache_size', {simple: true}) as number;
	const phases = options.phases ?? new Phases();
	db.pragma('wal_autocheckpoint = 16384');
	if (!bulk) db.pragma('cache_size = -262144');
	try {
		if (bulk) {
			dropEventIndexes(db);
			store.useMemoryLookup();
		}
		await runTasks(tasks, {
			workers,
			known,
			resume,
			ready: chunk => splitter.ready(chunk.results),
			later: splitter,
			commit: chunks => {
				store.batch(() => {
					for (const chunk of chunks) {
						store.storeBlocks(chunk.blocks);
						chunk.results.forEach(commitOne);
					}
				});
				if (progress.current) options.onProgress?.(progress);
			},
			taskDone: task => {
				// A split file counts once, with its last segment; until then its parts say how far in it is.
				if (task.segment && !task.segment.last) return;
				progress.sourcesDone++;
				progress.bytesDone += task.segment?.fileSize ?? task.size;
				options.onProgress?.(progress);
			},
			stopped: () => Boolean(options.signal?.aborted),
		});
	} finally {
		splitter.close();
		phases.mark(bulk ? 'load (bulk)' : 'load');
		// Also when interrupted or failed: the case file keeps its indexes whatever happened.
		if (bulk) {
			store.useIndexLookup();
			restoreEventIndexes(db);
			phases.mark('indexes');
		}
		db.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
		db.pragma(`cache_size = ${cacheSize}`);
	}

	if (options.signal?.aborted) {
		summary.interrupted = true;
		store.finishRun('interrupted', summary);
		return summary;
	}
	store.finishRun('done', summary);
	return summary;
}

/** Sources already in the case file, so a re-run recognises them by place and bytes without parsing. */
function knownSources(db: CaseFile): KnownSources {
	const rows = db
		.prepare(`SELECT path, member, sha256, max(id) AS id FROM source WHERE status IN ('imported', 'partial', 'digest') GROUP BY path, member, sha256`)
		.all() as {path: string; member: string | null; sha256: string; id: number}[];
	const known: KnownSources = new Map();
	for (const row of rows) known.set(knownKey(row.path, row.member), [row.sha256, row.id]);
	return known;
}

/**
 * Bulk mode pays for building the event indexes over the whole table once; incremental mode pays
 * for maintaining them row by row (several times dearer per row). So bulk when the import adds
 * about a tenth or more of the rows already there. New events are estimated from input bytes at
 * one per KiB (uncompressed CloudTrail is about 1 KiB per record; gzip holds more, so this errs
 * towards incremental).
 */
function bulkWorthwhile(db: CaseFile, inputBytes: number): boolean {
	const fromEnv = process.env.MFATRAIL_IMPORT_BULK;
	if (fromEnv === '0' || fromEnv === '1') return fromEnv === '1';
	const existing = (db.prepare('SELECT max(id) FROM event').pluck().get() as number | null) ?? 0;
	return (inputBytes / 1024) * 10 >= existing;
}

/** Small imports read inline (starting threads costs more than it saves); larger ones use up to 2 workers. */
function defaultWorkers(bytes: number): number {
	const fromEnv = process.env.MFATRAIL_IMPORT_WORKERS;
	if (fromEnv !== undefined && /^\d+$/.test(fromEnv)) return Number(fromEnv);
	if (bytes < 4 * 1024 * 1024 || !workersAvailable()) return 0;
	return Math.max(1, Math.min(2, os.availableParallelism() - 0));
}

async function readStdin(): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of process.stdin) {
		size += (chunk as Buffer).length;
		if (size > limits.maxStdinBytes) throw new Error(`stdin holds more than ${mib(limits.maxStdinBytes)}; save it to a file and import the file`);
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks);
}
