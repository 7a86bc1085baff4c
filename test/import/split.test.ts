import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import {beforeAll, describe, expect, it} from 'vitest';
import {RawReader} from '../../source/db/raw.js';
import {useTempDirs} from '../temp-dirs.js';
import {ensureBuilt} from '../hostile/cli.js';
import {importKilled, importMeasured, largeRecord} from './large.js';

/**
 * A large JSON Lines file read by every worker at once (source/import/split.ts): cut into segments
 * of whole lines, parsed in parallel, committed in file order. What it stores must be what one
 * reader stores: the same records in the same order with the same positions, the same bytes, the
 * same line numbers in rejections, the same hashes; and an interrupted import continues.
 */
const tempDir = useTempDirs();
beforeAll(() => ensureBuilt(), 180_000);

/** Split from 64 KiB on, in segments of 16 KiB: a few MiB make hundreds of segments. */
const split = {MFATRAIL_IMPORT_WORKERS: '2', MFATRAIL_SPLIT_BYTES: String(64 * 1024), MFATRAIL_SEGMENT_BYTES: String(16 * 1024)};
/** One reader (the path every smaller file takes). */
const single = {MFATRAIL_IMPORT_WORKERS: '1', MFATRAIL_SPLIT_BYTES: String(2 ** 40)};

interface Written {
	file: string;
	bytes: Buffer;
	/** Line number (1-based, as the reader counts from the first record) → what the test put there. */
	bad: number[];
	records: number;
}

/**
 * JSON Lines with what real exports hold: a byte order mark, CRLF on some lines, blank lines, a
 * line far longer than a segment, bad lines in the middle, and a last line without a newline.
 */
function writeExport(dir: string, n: number, options: {bad?: number[]; long?: number[]} = {}): Written {
	const parts: string[] = ['\ufeff'];
	const bad = new Set(options.bad ?? []);
	const long = new Set(options.long ?? []);
	let records = 0;
	for (let i = 0; i < n; i++) {
		const eol = i === n - 1 ? '' : i % 7 === 3 ? '\r\n' : '\n';
		if (bad.has(i + 1)) parts.push(`{"eventID": "broken-${i}", "eventTime": ${eol}`);
		else {
			parts.push(JSON.stringify(largeRecord(i, long.has(i + 1) ? 90_000 : 100 + ((i * 37) % 400), 'split')) + eol);
			records++;
		}
		// Blank lines are lines too: the line numbers after them count them.
		if (i % 13 === 5 && i !== n - 1) parts.push('\n');
	}
	const file = path.join(dir, 'export.jsonl');
	const bytes = Buffer.from(parts.join(''), 'utf8');
	fs.writeFileSync(file, bytes);
	return {file, bytes, bad: [...bad], records};
}

/** What a case file holds of its evidence: every event with its bytes, the sources, the rejections. */
function stored(db: string) {
	const d = new Database(db, {readonly: true});
	try {
		const raw = new RawReader(d as never);
		const events = (d.prepare('SELECT id, event_id, position, source_id, raw_block, raw_offset, raw_length FROM event ORDER BY id').all() as Record<string, number | string>[]).map(e => ({
			id: e.id,
			eventId: e.event_id,
			position: e.position,
			source: e.source_id,
			text: raw.bytes(e.raw_block as number, e.raw_offset as number, e.raw_length as number).toString('utf8'),
		}));
		const sources = d.prepare('SELECT path, format, status, byte_size, sha256, content_size, content_sha256, record_count, inserted, rejected, first_event_time, last_event_time, notes, resume_state FROM source ORDER BY id').all();
		const rejections = d.prepare('SELECT path, member, position, reason FROM rejection ORDER BY id').all();
		return {events, sources, rejections};
	} finally {
		d.close();
	}
}

