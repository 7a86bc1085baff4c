import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {limits} from '../../source/import/limits.js';
import {progressLine} from '../../source/commands/import.js';
import {useTempDirs} from '../temp-dirs.js';
import {ensureBuilt} from '../hostile/cli.js';
import {pivotCounts} from '../pivot-counts.js';
import {makeTar, makeZip, newCase, write, type Case} from './helpers.js';
import {importKilled, importMeasured, largeRecord, writeLarge} from './large.js';

/**
 * Files of any size stream through the readers: memory stays bounded, a large file is committed in
 * parts, an interrupted import continues from its last committed part, and a gzip cut short keeps
 * every record before the cut.
 */
const tempDir = useTempDirs();
const oldLimit = 128 * 1024 * 1024;
let c: Case | undefined;
const saved = {...limits};
afterEach(() => {
	c?.close();
	c = undefined;
	Object.assign(limits, saved);
});

beforeAll(() => ensureBuilt(), 180_000);

const count = (file: string, sql: string, ...params: unknown[]) => {
	const db = new Database(file, {readonly: true});
	try {
		return db.prepare(sql).pluck().get(...params) as number;
	} finally {
		db.close();
	}
};

describe('files over the old 128 MiB limit', () => {
	it('a JSON Lines file and a Records file, each over 128 MiB, import whole; memory does not grow with the file', async () => {
		/** Two files (JSON Lines, Records) of `n` records of about 12 KiB, imported by the CLI. */
		const importPair = async (n: number) => {
			const dir = tempDir();
			const evidence = path.join(dir, 'evidence');
			fs.mkdirSync(evidence);
			const lines = await writeLarge(path.join(evidence, 'export.jsonl'), n, 'jsonl', {pad: 12_000, prefix: 'line', random: true});
			const records = await writeLarge(path.join(evidence, 'trail.json'), n, 'records', {pad: 12_000, prefix: 'trail', random: true});
			const run = importMeasured(dir, [evidence]);
			expect(run.summary, run.stderr).toBeDefined();
			expect(run.status, run.stderr).toBe(0);
			expect(run.summary.records).toMatchObject({seen: 2 * n, inserted: 2 * n, rejected: 0});
			expect(run.summary.files).toMatchObject({seen: 2, imported: 2, rejected: 0});
			const db = new Database(path.join(dir, 'case.db'), {readonly: true});
			const sources = db.prepare('SELECT path, format, status, byte_size, sha256, content_sha256, record_count, resume_state FROM source ORDER BY path').all();
			db.close();
			// The finished rows carry the hashes of the whole files.
			expect(sources).toEqual([
				{path: path.join(evidence, 'export.jsonl'), format: 'jsonl', status: 'imported', byte_size: lines.bytes, sha256: lines.sha256, content_sha256: lines.contentSha256, record_count: n, resume_state: null},
				{path: path.join(evidence, 'trail.json'), format: 'cloudtrail-log', status: 'imported', byte_size: records.bytes, sha256: records.sha256, content_sha256: records.contentSha256, record_count: n, resume_state: null},
			]);
			return {bytes: lines.bytes, peakRss: run.peakRss};
		};
		const small = await importPair(5_800);
		const large = await importPair(11_500);
		expect(small.bytes).toBeGreaterThan(limits.partBytes); // streamed in parts too
		expect(large.bytes).toBeGreaterThan(oldLimit);
		const mb = (n: number) => (n / 2 ** 20).toFixed(0);
		console.info(`peak RSS: 2 × ${mb(small.bytes)} MiB → ${mb(small.peakRss)} MiB; 2 × ${mb(large.bytes)} MiB → ${mb(large.peakRss)} MiB`);
		// Twice the input, both past the fixed costs (parts in flight, SQLite's page cache). Reading a file
		// whole would cost at least twice its size (bytes, then text), so at least twice the difference
		// in size; streamed, the difference is allocator and GC noise: 5–31 MiB measured alone, up to
		// 75 MiB inside the full suite on 2 loaded cores (Node 24), for 68 MiB more per file. The bound
		// sits between the two: 1.5 × the difference.
		expect(large.peakRss - small.peakRss).toBeLessThan(1.5 * (large.bytes - small.bytes));
		expect(large.peakRss).toBeLessThan(1024 * 2 ** 20);
	}, 120_000);
});

