/**
 * Compact model storage (db/025_compact_model.sql): sign-ins and lifecycle calls keep their eventID
 * in 16 bytes, a sign-in its user agent as a model_value id and its LoginTo not at all; the views
 * sign_in and lifecycle_event give the old columns back. On real evidence: the views say what the events say,
 * a case file of the previous schema keeps its model rows through the upgrade, and the lookups the
 * views make by principal, serial, address, device and time read an index.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {afterEach, describe, expect, it} from 'vitest';
import {openCaseFile} from '../../source/db/open.js';
import {migrations} from '../../source/db/migrate.js';
import {deriveModel} from '../../source/model/derive.js';
import {refreshModel} from '../../source/model/refresh.js';
import {factRowBatches} from '../../source/model/rows.js';
import {signInLoginTo} from '../../source/db/facts-codec.js';
import {caseWith, realdata} from './helpers.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
	for (const cleanup of cleanups.splice(0)) cleanup();
});

async function realCase() {
	const c = await caseWith(path.join(realdata, 'native'), path.join(realdata, 'other'));
	cleanups.push(c.cleanup);
	return c;
}

const signIns = 'SELECT * FROM sign_in ORDER BY event';
const lifecycle = 'SELECT * FROM lifecycle_event ORDER BY event';

describe('compact model storage', () => {
	it('the views give back what the events say: eventID, address, user agent, caller', async () => {
		const {db} = await realCase();
		const rows = db
			.prepare(`SELECT s.event_id AS a, e.event_id AS b, s.source_ip AS ipA, e.source_ip AS ipB, s.user_agent AS uaA, e.user_agent AS uaB
				FROM sign_in s JOIN event e ON e.id = s.event`)
			.all() as {a: string; b: string; ipA: string | null; ipB: string | null; uaA: string | null; uaB: string | null}[];
		expect(rows.length).toBeGreaterThan(10);
		for (const r of rows) expect([r.a, r.ipA, r.uaA]).toEqual([r.b, r.ipB, r.uaB]);
		const calls = db
			.prepare(`SELECT l.event_id AS a, e.event_id AS b, l.actor_arn AS actor, e.identity_arn AS arn, l.access_key_id AS keyA, e.access_key_id AS keyB
				FROM lifecycle_event l JOIN event e ON e.id = l.event`)
			.all() as {a: string; b: string; actor: string | null; arn: string | null; keyA: string | null; keyB: string | null}[];
		expect(calls.length).toBeGreaterThan(0);
		for (const c of calls) {
			expect([c.a, c.keyA]).toEqual([c.b, c.keyB]);
			if (c.arn) expect(c.actor).toBe(c.arn);
		}
		// Every sign-in and lifecycle column the derivation wrote reads back the same through the views.
		const model = deriveModel([...factRowBatches(db, 1_000_000)].flat());
		const stored = new Map((db.prepare('SELECT s.*, (SELECT facts FROM event_row WHERE id = s.event) AS event_facts FROM sign_in s').all() as Record<string, unknown>[]).map(r => [r.event, r]));
		expect(stored.size).toBe(model.signIns.length);
		for (const s of model.signIns) {
			const r = stored.get(s.event);
			expect([r?.event_id, r?.principal_arn, r?.account_id, r?.mfa_identifier, r?.source_ip, r?.user_agent, signInLoginTo(r?.event_facts), r?.auth_workflow_id]).toEqual([
				s.eventId, s.principalArn, s.accountId, s.mfaIdentifier, s.sourceIp, s.userAgent, s.loginTo, s.authWorkflowId,
			]);
		}
		expect(model.signIns.some(s => s.loginTo)).toBe(true);
		const storedCalls = new Map((db.prepare('SELECT * FROM lifecycle_event').all() as Record<string, unknown>[]).map(r => [r.event, r]));
		for (const l of model.lifecycle) {
			const r = storedCalls.get(l.event);
			expect([r?.event_id, r?.owner_arn, r?.actor_arn, r?.serial_number, r?.access_key_id, r?.source_ip, r?.user_agent]).toEqual([
				l.eventId, l.ownerArn, l.actorArn, l.serialNumber, l.accessKeyId, l.sourceIp, l.userAgent,
			]);
		}
		// Each user agent once; eventIDs stored as event_row stores them (16 bytes for a canonical UUID).
		expect(db.prepare('SELECT count(*) FROM model_value').pluck().get()).toBe(db.prepare('SELECT count(DISTINCT user_agent) FROM sign_in').pluck().get());
		expect(db.prepare('SELECT count(*) FROM sign_in_row s JOIN event_row e ON e.id = s.event WHERE s.event_id IS NOT e.event_id').pluck().get()).toBe(0);
		expect(db.prepare(`SELECT count(*) FROM sign_in_row WHERE typeof(event_id) = 'blob'`).pluck().get()).toBeGreaterThan(0);
	});

	it('a case file of the previous schema keeps its sign-ins and lifecycle calls through the upgrade, as a rebuild derives them', async () => {
		const {db, file, dir} = await realCase();
		// Device ids follow the refresh that made them (two imports: an incremental one); a full rebuild renumbers.
		refreshModel(db, {force: true});
		const expected = {signIns: db.prepare(signIns).all(), lifecycle: db.prepare(lifecycle).all()};
		expect(expected.signIns.length).toBeGreaterThan(10);
		db.close();

		// The previous schema's tables, as migrations 001-024 create them.
		const previous = new Database(':memory:');
		for (const m of migrations().filter(m => m.version < 25)) previous.exec(m.sql);
		const ddl = previous
			.prepare(`SELECT sql FROM sqlite_master WHERE tbl_name IN ('sign_in', 'lifecycle_event') AND sql IS NOT NULL ORDER BY type DESC, name`)
			.pluck()
			.all() as string[];
		previous.close();
		expect(ddl.some(sql => /^CREATE TABLE sign_in\b/.test(sql))).toBe(true);

		const old = path.join(dir, 'old.db');
		fs.copyFileSync(file, old);
		const raw = new Database(old);
		raw.exec('DROP VIEW sign_in; DROP VIEW lifecycle_event; DROP TABLE sign_in_row; DROP TABLE lifecycle_row; DROP TABLE model_value;');
		for (const sql of ddl) raw.exec(sql);
		for (const [table, rows] of [['sign_in', expected.signIns], ['lifecycle_event', expected.lifecycle]] as const) {
			for (const row of rows as Record<string, unknown>[]) {
				const columns = Object.keys(row);
				raw.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(...Object.values(row));
			}
		}
		raw.pragma('user_version = 24');
		raw.close();

		const upgraded = openCaseFile(old);
		try {
			expect(upgraded.prepare(signIns).all()).toEqual(expected.signIns);
			expect(upgraded.prepare(lifecycle).all()).toEqual(expected.lifecycle);
			refreshModel(upgraded, {force: true});
			expect(upgraded.prepare(signIns).all()).toEqual(expected.signIns);
			expect(upgraded.prepare(lifecycle).all()).toEqual(expected.lifecycle);
		} finally {
			upgraded.close();
		}
	});

	it('lookups by principal, serial, address, device and time read an index, not every row', async () => {
		const {db} = await realCase();
		const plan = (sql: string) =>
			(db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as {detail: string}[]).map(r => r.detail).join('\n');
		const list = `(SELECT value FROM json_each('["x"]'))`;
		for (const sql of [
			`SELECT * FROM sign_in WHERE principal_arn = 'x' ORDER BY event_time, event`,
			`SELECT * FROM sign_in WHERE principal_arn IN ${list}`,
			`SELECT * FROM sign_in WHERE mfa_identifier IN ${list}`,
			`SELECT * FROM sign_in WHERE mfa_identifier = 'x' ORDER BY event_time`,
			`SELECT count(*) FROM sign_in WHERE source_ip = 'x'`,
			`SELECT * FROM sign_in WHERE device_id = 1 ORDER BY event_time, event`,
			`SELECT * FROM sign_in ORDER BY event_time, event LIMIT 50`,
			`SELECT count(*) FROM sign_in WHERE event_name = 'ConsoleLogin' AND event_time >= 'a' AND event_time < 'b'`,
			`SELECT * FROM lifecycle_event WHERE serial_number IN ${list}`,
			`SELECT * FROM lifecycle_event WHERE owner_arn IN ${list}`,
			`SELECT * FROM lifecycle_event WHERE actor_arn = 'x' ORDER BY event_time`,
			`SELECT * FROM lifecycle_event WHERE device_id = 1 AND applied = 1 AND event_time <= 'x'`,
			`SELECT e.event_id, s.result FROM event e LEFT JOIN sign_in s ON s.event = e.id WHERE e.id IN (SELECT id FROM event_row WHERE event_id = 'x')`,
		]) {
			const detail = plan(sql);
			expect(detail, sql).toMatch(/USING (COVERING )?INDEX (sign_in|lifecycle)_|USING INTEGER PRIMARY KEY/);
			// Neither a scan of the table nor the view materialised.
			expect(detail, sql).not.toMatch(/SCAN [sl]$|MATERIALIZE/m);
		}
	});
});