/** The same evidence imported by one reader and by all of them: what each stored, which must be the same. */
function importBoth(dir: string, input: string, records: number) {
	const one = importMeasured(dir, [input], {db: path.join(dir, 'one.db'), env: single});
	const many = importMeasured(dir, [input], {db: path.join(dir, 'many.db'), env: split});
	expect(one.status, one.stderr).toBe(3); // a partial import: bad lines are rejected, each named
	expect(many.status, many.stderr).toBe(3);
	const a = stored(path.join(dir, 'one.db'));
	const b = stored(path.join(dir, 'many.db'));
	expect(b.events.length).toBe(records);
	expect(b.events).toEqual(a.events);
	expect(b.sources).toEqual(a.sources);
	expect(b.rejections).toEqual(a.rejections);
	return {many, b};
}

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/** The file's lines as the reader numbers them (from the first record, after the byte order mark). */
function lines(bytes: Buffer): {start: number; text: string}[] {
	const out: {start: number; text: string}[] = [];
	let at = 3;
	while (at < bytes.length) {
		let nl = bytes.indexOf(0x0a, at);
		if (nl < 0) nl = bytes.length;
		out.push({start: at, text: bytes.subarray(at, nl).toString('utf8').replace(/\r$/, '')});
		at = nl + 1;
	}
	return out;
}