describe('resumable', () => {
	for (const [shape, signal] of [['jsonl', 'SIGKILL'], ['records', 'SIGINT']] as const) {
		it(`${signal} in the middle of a large ${shape === 'jsonl' ? 'JSON Lines' : 'gzipped Records'} file: the re-run continues from the last part and stores every record once`, async () => {
			const dir = tempDir();
			const n = 40_000;
			const file = path.join(dir, shape === 'jsonl' ? 'export.jsonl' : 'trail.json.gz');
			const written = await writeLarge(file, n, shape, {pad: 200, gzip: shape === 'records'});
			const db = path.join(dir, 'case.db');
			// Small parts (the test option), so the kill falls between many committed parts.
			const env = {MFATRAIL_PART_RECORDS: '1000', MFATRAIL_IMPORT_WORKERS: '1'};
			let committed = 0;
			const code = await importKilled([file], db, () => {
				if (!fs.existsSync(db)) return false;
				try {
					committed = count(db, `SELECT coalesce(max(resume_position), 0) FROM source WHERE status = 'importing'`);
				} catch {
					return false; // schema not there yet
				}
				return committed >= n / 4;
			}, env, signal);
			// Ctrl-C stops between parts (exit 130, the run recorded as interrupted); SIGKILL anywhere.
			if (signal === 'SIGINT') expect(code).toBe(130);
			expect(committed).toBeGreaterThanOrEqual(n / 4);
			expect(committed).toBeLessThan(n);
			// Consistent: integrity holds, the source is 'importing', and exactly its committed parts are stored.
			const check = new Database(db, {readonly: true});
			expect(check.pragma('integrity_check', {simple: true})).toBe('ok');
			const partial = check.prepare(`SELECT id, status, resume_position AS position, record_count AS records FROM source`).get() as {id: number; status: string; position: number; records: number};
			const stored = check.prepare('SELECT count(*) FROM event').pluck().get() as number;
			check.close();
			expect(partial.status).toBe('importing');
			expect(stored).toBe(partial.position);
			expect(partial.records).toBe(partial.position);

			const again = importMeasured(dir, [file], {db, env});
			expect(again.status, again.stderr).toBe(0);
			// The second run read (parsed, normalised, stored) only what the first had not committed.
			expect(again.summary.records).toEqual({seen: n - stored, inserted: n - stored, duplicates: 0, conflicts: 0, rejected: 0});
			expect(again.summary.records.seen).toBeLessThan(n);
			const done = new Database(db, {readonly: true});
			expect(done.prepare('SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM event').get()).toEqual({n, ids: n});
			// Search's counts too: the killed run's rows are counted once, from the rows or the writer's tally.
			const pivots = pivotCounts(done);
			expect(pivots.stored).toEqual(pivots.counted);
			const source = done.prepare('SELECT id, status, sha256, content_sha256, record_count, resume_state, notes FROM source').all() as Record<string, unknown>[];
			done.close();
			// One source row, continued: the whole file's hashes, every record counted once.
			expect(source).toHaveLength(1);
			expect(source[0]).toMatchObject({id: partial.id, status: 'imported', sha256: written.sha256, content_sha256: written.contentSha256, record_count: n, resume_state: null});
			expect(source[0].notes).toMatch(/continued at byte \d+ of the content \(record \d+\)/);
			console.info(`${shape}, ${signal}: stopped after ${stored} of ${n} records; the second run read ${again.summary.records.seen} (${((100 * again.summary.records.seen) / n).toFixed(0)} %)`);
		}, 120_000);
	}
});

describe('evidence that changed after an interrupted import', () => {
	it('is not continued: the partial source is closed with the reason, the file is imported anew', async () => {
		const dir = tempDir();
		const n = 12_000;
		const file = path.join(dir, 'export.jsonl');
		await writeLarge(file, n, 'jsonl', {pad: 200});
		const db = path.join(dir, 'case.db');
		const env = {MFATRAIL_PART_RECORDS: '500', MFATRAIL_IMPORT_WORKERS: '1'};
		await importKilled([file], db, () => {
			try {
				return fs.existsSync(db) && count(db, `SELECT coalesce(max(resume_position), 0) FROM source WHERE status = 'importing'`) >= 2000;
			} catch {
				return false;
			}
		}, env);
		const stored = count(db, 'SELECT count(*) FROM event');
		expect(stored).toBeGreaterThanOrEqual(2000);
		// The first record changes (same length, so only the hash can tell).
		const bytes = fs.readFileSync(file);
		bytes[bytes.indexOf('GetObject')] = 'X'.charCodeAt(0);
		fs.writeFileSync(file, bytes);
		const again = importMeasured(dir, [file], {db, env});
		expect(again.summary, again.stderr).toBeDefined();
		expect(again.summary.errors.map((e: {reason: string}) => e.reason)).toEqual([
			expect.stringMatching(/^the evidence changed after this import was interrupted: it no longer has the first \d+ bytes whose \d+ records were imported; those are kept, and the file as it is now is imported again as a new source$/),
		]);
		const check = new Database(db, {readonly: true});
		const rows = check.prepare('SELECT status, record_count, resume_state FROM source ORDER BY id').all();
		// All n records of the new version: the first changed (a conflict with the stored version), the others duplicates of stored ones or new.
		const events = check.prepare('SELECT count(*) FROM event').pluck().get();
		check.close();
		expect(rows).toEqual([
			{status: 'partial', record_count: stored + 1, resume_state: null},
			{status: 'imported', record_count: n, resume_state: null},
		]);
		expect(events).toBe(n + 1);
		expect(again.summary.records).toMatchObject({inserted: n - stored + 1, duplicates: stored - 1, conflicts: 1});
	}, 120_000);
});

