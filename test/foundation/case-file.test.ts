import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {useTempDirs} from '../temp-dirs.js';
import {CaseFileError, openCaseFile} from '../../source/db/open.js';
import {latestVersion} from '../../source/db/migrate.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const tempDir = useTempDirs();

describe('case file', () => {
	it('is created at the latest schema version', () => {
		const file = path.join(tempDir(), 'case.db');
		const db = openCaseFile(file);
		// The newest migration file in db/, read from the folder itself.
		const newest = Math.max(...fs.readdirSync(path.join(repoRoot, 'db')).filter(n => /^\d{3}_.+\.sql$/.test(n)).map(n => Number(n.slice(0, 3))));
		expect(newest).toBeGreaterThanOrEqual(20);
		expect(latestVersion()).toBe(newest);
		expect(db.pragma('user_version', {simple: true})).toBe(newest);
		const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'view')`).pluck().all();
		expect(tables).toEqual(expect.arrayContaining(['event', 'event_row', 'dict', 'raw_block', 'source', 'digest', 'sighting', 'rejection', 'principal', 'device', 'lifecycle_event', 'sign_in', 'finding']));
		db.close();
	});

	it('refuses a case file written by a newer mfatrail', () => {
		const file = path.join(tempDir(), 'newer.db');
		const db = openCaseFile(file);
		db.pragma(`user_version = ${latestVersion() + 1}`);
		db.close();
		expect(() => openCaseFile(file)).toThrow(CaseFileError);
		expect(() => openCaseFile(file)).toThrow(/newer than this mfatrail understands/);
	});

	it('says clearly when a read-only case file does not exist', () => {
		expect(() => openCaseFile(path.join(tempDir(), 'missing.db'), {readonly: true})).toThrow(/case file not found/);
	});

	it('opens twice without migrating again: schema and rows as they were', () => {
		const file = path.join(tempDir(), 'again.db');
		const first = openCaseFile(file);
		const schema = () => first.prepare(`SELECT type, name, sql FROM sqlite_master ORDER BY type, name`).all();
		const before = schema();
		// A row a migration run again would lose or trip over (020 inserts meta and alters tables).
		first.prepare(`INSERT INTO meta (key, value) VALUES ('sentinel', 'kept')`).run();
		first.close();
		for (const readonly of [false, true]) {
			const db = openCaseFile(file, {readonly});
			expect(db.pragma('user_version', {simple: true})).toBe(latestVersion());
			expect(db.prepare(`SELECT type, name, sql FROM sqlite_master ORDER BY type, name`).all()).toEqual(before);
			expect(db.prepare(`SELECT value FROM meta WHERE key = 'sentinel'`).pluck().get()).toBe('kept');
			expect(db.prepare(`SELECT count(*) FROM meta WHERE key = 'minted_keys_incomplete'`).pluck().get()).toBe(0);
			db.close();
		}
	});
});
