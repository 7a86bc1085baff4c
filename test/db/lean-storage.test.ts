import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import {afterEach, describe, expect, it} from 'vitest';
import {latestVersion} from '../../source/db/migrate.js';
import {CaseFileError, openCaseFile} from '../../source/db/open.js';
import {RawReader, rawCodec} from '../../source/db/raw.js';
import {newCase, realdata, repoRoot, tempDir, type Case} from '../import/helpers.js';

let c: Case | undefined;
afterEach(() => {
	c?.close();
	c = undefined;
});

type Json = Record<string, unknown>;

/** The decompressed text of an evidence file. */
function content(file: string): string {
	const bytes = fs.readFileSync(file);
	return (bytes[0] === 0x1f && bytes[1] === 0x8b ? zlib.gunzipSync(bytes) : bytes).toString('utf8');
}

describe('lean event storage (db/005_lean_event.sql)', () => {
	it('realdata/native: every record comes back byte-exact, and the view gives back the fields as the evidence has them', async () => {
		c = newCase();
		const summary = await c.run([path.join(realdata, 'native')]);
		expect(summary.records.inserted).toBe(3220);
		const rows = c.db
			.prepare(
				`SELECT e.*, s.path, s.format FROM event e JOIN source s ON s.id = e.source_id ORDER BY e.id`,
			)
			.all() as (Json & {raw_block: number; raw_offset: number; raw_length: number; path: string; format: string; position: number})[];
		expect(rows).toHaveLength(3220);
		const raw = new RawReader(c.db);
		const texts = new Map<string, string>();
		let ipv4 = 0;
		for (const row of rows) {
			const text = raw.text(row.raw_block, row.raw_offset, row.raw_length);
			let file = texts.get(row.path);
			if (file === undefined) texts.set(row.path, (file = content(row.path)));
			if (row.format === 'lookup-events') {
				// The record is the CloudTrailEvent string, exactly: the file holds it JSON-escaped.
				expect(file.includes(JSON.stringify(text).slice(1, -1))).toBe(true);
			} else {
				expect(file.includes(text)).toBe(true);
			}
			const record = JSON.parse(text) as Json;
			const identity = (record.userIdentity ?? {}) as Json;
			expect(row.event_id).toBe(record.eventID);
			expect(row.event_name).toBe(record.eventName ?? null);
			expect(row.event_source).toBe(record.eventSource ?? null);
			expect(row.aws_region).toBe(record.awsRegion ?? null);
			expect(row.source_ip).toBe(record.sourceIPAddress ?? null);
			expect(row.user_agent).toBe(record.userAgent ?? null);
			expect(row.identity_arn).toBe(identity.arn || null);
			expect(row.recipient_account_id).toBe(record.recipientAccountId ?? null);
			// Canonical dotted quads only: '035.249.253.232' (real, anonymised data) must stay text to round-trip.
			const ip = record.sourceIPAddress;
			if (typeof ip === 'string' && /^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/.test(ip) && ip.split('.').every(n => Number(n) <= 255)) ipv4++;
		}
		// Addresses really went through the integer encoding (and came back as text).
		expect(ipv4).toBeGreaterThan(100);
		expect(c.db.prepare(`SELECT count(*) FROM event_row WHERE typeof(source_ip) = 'integer'`).pluck().get()).toBe(ipv4);
		// Blocks span sources: far fewer blocks than the 94 sources.
		const blocks = c.db.prepare('SELECT count(*) FROM raw_block').pluck().get() as number;
		expect(blocks).toBeLessThan(20);
		expect(c.db.prepare(`SELECT value FROM meta WHERE key = 'raw_codec'`).pluck().get()).toBe(rawCodec);
		// Repeated strings are stored once.
		const distinct = c.db.prepare('SELECT count(*) FROM dict').pluck().get() as number;
		expect(c.db.prepare('SELECT count(*) FROM (SELECT value FROM dict GROUP BY value)').pluck().get()).toBe(distinct);
	});

	it('the same eventID with other content is a conflict, and with the same bytes a sighting, across chunks', async () => {
		c = newCase();
		const dir = tempDir();
		const record = (id: string, ip: string) => ({eventVersion: '1.08', eventTime: '2023-03-01T10:00:00Z', eventSource: 'iam.amazonaws.com', eventName: 'ListUsers', eventID: id, sourceIPAddress: ip});
		fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify({Records: [record('11111111-2222-4333-8444-555555555555', '198.51.100.7'), record('X-not-a-uuid', '2001:db8::1')]}));
		fs.writeFileSync(path.join(dir, 'b.json'), JSON.stringify({Records: [record('11111111-2222-4333-8444-555555555555', '198.51.100.7'), record('X-not-a-uuid', '198.51.100.008')]}));
		const summary = await c.run([dir]);
		expect(summary.records).toEqual({seen: 4, inserted: 3, duplicates: 1, conflicts: 1, rejected: 0});
		const rows = c.db.prepare('SELECT event_id, conflict, source_ip FROM event ORDER BY id').raw().all();
		expect(rows).toEqual([
			['11111111-2222-4333-8444-555555555555', 0, '198.51.100.7'],
			['X-not-a-uuid', 1, '2001:db8::1'],
			['X-not-a-uuid', 1, '198.51.100.008'],
		]);
		// A UUID is kept as 16 bytes; other ids and a non-canonical address as text.
		expect(c.db.prepare('SELECT typeof(event_id), typeof(source_ip) FROM event_row ORDER BY id').raw().all()).toEqual([
			['blob', 'integer'],
			['text', 'text'],
			['text', 'text'],
		]);
	});
});

