import {spawnSync} from 'node:child_process';
import path from 'node:path';
import zlib from 'node:zlib';
import {afterEach, describe, expect, it} from 'vitest';
import {CaseFileError, openCaseFile} from '../../source/db/open.js';
import {dropEventIndexes, pendingIndexes} from '../../source/db/event-indexes.js';
import {eventIdKey} from '../../source/db/store.js';
import {newCase, record, repoRoot, tempDir, write, type Case} from './helpers.js';
import {ensureBuilt} from '../hostile/cli.js';

let c: Case;
afterEach(() => c?.close());

type Db = Case['db'];
/** The indexes a bulk load drops and rebuilds: event_row's and dict's (dict_value). */
const eventIndexes = (db: Db) =>
	db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('event_row', 'dict') AND sql IS NOT NULL ORDER BY name`).all();

/** The indexes a fresh case file has, straight from db/*.sql. */
function schemaIndexes(): unknown[] {
	const db = openCaseFile(path.join(tempDir(), 'fresh.db'));
	try {
		return eventIndexes(db);
	} finally {
		db.close();
	}
}

const log = (...records: Record<string, unknown>[]) => zlib.gzipSync(JSON.stringify({Records: records}));

describe('bulk import (event indexes dropped while loading)', () => {
	it('leaves every index of db/*.sql in place and deduplicates within the run through the map', async () => {
		c = newCase();
		const expected = schemaIndexes();
		expect(expected.length).toBeGreaterThanOrEqual(2);
		write(c.dir, 'a/1.json.gz', log(record('e1'), record('e2', {sourceIPAddress: '198.51.100.1'})));
		// e1 again, identical (a duplicate); e2 with other content (a conflict), in a later source.
		write(c.dir, 'b/2.json.gz', log(record('e1'), record('e2', {sourceIPAddress: '203.0.113.9'}), record('e3')));
		const summary = await c.run([c.dir], {bulk: true});
		expect(summary.records).toMatchObject({seen: 5, inserted: 4, duplicates: 1, conflicts: 1});
		expect(eventIndexes(c.db)).toEqual(expected);
		expect(pendingIndexes(c.db)).toEqual([]);
		const conflicts = c.db.prepare(`SELECT event_id, conflict FROM event ORDER BY id`).raw().all();
		expect(conflicts).toEqual([['e1', 0], ['e2', 1], ['e2', 1], ['e3', 0]]);
		expect(c.db.prepare('SELECT count(*) FROM sighting').pluck().get()).toBe(1);
		// The indexes are really used again afterwards (eventIDs are looked up on event_row, encoded: db/event-row.ts).
		const plan = c.db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM event_row WHERE event_id = 'e1'`).all() as {detail: string}[];
		expect(plan.map(p => p.detail).join(' ')).toContain('event_event_id');
	});

	it('a following incremental import and a second bulk import find what the first one stored', async () => {
		c = newCase();
		write(c.dir, 'a/1.json.gz', log(record('k1'), record('k2'), record('k3')));
		await c.run([path.join(c.dir, 'a')], {bulk: true});
		write(c.dir, 'b/2.json.gz', log(record('k1'), record('k2', {sourceIPAddress: '203.0.113.9'}), record('k4')));
		const incremental = await c.run([path.join(c.dir, 'b')], {bulk: false});
		expect(incremental.records).toMatchObject({seen: 3, inserted: 2, duplicates: 1, conflicts: 1});
		// A bulk import into a case file that already holds rows seeds its map from them.
		write(c.dir, 'c/3.json.gz', log(record('k3'), record('k4'), record('k2', {sourceIPAddress: '192.0.2.1'}), record('k5')));
		const bulk = await c.run([path.join(c.dir, 'c')], {bulk: true});
		expect(bulk.records).toMatchObject({seen: 4, inserted: 2, duplicates: 2, conflicts: 1});
		const rows = c.db.prepare(`SELECT event_id, conflict FROM event ORDER BY id`).raw().all();
		expect(rows).toEqual([['k1', 0], ['k2', 1], ['k3', 0], ['k2', 1], ['k4', 0], ['k2', 1], ['k5', 0]]);
		expect(eventIndexes(c.db)).toEqual(schemaIndexes());
		// Re-running everything adds nothing.
		const again = await c.run([c.dir], {bulk: true});
		expect(again.records).toMatchObject({inserted: 0, conflicts: 0});
		expect(c.db.prepare('SELECT count(*) FROM event').pluck().get()).toBe(7);
	});

	it('two eventIDs that share the map\'s hash are two events; each found again is a duplicate', async () => {
		c = newCase();
		// The map keys eventIDs by a 30-bit hash (source/db/store.ts eventIdKey): find two that collide.
		const seen = new Map<number, string>();
		let pair: [string, string] | undefined;
		for (let i = 0; !pair; i++) {
			const id = `collide-${i}`;
			const other = seen.get(eventIdKey(id));
			if (other) pair = [other, id];
			else seen.set(eventIdKey(id), id);
		}
		const [a, b] = pair;
		expect(a).not.toBe(b);
		expect(eventIdKey(a)).toBe(eventIdKey(b));
		write(c.dir, 'a/1.json.gz', log(record(a), record(b)));
		write(c.dir, 'b/2.json.gz', log(record(b), record(a, {sourceIPAddress: '203.0.113.9'})));
		const summary = await c.run([c.dir], {bulk: true});
		expect(summary.records).toMatchObject({seen: 4, inserted: 3, duplicates: 1, conflicts: 1});
		expect(c.db.prepare(`SELECT event_id, conflict FROM event ORDER BY id`).raw().all()).toEqual([[a, 1], [b, 0], [a, 1]]);
	});

	it('an import stopped part-way still leaves the indexes built', async () => {
		c = newCase();
		for (let i = 0; i < 6; i++) write(c.dir, `s/${i}.json`, JSON.stringify({Records: [record(`s${i}`)]}));
		const controller = new AbortController();
		const summary = await c.run([c.dir], {bulk: true, signal: controller.signal, onProgress: () => controller.abort()});
		expect(summary.interrupted).toBe(true);
		expect(eventIndexes(c.db)).toEqual(schemaIndexes());
		expect(pendingIndexes(c.db)).toEqual([]);
	});

	it('a bulk import that died with its indexes dropped is repaired by the next writable open', async () => {
		const file = path.join(tempDir(), 'case.db');
		const expected = schemaIndexes();
		let db = openCaseFile(file);
		// What a killed import leaves behind: rows loaded, indexes dropped, their SQL owed in meta.
		expect(dropEventIndexes(db)).toBe(expected.length);
		db.close();
		expect(() => openCaseFile(file, {readonly: true})).toThrow(CaseFileError);
		expect(() => openCaseFile(file, {readonly: true})).toThrow(/interrupted/);
		db = openCaseFile(file);
		try {
			expect(eventIndexes(db)).toEqual(expected);
			expect(pendingIndexes(db)).toEqual([]);
		} finally {
			db.close();
		}
		openCaseFile(file, {readonly: true}).close();
	});
});