describe('one JSON Lines file read in segments by every worker', () => {
	it('stores what one reader stores: the records, their order, positions and bytes, the line numbers of bad lines, the hashes', () => {
		const dir = tempDir();
		// Bad lines in the middle of segments; line 700 is longer than five segments.
		const w = writeExport(dir, 9_000, {bad: [2_345, 5_001], long: [700, 4_100]});
		expect(w.bytes.length).toBeGreaterThan(40 * 16 * 1024);
		const {many, b} = importBoth(dir, w.file, w.records);

		// And what both store is the file's: each record's bytes are its line's (without CR), in file order, …
		const records = lines(w.bytes).filter(l => l.text.trim() !== '');
		const good = records.filter(l => !l.text.startsWith('{"eventID": "broken'));
		expect(b.events.map(e => e.text)).toEqual(good.map(l => l.text));
		// … positions count every record, rejected ones included, …
		expect(b.events.map(e => e.position)).toEqual(records.flatMap((l, i) => (l.text.startsWith('{"eventID": "broken') ? [] : [i])));
		// … a bad line is named by file and line number, the records around it are kept, …
		const numbered = lines(w.bytes);
		const badLines = numbered.flatMap((l, i) => (l.text.startsWith('{"eventID": "broken') ? [i + 1] : []));
		expect(badLines).toHaveLength(2);
		expect(many.summary.errors.map((e: {source: string}) => e.source)).toEqual(badLines.map(n => `${w.file} line ${n}`));
		expect(b.rejections.map(r => (r as {position: string}).position)).toEqual(badLines.map(n => `line ${n}`));
		// … and the source row holds the whole file's hashes, the byte order mark noted.
		expect(b.sources).toEqual([
			expect.objectContaining({status: 'imported', format: 'jsonl', byte_size: w.bytes.length, sha256: sha256(w.bytes), content_sha256: sha256(w.bytes), record_count: records.length, rejected: 2, resume_state: null}),
		]);
		expect((b.sources[0] as {notes: string}).notes).toContain('byte order mark');
	}, 120_000);

	it('SIGKILL in the middle: the case holds whole segments with a resume point at a line start, and the next run continues and stores every record once', async () => {
		const dir = tempDir();
		const w = writeExport(dir, 40_000, {bad: [20_001]});
		const db = path.join(dir, 'case.db');
		const segment = 64 * 1024;
		const env = {...split, MFATRAIL_SEGMENT_BYTES: String(segment)};
		const count = (sql: string) => {
			const d = new Database(db, {readonly: true});
			try {
				return d.prepare(sql).pluck().get() as number;
			} finally {
				d.close();
			}
		};
		let committed = 0;
		await importKilled([w.file], db, () => {
			try {
				committed = fs.existsSync(db) ? count(`SELECT coalesce(max(resume_position), 0) FROM source WHERE status = 'importing'`) : 0;
			} catch {
				return false; // schema not there yet
			}
			return committed >= w.records / 4;
		}, env, 'SIGKILL');
		expect(committed).toBeGreaterThanOrEqual(w.records / 4);
		const d = new Database(db, {readonly: true});
		expect(d.pragma('integrity_check', {simple: true})).toBe('ok');
		const partial = d.prepare(`SELECT id, status, resume_offset AS offset, resume_position AS position, record_count AS records FROM source`).get() as {id: number; status: string; offset: number; position: number; records: number};
		const events = d.prepare('SELECT count(*) FROM event').pluck().get() as number;
		d.close();
		expect(partial.status).toBe('importing');
		expect(partial.position).toBeLessThan(w.records);
		// The resume point is a segment's end: the first line start at or after a multiple of the segment size …
		expect(w.bytes[partial.offset - 1]).toBe(0x0a);
		const nominal = Math.floor((partial.offset - 1) / segment) * segment;
		expect(w.bytes.subarray(nominal, partial.offset - 1).includes(0x0a)).toBe(false);
		// … and the records before it (counted here from the file) are exactly those stored.
		const before = lines(w.bytes).filter(l => l.start < partial.offset && l.text.trim() !== '');
		expect(partial.position).toBe(before.length);
		expect(partial.records).toBe(before.length);
		expect(events).toBe(before.filter(l => !l.text.startsWith('{"eventID": "broken')).length);

		const again = importMeasured(dir, [w.file], {db, env});
		expect(again.status, again.stderr).toBe(3);
		// Only what the first run had not committed is read again.
		expect(again.summary.records.seen).toBe(lines(w.bytes).filter(l => l.text.trim() !== '').length - partial.position);
		const resumed = stored(db);
		const one = importMeasured(dir, [w.file], {db: path.join(dir, 'one.db'), env: single});
		expect(one.status, one.stderr).toBe(3); // a partial import: bad lines are rejected, each named
		const whole = stored(path.join(dir, 'one.db'));
		// The same records, positions and bytes as one uninterrupted reader; one source row, continued.
		expect(resumed.events).toEqual(whole.events);
		expect(resumed.rejections.map(r => (r as {position: string}).position)).toEqual(whole.rejections.map(r => (r as {position: string}).position));
		expect(resumed.sources).toHaveLength(1);
		const {notes, ...rest} = resumed.sources[0] as {notes: string};
		const {notes: wholeNotes, ...wholeRest} = whole.sources[0] as {notes: string};
		expect(rest).toEqual(wholeRest);
		expect(notes).toMatch(/continued at byte \d+ of the content \(record \d+\)/);
		expect(JSON.parse(wholeNotes)).toEqual(['byte order mark']);
	}, 120_000);

	describe('gzip: one thread inflates, the others parse', () => {
		it('stores what one reader stores, the hashes of the bytes as read and of the content included', () => {
			const dir = tempDir();
			const w = writeExport(dir, 9_000, {bad: [2_345, 5_001], long: [700]});
			const gz = `${w.file}.gz`;
			const compressed = zlib.gzipSync(w.bytes, {level: 1});
			fs.writeFileSync(gz, compressed);
			const {b} = importBoth(dir, gz, w.records);
			expect(b.sources).toEqual([expect.objectContaining({status: 'imported', byte_size: compressed.length, sha256: sha256(compressed), content_size: w.bytes.length, content_sha256: sha256(w.bytes)})]);
			expect(b.rejections.map(r => (r as {position: string}).position)).toEqual(lines(w.bytes).flatMap((l, i) => (l.text.startsWith('{"eventID": "broken') ? [`line ${i + 1}`] : [])));
		}, 120_000);

		it('a gzip cut short: every record before the cut is kept, the cut line and the damage are reported as one reader reports them', () => {
			const dir = tempDir();
			const w = writeExport(dir, 9_000);
			const gz = `${w.file}.gz`;
			const whole = zlib.gzipSync(w.bytes, {level: 1});
			fs.writeFileSync(gz, whole.subarray(0, Math.floor(whole.length * 0.7)));
			const one = importMeasured(dir, [gz], {db: path.join(dir, 'one.db'), env: single});
			const many = importMeasured(dir, [gz], {db: path.join(dir, 'many.db'), env: split});
			expect(one.status, one.stderr).toBe(3);
			expect(many.status, many.stderr).toBe(3);
			const a = stored(path.join(dir, 'one.db'));
			const b = stored(path.join(dir, 'many.db'));
			// What a lenient gunzip recovers: its complete lines are the records to keep.
			const recovered = zlib.gunzipSync(fs.readFileSync(gz), {finishFlush: zlib.constants.Z_SYNC_FLUSH});
			const complete = lines(recovered.subarray(0, recovered.lastIndexOf(0x0a) + 1)).filter(l => l.text.trim() !== '');
			expect(b.events.map(e => e.text)).toEqual(complete.map(l => l.text));
			expect(b.events).toEqual(a.events);
			expect(b.sources).toEqual(a.sources);
			expect(b.rejections).toEqual(a.rejections);
			expect(b.sources).toEqual([expect.objectContaining({status: 'partial', notes: expect.stringMatching(/gzip stream damaged \(unexpected end of file\)/)})]);
			expect(b.rejections.map(r => (r as {reason: string}).reason).join('\n')).toMatch(/line is not a complete JSON value \(truncated\?\)\n.*gzip stream damaged/);
		}, 120_000);

		it('records, then a hundred MiB of blank lines (a bomb): the records are kept, inflating stops, the file is hashed whole', () => {
			const dir = tempDir();
			const records = Array.from({length: 3_000}, (_, i) => `${JSON.stringify(largeRecord(i, 200, 'bomb'))}\n`).join('');
			const blanks = Buffer.alloc(100 * 2 ** 20, ' ');
			for (let i = 1000; i < blanks.length; i += 1000) blanks[i] = 0x0a;
			const gz = path.join(dir, 'export.jsonl.gz');
			const compressed = zlib.gzipSync(Buffer.concat([Buffer.from(records), blanks]), {level: 9});
			fs.writeFileSync(gz, compressed);
			expect(compressed.length * 250).toBeLessThan(100 * 2 ** 20); // past the ratio bound
			const one = importMeasured(dir, [gz], {db: path.join(dir, 'one.db'), env: single});
			// Segments of the default size (a hundred MiB of 16 KiB parts is only slow).
			const many = importMeasured(dir, [gz], {db: path.join(dir, 'many.db'), env: {...split, MFATRAIL_SEGMENT_BYTES: String(2 ** 20)}});
			expect(one.status, one.stderr).toBe(3);
			expect(many.status, many.stderr).toBe(3);
			const a = stored(path.join(dir, 'one.db'));
			const b = stored(path.join(dir, 'many.db'));
			expect(b.events).toHaveLength(3_000);
			expect(b.events).toEqual(a.events);
			const bomb = (db: typeof b) => db.rejections.map(r => r as {position: string; reason: string});
			expect(bomb(b)).toEqual([{path: gz, member: null, position: `byte ${Buffer.byteLength(records) - 1} of the decompressed content`, reason: expect.stringMatching(/hold no record \(possible decompression bomb\); the rest was not read$/)}]);
			expect(bomb(b)[0].position).toBe(bomb(a)[0].position);
			expect(b.sources).toEqual([expect.objectContaining({status: 'partial', byte_size: compressed.length, sha256: sha256(compressed), content_sha256: ''})]);
			expect(b.sources[0]).toMatchObject({sha256: (a.sources[0] as {sha256: string}).sha256});
		}, 120_000);
	});
});

describe('planning the split', () => {
	it('a large file gone since the walk is left to the one reader (which rejects it), not an error that stops the import', async () => {
		const {Splitter} = await import('../../source/import/split.js');
		const {limits} = await import('../../source/import/limits.js');
		const saved = limits.splitBytes;
		limits.splitBytes = 64 * 1024;
		try {
			const gone = path.join(tempDir(), 'gone.jsonl.gz');
			const other = path.join(tempDir(), 'gone.jsonl');
			const tasks = [
				{seq: 0, path: other, size: 1 << 20},
				{seq: 1, path: gone, size: 1 << 20},
			];
			const planned = await Splitter.plan(tasks, {workers: 2, known: new Map(), resume: new Map(), workerFile: '', workerArgv: []});
			expect(planned.tasks.map(t => [t.path, t.seq, t.segment])).toEqual([
				[other, 0, undefined],
				[gone, 1, undefined],
			]);
		} finally {
			limits.splitBytes = saved;
		}
	});
});
