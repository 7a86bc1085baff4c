import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {afterEach, describe, expect, it} from 'vitest';
import {decodeEventTime, encodeEventTime, eventTimeBound} from '../../source/db/event-time.js';
import {openCaseFile} from '../../source/db/open.js';
import {keyCalls, keyView} from '../../source/db/pivots.js';
import {parseEventTime} from '../../source/lib/time.js';
import {newCase, realdata, repoRoot, tempDir, type Case} from '../import/helpers.js';

let c: Case | undefined;
afterEach(() => {
	c?.close();
	c = undefined;
});

/** Times written with and without milliseconds, and ones an integer cannot hold exactly. */
const odd = {
	whole: '2024-05-01T10:00:00Z',
	zeroMs: '2024-05-01T10:00:00.000Z',
	ms: '2024-05-01T10:00:00.123Z',
	lastMs: '2024-12-31T23:59:59.999Z',
	epoch: '1970-01-01T00:00:00Z',
	late: '9999-12-31T23:59:59.999Z',
	before1970: '1969-07-20T20:17:40Z',
	noSuchDay: '2024-02-30T00:00:00Z',
	hour24: '2024-05-01T24:00:00Z',
	micro: '2024-05-01T10:00:00.123456Z',
	offset: '2024-05-01T10:00:00+02:00',
};
const integers = ['whole', 'zeroMs', 'ms', 'lastMs', 'epoch', 'late'];