describe('worker threads (built CLI)', () => {
	it('store exactly what an import on one thread stores: same rows, same order, packed transfer included', async () => {
		const cli = path.join(repoRoot, 'dist', 'cli.js');
		ensureBuilt();
		c = newCase();
		for (let f = 0; f < 40; f++) {
			const records = Array.from({length: 12}, (_, i) =>
				record(`w-${f}-${i}`, {
					eventName: i % 3 === 0 ? 'EnableMFADevice' : 'ListMFADevices',
					requestParameters: i % 3 === 0 ? {userName: `u${f}`, serialNumber: `arn:aws:iam::111122223333:mfa/u${f}`} : null,
					errorCode: i % 5 === 0 ? 'AccessDenied' : undefined,
				}),
			);
			// Every fourth file repeats records of the one before: duplicates across sources and threads.
			if (f % 4 === 3) records.push(record(`w-${f - 1}-0`, {eventName: 'EnableMFADevice', requestParameters: {userName: `u${f - 1}`, serialNumber: `arn:aws:iam::111122223333:mfa/u${f - 1}`}}));
			write(c.dir, `t/${String(f).padStart(3, '0')}.json.gz`, zlib.gzipSync(JSON.stringify({Records: records})));
		}
		const inline = await c.run([c.dir]);
		const db = path.join(tempDir(), 'threads.db');
		const result = spawnSync(process.execPath, [cli, 'import', c.dir, '--db', db, '--json'], {
			encoding: 'utf8',
			env: {...process.env, MFATRAIL_IMPORT_WORKERS: '2', MFATRAIL_IMPORT_BULK: '1'},
		});
		expect(result.status).toBe(0);
		const threaded = JSON.parse(result.stdout) as typeof inline;
		expect(threaded.records).toEqual(inline.records);
		const rows = (d: Db) => d.prepare(`SELECT * FROM event ORDER BY id`).all();
		const other = openCaseFile(db, {readonly: true});
		try {
			expect(rows(other)).toEqual(rows(c.db));
			expect(eventIndexes(other)).toEqual(eventIndexes(c.db));
		} finally {
			other.close();
		}
	});
});