describe('a case file written by the previous version (schema 4)', () => {
	// The previous version's schema is db/001–004 as they are: migrations are never edited, only added.
	const schema4 = ['001_initial', '002_model', '003_model_indexes', '004_incremental_refresh']
		.map(name => fs.readFileSync(path.join(repoRoot, 'db', `${name}.sql`), 'utf8'))
		.join('\n');

	function oldCaseFile(withEvent: boolean): string {
		const file = path.join(tempDir(), 'old.db');
		const db = new Database(file);
		db.exec(schema4);
		db.pragma('user_version = 4');
		if (withEvent) {
			db.exec(`INSERT INTO import_run(started_at, tool_version, argv) VALUES ('2026-11-01T00:00:00Z', '0.1.0', '[]');
				INSERT INTO source(run_id, path, format, byte_size, sha256, content_size, content_sha256, imported_at, status)
					VALUES (1, '/evidence/a.json', 'cloudtrail-log', 10, 'aa', 10, 'aa', '2026-11-01T00:00:00Z', 'imported');
				INSERT INTO raw_block(data) VALUES (x'00');
				INSERT INTO event(event_id, raw_sha256, event_time, source_id, position, raw_block, raw_offset, raw_length)
					VALUES ('e-1', x'00', '2023-01-01T00:00:00Z', 1, 0, 1, 0, 1);`);
		}
		db.close();
		return file;
	}

	it('is refused, with one line saying to import the evidence again, and left as it was', () => {
		const file = oldCaseFile(true);
		const before = fs.readFileSync(file);
		for (const readonly of [false, true]) {
			let error: unknown;
			try {
				openCaseFile(file, {readonly}).close();
			} catch (e) {
				error = e;
			}
			expect(error).toBeInstanceOf(CaseFileError);
			const message = (error as Error).message;
			expect(message).toMatch(/earlier mfatrail \(schema 4\).*import the evidence again into a new case file$/);
			expect(message).not.toContain('\n');
		}
		expect(fs.readFileSync(file).equals(before)).toBe(true);
	});

	it('without events, is brought up to the current schema and imports', async () => {
		const file = oldCaseFile(false);
		const db = openCaseFile(file);
		try {
			expect(db.pragma('user_version', {simple: true})).toBe(latestVersion());
			// The model's foreign keys now point at event_row, so model rows can be written.
			const fks = db.prepare(`SELECT sql FROM sqlite_master WHERE name IN ('sighting', 'lifecycle_row', 'sign_in_row', 'account_event')`).pluck().all() as string[];
			expect(fks).toHaveLength(4);
			for (const sql of fks) expect(sql).toMatch(/REFERENCES "?event_row"?\(id\)/);
		} finally {
			db.close();
		}
		c = {...newCase(), db: openCaseFile(file)};
		const {importEvidence} = await import('../../source/pipeline.js');
		const summary = await importEvidence(c.db, [path.join(repoRoot, 'samples')], {workers: 0});
		// The migrated file stores exactly what a file created by this version stores.
		const fresh = newCase();
		try {
			const expected = await importEvidence(fresh.db, [path.join(repoRoot, 'samples')], {workers: 0});
			expect(summary.records.inserted).toBe(expected.records.inserted);
		} finally {
			fresh.db.close();
		}
		expect(c.db.prepare('SELECT count(*) FROM sign_in').pluck().get()).toBeGreaterThan(0);
	});
});
