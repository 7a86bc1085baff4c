/**
 * A finding's eventIDs are stored compactly (db/026_compact_findings.sql): 16 bytes per eventID
 * when all are canonical UUIDs, else the JSON text. What every view reads back must be what was
 * found, for findings computed now and for findings a case file of schema 25 stored as JSON.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import {describe, expect, it} from 'vitest';
import {migrations} from '../../source/db/migrate.js';
import {openCaseFile} from '../../source/db/open.js';
import {listFindings, type StoredFinding} from '../../source/findings/queries.js';
import {caseWith, repoRoot, tempDir} from './helpers.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('compact finding storage', () => {
	it('UUID eventIDs take 16 bytes each and read back as found; a case file of schema 25 is converted, other eventIDs stay text', async () => {
		const {db} = await caseWith(path.join(repoRoot, 'samples'));
		let found: StoredFinding[];
		try {
			found = listFindings(db);
			const stored = db.prepare('SELECT id, typeof(event_ids) AS type, length(event_ids) AS bytes, event_ids AS raw FROM finding ORDER BY id').all() as {
				id: number;
				type: string;
				bytes: number;
				raw: Buffer | string;
			}[];
			expect(found.length).toBeGreaterThan(5);
			for (const f of found) {
				const row = stored.find(r => r.id === f.id)!;
				if (f.eventIds.every(id => uuid.test(id))) expect(row).toMatchObject({type: 'blob', bytes: 16 * f.eventIds.length});
				else expect(row.type).toBe('text');
			}
			expect(stored.filter(r => r.type === 'blob').length).toBeGreaterThan(5);
		} finally {
			db.close();
		}

		// The same findings as schema 25 stored them (event_ids as JSON text), and one whose evidence
		// names an eventID that is not a UUID (a record without one gets a derived ID).
		const file = path.join(tempDir(), 'schema25.db');
		const old = new Database(file);
		for (const m of migrations().filter(m => m.version <= 25)) old.exec(m.sql);
		old.pragma('user_version = 25');
		const insert = old.prepare(
			'INSERT INTO finding (id, rule, severity, principal_arn, serial_number, first_seen, last_seen, event_ids, event_count, summary, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
		);
		const derived = {...found[0], id: 10_000, key: `${found[0].key}|derived`, eventIds: [found[0].eventIds[0], 'derived:0123456789abcdef0123456789abcdef']};
		for (const f of [...found, derived]) {
			insert.run(f.id, f.rule, f.severity, f.principal, f.serialNumber, f.firstSeen, f.lastSeen, JSON.stringify(f.eventIds), f.eventCount, f.summary, f.key);
		}
		old.close();
		const upgraded = openCaseFile(file);
		try {
			expect(upgraded.pragma('user_version', {simple: true})).toBe(Math.max(...migrations().map(m => m.version)));
			const byId = new Map(listFindings(upgraded).map(f => [f.id, f]));
			expect(byId.size).toBe(found.length + 1);
			for (const f of [...found, derived]) expect(byId.get(f.id)).toEqual(f);
			const types = upgraded.prepare('SELECT id, typeof(event_ids) AS type FROM finding').all() as {id: number; type: string}[];
			expect(types.find(t => t.id === derived.id)!.type).toBe('text');
			expect(types.filter(t => t.type === 'blob').length).toBe(found.filter(f => f.eventIds.every(id => uuid.test(id))).length);
			// The index a principal's findings are read by is the rank index now.
			expect(upgraded.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'finding' ORDER BY name`).pluck().all()).toEqual([
				'finding_principal_rank',
				'finding_rank',
				'finding_serial',
				'finding_severity',
				'sqlite_autoindex_finding_1',
			]);
		} finally {
			upgraded.close();
		}
	}, 120_000);
});