describe('a truncated gzip at the end of a large file', () => {
	it('keeps every record before the cut, says where it was cut, and marks the source partial', async () => {
		c = newCase();
		// Streamed like a multi-GiB file (files over maxSourceBytes stream), in many small parts.
		limits.maxSourceBytes = 256 * 1024;
		limits.readBytes = 64 * 1024;
		limits.partRecords = 500;
		const n = 6000;
		const file = path.join(c.dir, 'export.jsonl.gz');
		await writeLarge(file, n, 'jsonl', {pad: 600, gzip: true});
		const whole = fs.readFileSync(file);
		fs.writeFileSync(file, whole.subarray(0, Math.floor(whole.length * 0.8)));
		// What a lenient gunzip recovers before the cut: the complete lines in it are the records to keep.
		const recovered = zlib.gunzipSync(fs.readFileSync(file), {finishFlush: zlib.constants.Z_SYNC_FLUSH}).toString();
		const complete = recovered.split('\n').length - 1;
		expect(complete).toBeGreaterThan(n / 2);
		expect(complete).toBeLessThan(n);
		const summary = await c.run([file]);
		expect(c.events().map(e => e.event_id)).toEqual(Array.from({length: complete}, (_, i) => `big-${i}`));
		expect(summary.records).toMatchObject({inserted: complete});
		const source = c.db.prepare('SELECT status, notes FROM source').get() as {status: string; notes: string};
		expect(source.status).toBe('partial');
		expect(source.notes).toMatch(/gzip stream damaged \(unexpected end of file\) in \d+ compressed bytes; \d+ bytes recovered before the damage/);
		// The cut line itself is reported, then the damage with its offset.
		expect(summary.errors.map(e => e.reason).join('\n')).toMatch(/line is not a complete JSON value \(truncated\?\)\n.*gzip stream damaged/);
		expect(summary.errors[summary.errors.length - 1].source).toMatch(/byte \d+ of the decompressed content$/);
	});
});

