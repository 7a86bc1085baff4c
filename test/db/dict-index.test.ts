import path from 'node:path';
import Database from 'better-sqlite3';
import {afterEach, describe, expect, it} from 'vitest';
import {openCaseFile} from '../../source/db/open.js';
import {newCase, realdata, type Case} from '../import/helpers.js';

let c: Case | undefined;
afterEach(() => {
	c?.close();
	c = undefined;
});

const dictIndexes = (db: Database.Database) => db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dict' ORDER BY name`).all();

describe('dict_value (db/028_dict_value_index.sql)', () => {
	it('upgrades a schema 27 case file (UNIQUE column): same ids and values, the same events, uniqueness kept by a named index (which a bulk load drops: test/import/bulk.test.ts)', async () => {
		c = newCase();
		await c.run([path.join(realdata, 'native')]);
		const file = c.db.name;
		const dict = c.db.prepare(`SELECT id, value FROM dict ORDER BY id`).raw().all();
		const events = c.db.prepare(`SELECT * FROM event ORDER BY id`).raw().all();
		expect(dict.length).toBeGreaterThan(100);
		expect(dictIndexes(c.db)).toEqual([{name: 'dict_value', sql: 'CREATE UNIQUE INDEX dict_value ON dict(value)'}]);
		c.close();
		c = undefined;

		// The case as schema 27 wrote it: dict's uniqueness an automatic index of its column (db/005_lean_event.sql).
		const old = new Database(file);
		old.exec(`PRAGMA legacy_alter_table = ON;
			CREATE TABLE dict_old (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE) STRICT;
			INSERT INTO dict_old SELECT id, value FROM dict;
			DROP TABLE dict;
			ALTER TABLE dict_old RENAME TO dict;
			PRAGMA legacy_alter_table = OFF;
			PRAGMA user_version = 27;`);
		expect(dictIndexes(old)).toEqual([{name: 'sqlite_autoindex_dict_1', sql: null}]);
		old.close();

		const db = openCaseFile(file);
		try {
			expect(db.pragma('user_version', {simple: true})).toBeGreaterThanOrEqual(28);
			expect(dictIndexes(db)).toEqual([{name: 'dict_value', sql: 'CREATE UNIQUE INDEX dict_value ON dict(value)'}]);
			expect(db.prepare(`SELECT id, value FROM dict ORDER BY id`).raw().all()).toEqual(dict);
			expect(db.prepare(`SELECT * FROM event ORDER BY id`).raw().all()).toEqual(events);
			expect(() => db.prepare(`INSERT INTO dict(value) VALUES (?)`).run((dict[0] as [number, string])[1])).toThrow(/UNIQUE/);
			expect(db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
		} finally {
			db.close();
		}
	});
});