describe('event times as integers (source/db/event-time.ts, db/027_event_time_integer.sql)', () => {
	it('a time with and without milliseconds round-trips byte for byte; one an integer cannot hold stays text', () => {
		for (const [name, text] of Object.entries(odd)) {
			const stored = encodeEventTime(text);
			expect(typeof stored, name).toBe(integers.includes(name) ? 'bigint' : 'string');
			expect(decodeEventTime(stored)).toBe(text);
			if (typeof stored === 'bigint') expect(decodeEventTime(Number(stored))).toBe(text);
		}
		// The same instant spelled two ways: two values, both inside the bounds of that instant.
		const [whole, zeroMs] = [encodeEventTime(odd.whole) as bigint, encodeEventTime(odd.zeroMs) as bigint];
		expect(whole).not.toBe(zeroMs);
		for (const v of [whole, zeroMs]) {
			expect(v >= (eventTimeBound(odd.whole, 'from') as bigint)).toBe(true);
			expect(v <= (eventTimeBound(odd.whole, 'to') as bigint)).toBe(true);
			expect(v <= (eventTimeBound(odd.zeroMs, 'to') as bigint)).toBe(true);
		}
		expect((encodeEventTime(odd.ms) as bigint) > (eventTimeBound(odd.whole, 'to') as bigint)).toBe(true);
		// Integer order is time order.
		const sorted = integers.map(n => odd[n as keyof typeof odd]).sort((a, b) => Date.parse(a) - Date.parse(b));
		const values = sorted.map(t => encodeEventTime(t) as bigint);
		expect([...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(values);
	});

	it('realdata: every stored event time is an integer and the view gives the record\'s eventTime as the import normalises it', async () => {
		c = newCase();
		await c.run([path.join(realdata, 'native')]);
		await c.run([path.join(realdata, 'catalog')]);
		const events = c.events();
		expect(events.length).toBeGreaterThan(3000);
		for (const e of events) {
			const recordTime = (JSON.parse(e.raw) as {eventTime: unknown}).eventTime;
			expect(e.event_time).toBe(parseEventTime(recordTime)!.utc);
		}
		expect(c.db.prepare(`SELECT count(*) FROM event_row WHERE typeof(event_time) != 'integer'`).pluck().get()).toBe(0);
		// The first and last seen the import keeps (pivot values) are the same texts as the events'.
		const times = events.map(e => e.event_time).sort();
		expect(c.db.prepare(`SELECT first_seen, last_seen FROM pivot_value WHERE kind = 0`).raw().get()).toEqual([times[0], times.at(-1)]);
		// A key's calls, paged in the order of the (access_key_id, event_time) index, read as the view reads them.
		const key = c.db.prepare(`SELECT access_key_id FROM event WHERE access_key_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`).pluck().get() as string;
		const calls = c.db.prepare(`SELECT event_time, id FROM event WHERE access_key_id = ? ORDER BY event_time, id`).raw().all(key) as [string, number][];
		expect(calls.length).toBeGreaterThan(3);
		const paged = [...keyCalls(c.db, key, {limit: 2}), ...keyCalls(c.db, key, {limit: calls.length, afterTime: calls[1][0], afterEvent: calls[1][1]})];
		expect(paged.map(k => [k.eventTime, k.event])).toEqual(calls);
		const view = keyView(c.db, key)!;
		expect([view.firstSeen, view.lastSeen]).toEqual([calls[0][0], calls.at(-1)![0]]);
	});

	it('upgrades a schema 24 case file: every event time reads as before, the odd ones too, and the indexes are rebuilt', async () => {
		c = newCase();
		await c.run([path.join(realdata, 'native')]);
		const fresh = c.db.name;
		const before = c.db.prepare(`SELECT id, event_time FROM event ORDER BY id`).raw().all() as [number, string][];
		c.close();
		c = undefined;

		// The case as schema 24 wrote it: the same rows with their times as text, some rewritten to the odd spellings.
		const file = path.join(tempDir(), 'schema24.db');
		const old = new Database(file);
		for (const name of fs.readdirSync(path.join(repoRoot, 'db')).filter(n => /^0(0\d|1\d|2[0-4])_.*\.sql$/.test(n)).sort()) {
			old.exec(fs.readFileSync(path.join(repoRoot, 'db', name), 'utf8'));
		}
		old.pragma('user_version = 24');
		old.exec(`ATTACH '${fresh}' AS f`);
		for (const table of ['import_run', 'dict', 'raw_block', 'source_row']) old.exec(`INSERT INTO main.${table} SELECT * FROM f.${table}`);
		const columns = old.prepare(`SELECT name FROM pragma_table_info('event_row')`).pluck().all() as string[];
		old.exec(`INSERT INTO main.event_row (${columns.join(', ')}) SELECT ${columns.map(n => (n === 'event_time' ? 'v.event_time' : `r.${n}`)).join(', ')}
			FROM f.event_row r JOIN f.event v ON v.id = r.id`);
		old.exec('DETACH f');
		const expected = new Map(before);
		const oddTimes = Object.values(odd);
		const update = old.prepare(`UPDATE event_row SET event_time = ? WHERE id = ?`);
		oddTimes.forEach((time, i) => {
			update.run(time, before[i][0]);
			expected.set(before[i][0], time);
		});
		expect(old.prepare(`SELECT DISTINCT typeof(event_time) FROM event_row`).pluck().all()).toEqual(['text']);
		old.close();

		const db = openCaseFile(file);
		try {
			expect(db.pragma('user_version', {simple: true})).toBeGreaterThanOrEqual(27);
			const after = db.prepare(`SELECT id, event_time FROM event ORDER BY id`).raw().all() as [number, string][];
			expect(new Map(after)).toEqual(expected);
			const types = new Map(db.prepare(`SELECT id, typeof(event_time) FROM event_row`).raw().all() as [number, string][]);
			oddTimes.forEach((time, i) => {
				const name = Object.keys(odd)[i];
				expect(types.get(before[i][0]), name).toBe(integers.includes(name) ? 'integer' : 'text');
				// The migration's SQL and the writer's encoding agree (the model pages with the writer's).
				const stored = db.prepare(`SELECT event_time FROM event_row WHERE id = ?`).pluck().get(before[i][0]);
				expect(stored, name).toEqual(((v: bigint | string) => (typeof v === 'bigint' ? Number(v) : v))(encodeEventTime(time)));
			});
			expect(db.prepare(`SELECT count(*) FROM event_row WHERE typeof(event_time) = 'integer'`).pluck().get()).toBe(before.length - 5);
			const indexes = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'event_row' AND sql IS NOT NULL ORDER BY name`).pluck().all();
			expect(indexes).toEqual(['event_access_key', 'event_event_id', 'event_facts', 'event_identity', 'event_minted_key', 'event_source_ip']);
			expect(db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
			expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
		} finally {
			db.close();
		}
	});
});