describe('decompression bombs are judged by what the output holds, not by the ratio alone', () => {
	/** Streams a gzip of `parts` (strings, or [text, times] repeated) to `file`. */
	const gzipTo = async (file: string, parts: (string | [string, number])[]) => {
		const gzip = zlib.createGzip({level: 9});
		const out = fs.createWriteStream(file);
		gzip.pipe(out);
		for (const part of parts) {
			const [text, times] = typeof part === 'string' ? [part, 1] : part;
			for (let i = 0; i < times; i++) if (!gzip.write(text)) await new Promise<void>(resolve => gzip.once('drain', () => resolve()));
		}
		await new Promise<void>(resolve => {
			out.on('finish', () => resolve());
			gzip.end();
		});
	};
	const small = () => {
		limits.maxSourceBytes = 64 * 1024; // files over it stream
		limits.ratioFloorBytes = 256 * 1024;
		limits.bombWindowBytes = 2 * 1024 * 1024;
		limits.readBytes = 256 * 1024;
	};

	it('a highly compressible export (past the 250× ratio) whose output is records imports whole', async () => {
		c = newCase();
		small();
		const file = path.join(c.dir, 'export.jsonl.gz');
		const lines = Array.from({length: 100}, (_, i) => `${JSON.stringify(largeRecord(i, 1)).replace('"pad":"', `"pad":"${'x'.repeat(300_000)}`)}\n`);
		await gzipTo(file, lines);
		const ratio = lines.join('').length / fs.statSync(file).size;
		expect(ratio).toBeGreaterThan(limits.maxRatio);
		const summary = await c.run([file]);
		expect(summary.records).toMatchObject({seen: 100, inserted: 100, rejected: 0});
		expect(c.db.prepare('SELECT status FROM source').pluck().get()).toBe('imported');
	});

	it('records, then megabytes of blanks: the records are kept, the rest stopped as a bomb, the file hashed whole', async () => {
		c = newCase();
		small();
		const file = path.join(c.dir, 'bomb.jsonl.gz');
		const lines = Array.from({length: 200}, (_, i) => `${JSON.stringify(largeRecord(i, 50))}\n`);
		await gzipTo(file, [...lines, [' '.repeat(1024 * 1024), 64]]);
		const summary = await c.run([file]);
		expect(summary.records).toMatchObject({inserted: 200});
		const source = c.db.prepare('SELECT status, sha256 FROM source').get() as {status: string; sha256: string};
		expect(source.status).toBe('partial');
		expect(source.sha256).toBe(crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
		expect(summary.errors.map(e => e.reason)).toEqual([expect.stringMatching(/^decompresses to \d+× of its \d+ compressed bytes, and \d+(\.\d)? MiB of the output after byte \d+ hold no record \(possible decompression bomb\); the rest was not read$/)]);
	});
});

describe('in-process streaming (small limits)', () => {
	it('a Records file streamed in parts stores the same rows as when read whole', async () => {
		const dir = tempDir();
		const records = Array.from({length: 900}, (_, i) => largeRecord(i, 100 + (i % 13) * 37));
		const text = `{"Records": [\n${records.map(r => JSON.stringify(r, null, i(r))).join(',\n')}\n], "trailer": {"x": [1, 2]}}`;
		fs.writeFileSync(path.join(dir, 'a.json'), text);
		const whole = newCase();
		await whole.run([path.join(dir, 'a.json')]);
		c = newCase();
		limits.maxSourceBytes = 4096;
		limits.readBytes = 1000;
		limits.partRecords = 7;
		const summary = await c.run([path.join(dir, 'a.json')]);
		expect(summary.records).toMatchObject({seen: 900, inserted: 900, rejected: 0});
		const rows = (k: Case) => k.events().map(e => [e.event_id, e.position, e.raw]);
		expect(rows(c)).toEqual(rows(whole));
		whole.close();
	});
});

describe('progress on a terminal', () => {
	it('shows how far into a large file, events/s and an ETA that counts the bytes of the file being read', () => {
		const gib = 1024 ** 3;
		const line = progressLine(
			{sourcesDone: 0, sourcesTotal: 1, bytesDone: 0, bytesTotal: 4 * gib, events: 500_000, startedAt: 0, current: {path: '/x/export.jsonl', bytesDone: gib, bytesTotal: 4 * gib}},
			10_000,
		);
		expect(line).toBe('[#####---------------] 0/1 sources (this file 1.0 GiB of 4.0 GiB), 500000 events, 50000 events/s, ETA 30s');
	});
});

describe('large archive members stream too', () => {
	it('a tar member and a gzipped zip member over the whole-read size, each in parts, then the members after them', async () => {
		c = newCase();
		limits.maxSourceBytes = 64 * 1024; // members over it stream
		limits.readBytes = 16 * 1024;
		limits.partRecords = 50;
		const jsonl = Array.from({length: 400}, (_, i) => JSON.stringify(largeRecord(i, 300, 'tar'))).join('\n');
		const gz = zlib.gzipSync(JSON.stringify({Records: Array.from({length: 300}, (_, i) => largeRecord(i, 600, 'zip', true))}));
		expect(jsonl.length).toBeGreaterThan(limits.maxSourceBytes);
		write(c.dir, 'a.tar', await makeTar([{name: 'big.jsonl', data: jsonl}, {name: 'after.json', data: JSON.stringify(largeRecord(0, 1, 'tar-after'))}]));
		expect(gz.length).toBeGreaterThan(limits.maxSourceBytes);
		write(c.dir, 'b.zip', makeZip([{name: 'big.json.gz', data: gz}, {name: 'after.json', data: JSON.stringify(largeRecord(0, 1, 'zip-after'))}]));
		const summary = await c.run([c.dir]);
		expect(summary.errors).toEqual([]);
		expect(summary.records).toMatchObject({inserted: 400 + 1 + 300 + 1, rejected: 0});
		const rows = c.db.prepare('SELECT member, status, record_count, sha256 FROM source ORDER BY id').all() as {member: string; status: string; record_count: number; sha256: string}[];
		const sha = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');
		expect(rows).toEqual([
			{member: 'big.jsonl', status: 'imported', record_count: 400, sha256: sha(jsonl)},
			{member: 'after.json', status: 'imported', record_count: 1, sha256: expect.any(String)},
			{member: 'big.json.gz', status: 'imported', record_count: 300, sha256: sha(gz)},
			{member: 'after.json', status: 'imported', record_count: 1, sha256: expect.any(String)},
		]);
	});
});

/** Some records pretty-printed, to put newlines inside records. */
function i(r: Record<string, unknown>): number {
	return (r.eventID as string).endsWith('3') ? 2 : 0;
}
