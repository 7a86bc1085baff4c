/**
 * The incremental refresh (source/model/incremental.ts, source/findings/refresh.ts) must leave
 * exactly the tables a full rebuild leaves: evidence imported in pieces, out of time order, is
 * compared with a forced full rebuild of the same case file and with one import of everything.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {openCaseFile, type CaseFile} from '../../source/db/open.js';
import {refreshFindings} from '../../source/findings/refresh.js';
import {importEvidence} from '../../source/pipeline.js';
import {refreshModel} from '../../source/model/refresh.js';
import {evidenceFiles as files, realdata, repoRoot} from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
	for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

function newCase(): CaseFile {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-'));
	dirs.push(dir);
	return openCaseFile(path.join(dir, 'case.db'));
}

/** Every nth file in a piece, the last piece imported first: each piece spans the whole time range. */
function pieces(paths: string[], count: number): string[][] {
	const out: string[][] = Array.from({length: count}, () => []);
	paths.forEach((p, i) => out[i % count].push(p));
	return out.reverse();
}

/**
 * Every model and finding table, with the row ids that depend on the order rows were written in
 * (principal, device, finding ids; event row ids) replaced by what identifies them.
 */
function snapshot(db: CaseFile) {
	const all = (sql: string) => db.prepare(sql).all() as Record<string, unknown>[];
	const devices = new Map(all('SELECT id, serial_number, incarnation FROM device').map(d => [d.id, `${d.incarnation as number}|${d.serial_number as string}`]));
	const device = (row: Record<string, unknown>) => ({...row, event: undefined, device_id: row.device_id === null ? null : devices.get(row.device_id)});
	return {
		principal: all('SELECT * FROM principal ORDER BY arn').map(({id: _, ...row}) => row),
		device: all('SELECT * FROM device ORDER BY serial_number, incarnation').map(({id: _, ...row}) => row),
		lifecycle: all('SELECT * FROM lifecycle_event ORDER BY event_id, event_time, event_name').map(device),
		signIn: all('SELECT * FROM sign_in ORDER BY event_id, event_time, event_name').map(device),
		finding: all('SELECT * FROM finding ORDER BY key').map(({id: _, ...row}) => row),
	};
}

async function compare(paths: string[], count: number): Promise<ReturnType<typeof snapshot>> {
	const db = newCase();
	for (const piece of pieces(paths, count)) await importEvidence(db, piece);
	expect(db.prepare('SELECT count(*) FROM refresh_pending').pluck().get()).toBe(0);
	const incremental = snapshot(db);
	expect(refreshModel(db, {force: true})?.mode).toBe('full');
	refreshFindings(db);
	expect(snapshot(db)).toEqual(incremental);

	const whole = newCase();
	await importEvidence(whole, paths);
	expect(snapshot(whole)).toEqual(incremental);
	whole.close();
	db.close();
	return incremental;
}

describe('incremental refresh', () => {
	it('over samples/ in five pieces, out of time order: the same tables as a full rebuild and as one import', async () => {
		const paths = files(path.join(repoRoot, 'samples'));
		const result = await compare(paths, 5);
		expect(result.device.length).toBeGreaterThan(10);
		expect(result.finding.length).toBeGreaterThan(10);
	});

	it('over realdata native/ and other/ in four pieces', async () => {
		const paths = [...files(path.join(realdata, 'native')), ...files(path.join(realdata, 'other'))];
		const result = await compare(paths, 4);
		expect(result.signIn.length).toBeGreaterThan(10);
	});

	it('derives only what new events touch, and a late old event rewrites the device history it belongs to', async () => {
		const db = newCase();
		const user = 'arn:aws:iam::111122223333:user/kim';
		const serial = 'arn:aws:iam::111122223333:mfa/kim';
		const record = (id: string, time: string, eventName: string, extra: object = {}) => ({
			eventVersion: '1.08',
			eventID: id,
			eventTime: time,
			eventSource: 'iam.amazonaws.com',
			eventName,
			awsRegion: 'us-east-1',
			recipientAccountId: '111122223333',
			userIdentity: {type: 'IAMUser', arn: user, accountId: '111122223333', userName: 'kim', accessKeyId: 'AKIAEXAMPLE'},
			requestParameters: {userName: 'kim', serialNumber: serial},
			...extra,
		});
		const write = (name: string, records: object[]) => {
			const file = path.join(dirs[0], name);
			fs.writeFileSync(file, JSON.stringify({Records: records}));
			return file;
		};
		await importEvidence(db, [write('enable.json', [record('e-1', '2023-06-01T10:00:00Z', 'EnableMFADevice')])]);
		await importEvidence(db, [write('other.json', [record('x-1', '2023-06-02T10:00:00Z', 'ListUsers', {eventName: 'ListUsers', requestParameters: null})])]);
		expect(db.prepare('SELECT event_count FROM principal WHERE arn = ?').pluck().get(user)).toBe(2);
		expect(refreshModel(db)).toBeUndefined();
		// The deactivation happened before the enabling the case already holds: the device existed before it.
		await importEvidence(db, [write('late.json', [record('d-1', '2023-05-01T10:00:00Z', 'DeactivateMFADevice')])]);
		const devices = db
			.prepare('SELECT incarnation, state, first_seen AS firstSeen, deactivated_at AS deactivatedAt FROM device WHERE serial_number = ?')
			.all(serial);
		expect(devices).toEqual([{incarnation: 1, state: 'enabled', firstSeen: '2023-05-01T10:00:00Z', deactivatedAt: '2023-05-01T10:00:00Z'}]);
		const before = snapshot(db);
		refreshModel(db, {force: true});
		refreshFindings(db);
		expect(snapshot(db)).toEqual(before);
		// Once more from the previous mark (counters then count the late event twice): only the serial's two calls are derived again, not ListUsers.
		const mark = db.prepare(`SELECT value FROM meta WHERE key = 'model_refreshed'`).pluck().get() as string;
		expect(mark).toMatch(/^\d+:3$/);
		db.prepare(`UPDATE meta SET value = ? WHERE key = 'model_refreshed'`).run(mark.replace(/:3$/, ':2'));
		expect(refreshModel(db)).toEqual({mode: 'incremental', rows: 2, serials: 1, principals: 0});
		expect(refreshFindings(db).total).toBe(db.prepare('SELECT count(*) FROM finding').pluck().get());
		db.close();
	});
});
