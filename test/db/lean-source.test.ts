import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import {afterEach, describe, expect, it} from 'vitest';
import {decodeFacts, encodeFacts} from '../../source/db/facts-codec.js';
import {openCaseFile} from '../../source/db/open.js';
import {splitPath} from '../../source/db/source-row.js';
import {extractFacts} from '../../source/model/facts.js';
import {verifyCaseFile} from '../../source/verify/index.js';
import {newCase, realdata, repoRoot, tempDir, type Case} from '../import/helpers.js';

let c: Case | undefined;
afterEach(() => {
	c?.close();
	c = undefined;
});

type Row = Record<string, unknown>;
const sha256 = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');
const files = (dir: string): string[] =>
	fs.readdirSync(dir, {withFileTypes: true}).flatMap(e => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));

describe('lean source rows (db/024_lean_source.sql)', () => {
	it('realdata/native: the view gives back each file\'s path and SHA-256s as read, stored as folder, name and 32 bytes', async () => {
		c = newCase();
		const native = path.join(realdata, 'native');
		await c.run([native]);
		const rows = c.db.prepare(`SELECT path, member, sha256, content_sha256 AS content, imported_at FROM source WHERE member IS NULL`).all() as Row[];
		const evidence = files(native).filter(f => rows.some(r => r.path === f));
		expect(evidence.length).toBeGreaterThan(40);
		for (const file of evidence) {
			const bytes = fs.readFileSync(file);
			const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
			const row = rows.find(r => r.path === file)!;
			expect(row.sha256).toBe(sha256(bytes));
			expect(row.content).toBe(gzip ? sha256(zlib.gunzipSync(bytes)) : sha256(bytes));
			expect(row.imported_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
		}
		// Stored compactly: hashes as bytes (a plain file's content hash is its hash: NULL), a folder per
		// place rather than per day, format and status as dictionary ids.
		const stored = c.db
			.prepare(`SELECT typeof(sha256) AS sha, typeof(content_sha256) AS content, typeof(format) AS format, typeof(imported_at) AS at, length(sha256) AS n FROM source_row GROUP BY 1, 2, 3, 4, 5`)
			.all();
		expect(stored).toEqual(
			expect.arrayContaining([
				{sha: 'blob', content: 'null', format: 'integer', at: 'integer', n: 32},
				{sha: 'blob', content: 'blob', format: 'integer', at: 'integer', n: 32},
			]),
		);
		// An S3 trail's layout (a folder per day): real records filed over two days share one folder string.
		const trail = path.join(tempDir(), 'AWSLogs', '218007301253', 'CloudTrail', 'us-east-1');
		const invictus = files(path.join(native, 'invictus-ir-aws_dataset', 'CloudTrail')).slice(0, 4);
		invictus.forEach((f, i) => {
			const day = path.join(trail, '2023', '07', `1${i % 2}`);
			fs.mkdirSync(day, {recursive: true});
			fs.copyFileSync(f, path.join(day, path.basename(f)));
		});
		await c.run([path.dirname(path.dirname(trail))]);
		const filed = c.db
			.prepare(`SELECT f.value AS folder, t.value AS stem FROM source_row s JOIN dict f ON f.id = s.folder JOIN dict t ON t.id = s.stem WHERE s.dirs LIKE '2023/07/1_/'`)
			.all() as Row[];
		expect(filed).toHaveLength(4);
		expect(new Set(filed.map(r => `${r.folder} ${r.stem}`))).toEqual(new Set([`${trail}/ 218007301253_CloudTrail_us-east-1_`]));
		const copies = c.db.prepare(`SELECT path FROM source WHERE path LIKE ?`).pluck().all(`${trail}/%`) as string[];
		expect(copies.sort()).toEqual(files(trail).sort());
		// verify recomputes every file's hash and finds them as the view gives them.
		const report = await verifyCaseFile(c.db);
		expect(report.sources.changed).toEqual([]);
		expect(report.sources.unchanged).toBe(c.db.prepare('SELECT count(*) FROM source').pluck().get());
	});

	it('splits any path so that its parts give it back', () => {
		const whole = (p: ReturnType<typeof splitPath>) => (p.folder ?? '') + (p.dirs ?? '') + (p.stem ?? '') + p.name;
		for (const p of ['-', 'a.json', '/a/b.json', '/e/AWSLogs/1/CloudTrail/us-east-1/2024/03/01/f.json.gz', '/e/2024/f', '2024/f', '/x//f', 'C:\\e\\f.json', '/e/ü/2024/01/ä.json', '123456789012_CloudTrail_us-east-1_x', '/e/123456789012_CloudTrail_/f']) {
			expect(whole(splitPath(p))).toBe(p);
		}
		const trail = '/e/AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/218007301253_CloudTrail_us-east-1_20230710T1220Z_WMiHxZgr5Hdd6UDc.json.gz';
		expect(splitPath(trail)).toEqual({
			folder: '/e/AWSLogs/218007301253/CloudTrail/us-east-1/',
			dirs: '2023/07/10/',
			stem: '218007301253_CloudTrail_us-east-1_',
			name: '20230710T1220Z_WMiHxZgr5Hdd6UDc.json.gz',
		});
		expect(splitPath('-')).toEqual({folder: null, dirs: null, stem: null, name: '-'});
	});

	it('upgrades a schema 23 case file: every source reads as before, verify and re-import recognise them', async () => {
		// What schema 23 held for realdata/native: the rows the view gives for a fresh import of it.
		c = newCase();
		const native = path.join(realdata, 'native');
		await c.run([native]);
		const columns = `id, run_id, path, member, format, byte_size, sha256, content_size, content_sha256, record_count, inserted,
			duplicates, conflicts, rejected, first_event_time, last_event_time, imported_at, status, notes, resume_offset, resume_position, resume_state`;
		const before = c.db.prepare(`SELECT ${columns} FROM source ORDER BY id`).all() as Row[];
		// Sources a stream left unfinished (no hashes yet) and stdin, as schema 23 wrote them.
		const next = before.length + 1;
		before.push(
			{...before[0], id: next, path: '/evidence/big.jsonl.gz', member: null, format: 'jsonl', sha256: '', content_sha256: '', status: 'importing', resume_offset: 4096, resume_position: 12, resume_state: '{"x":1}', imported_at: '2026-11-01T10:00:00Z'},
			{...before[0], id: next + 1, path: '-', member: null, format: 'jsonl', sha256: 'AB'.repeat(32), content_sha256: 'ab'.repeat(32), status: 'partial', notes: '["stdin"]', imported_at: '2026-11-01T10:00:00.123Z'},
		);

		const file = path.join(tempDir(), 'schema23.db');
		const old = new Database(file);
		for (const name of fs.readdirSync(path.join(repoRoot, 'db')).filter(n => /^0(0\d|1\d|2[0-3])_.*\.sql$/.test(n)).sort()) {
			old.exec(fs.readFileSync(path.join(repoRoot, 'db', name), 'utf8'));
		}
		old.pragma('user_version = 23');
		old.exec(`INSERT INTO import_run(id, started_at, tool_version, argv) VALUES (1, '2026-11-01T00:00:00Z', '0.1.0', '[]')`);
		const insert = old.prepare(`INSERT INTO source (${columns}) VALUES (${columns.split(',').map(() => '?').join(', ')})`);
		for (const row of before) insert.run(Object.values({...row, run_id: 1}));
		old.exec(`INSERT INTO digest(source_id, body) VALUES (1, '{}')`);
		old.close();

		const db = openCaseFile(file);
		try {
			expect(db.pragma('user_version', {simple: true})).toBeGreaterThanOrEqual(24);
			expect(db.prepare(`SELECT ${columns} FROM source ORDER BY id`).all()).toEqual(before.map(r => ({...r, run_id: 1})));
			// The references of digest, sighting and event_row follow the rows to source_row.
			const sql = db.prepare(`SELECT sql FROM sqlite_master WHERE name IN ('digest', 'sighting', 'event_row')`).pluck().all() as string[];
			for (const s of sql) expect(s).toMatch(/REFERENCES "?source_row"?\(id\)/);
			expect(db.prepare(`SELECT s.path FROM digest d JOIN source s ON s.id = d.source_id`).pluck().get()).toBe(before[0].path);
			expect(db.prepare(`SELECT count(*) FROM source_row WHERE typeof(sha256) = 'blob'`).pluck().get()).toBe(before.length - 2);
			// Re-import: every file is known by place and bytes, nothing is read again.
			const {importEvidence} = await import('../../source/pipeline.js');
			const summary = await importEvidence(db, [native], {workers: 0});
			expect(summary.records.inserted).toBe(0);
			expect(db.prepare('SELECT count(*) FROM source').pluck().get()).toBe(before.length);
		} finally {
			db.close();
		}
	});
});

describe('MFA facts as stored (source/db/facts-codec.ts)', () => {
	it('every MFA-relevant record of realdata decodes to the facts extracted from it, in fewer bytes; rows written before read alike', () => {
		let records = 0;
		let long = 0;
		let short = 0;
		for (const file of files(realdata).filter(f => /\.json(\.gz)?$/.test(f) && !f.includes(`${path.sep}malformed${path.sep}`))) {
			let parsed: unknown;
			try {
				const bytes = fs.readFileSync(file);
				parsed = JSON.parse((bytes[0] === 0x1f && bytes[1] === 0x8b ? zlib.gunzipSync(bytes) : bytes).toString('utf8'));
			} catch {
				continue;
			}
			const list = Array.isArray(parsed) ? parsed : ((parsed as {Records?: unknown[]})?.Records ?? [parsed]);
			for (const record of list) {
				if (!record || typeof record !== 'object') continue;
				const facts = extractFacts(record as never);
				if (!facts) continue;
				records++;
				const stored = encodeFacts(facts)!;
				expect(decodeFacts(stored)).toEqual(facts);
				// A row written before this encoding (the facts as plain JSON) reads the same way.
				expect(decodeFacts(JSON.stringify(facts))).toEqual(facts);
				long += JSON.stringify(facts).length;
				short += stored.length;
			}
		}
		expect(records).toBeGreaterThan(20);
		expect(short).toBeLessThan(long * 0.85);
		expect(encodeFacts(undefined)).toBeNull();
		expect(() => decodeFacts('{"serialNumber": ')).toThrow();
	});

	it('a console sign-in URL is stored without the console prefix and read back whole', () => {
		const loginTo = 'https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_0123456789abcdef';
		const facts = {result: 'Success', mfaUsed: 'Yes', loginTo, fromConsole: true};
		const stored = encodeFacts(facts)!;
		expect(stored.length).toBeLessThan(JSON.stringify(facts).length - 100);
		expect(decodeFacts(stored)).toEqual(facts);
		const other = {loginTo: 'https://eu-west-1.console.aws.amazon.com/iam/home'};
		expect(decodeFacts(encodeFacts(other)!)).toEqual(other);
	});
});
