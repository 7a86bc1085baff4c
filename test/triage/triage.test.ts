/**
 * The triage journal on real case files: decisions from the CLI, kept append-only, shown in
 * `findings` and its --json, filtered by --status, and still there after re-imports and rebuilds.
 */
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {openCaseFile} from '../../source/db/open.js';
import {recordTriage, triageJournal, triageState} from '../../source/db/triage.js';
import {listFindings} from '../../source/findings/queries.js';
import {refreshFindings} from '../../source/findings/refresh.js';
import {importEvidence} from '../../source/pipeline.js';
import {refreshModel} from '../../source/model/refresh.js';
import {caseWith, repoRoot} from '../model/helpers.js';
import {restoreMocksAfterEach, runMain} from '../run-main.js';

restoreMocksAfterEach();

const samples = path.join(repoRoot, 'samples');
let file = '';
let cleanup = () => {};

beforeAll(async () => {
	// Only the S3 log tree first: the zip and the lookup-events pages come in a later import.
	const made = await caseWith(path.join(samples, 'AWSLogs'));
	made.db.close();
	file = made.file;
	cleanup = made.cleanup;
}, 120_000);

afterAll(() => cleanup());

interface JsonFinding {
	id: number;
	key: string;
	rule: string;
	principal: string | null;
	status: string;
	note: string;
	eventIds: string[];
}

async function findingsJson(...flags: string[]): Promise<JsonFinding[]> {
	const {status, stdout, stderr} = await runMain('findings', '--db', file, '--json', ...flags);
	expect(stderr).toBe('');
	expect(status).toBe(0);
	return JSON.parse(stdout) as JsonFinding[];
}

describe('mfatrail triage', () => {
	it('records decisions on a finding (by id), a principal, a device and an event, and shows them', async () => {
		const before = await findingsJson();
		expect(before.length).toBeGreaterThan(10);
		expect(new Set(before.map(f => f.status))).toEqual(new Set(['needs-review']));
		const target = before.find(f => f.rule === 'mfa-added-without-mfa-session')!;

		const set = await runMain('triage', String(target.id), '--db', file, '--status', 'confirmed', '--note', 'attacker device; ticket IR-42', '--analyst', 'ann');
		expect(set.stderr).toBe('');
		expect(set.status).toBe(0);
		expect(set.stdout).toContain('needs-review → confirmed');
		// A note alone keeps the status; the OS user is the analyst when none is given.
		const noted = await runMain('triage', target.key, '--db', file, '--note', 'keys rotated', '--json');
		expect(noted.status).toBe(0);
		const entry = JSON.parse(noted.stdout) as {oldStatus: string; newStatus: string; analyst: string};
		expect(entry).toMatchObject({oldStatus: 'confirmed', newStatus: 'confirmed'});
		expect(entry.analyst.length).toBeGreaterThan(0);

		const after = await findingsJson();
		const same = after.find(f => f.key === target.key)!;
		expect(same).toMatchObject({status: 'confirmed', note: 'keys rotated'});
		expect(after.filter(f => f.status !== 'needs-review').map(f => f.key)).toEqual([target.key]);
		expect((await findingsJson('--status', 'confirmed')).map(f => f.key)).toEqual([target.key]);
		expect((await findingsJson('--status', 'needs-review')).length).toBe(before.length - 1);
		expect((await findingsJson('--status', 'benign,confirmed')).length).toBe(1);
		const human = await runMain('findings', '--db', file, '--status', 'confirmed');
		expect(human.stdout).toContain(`#${target.id} confirmed`);
		expect(human.stdout).toContain('note: keys rotated');

		// Principals, devices and events by their own identifiers.
		expect((await runMain('triage', target.principal!, '--db', file, '--kind', 'principal', '--status', 'benign', '--note', 'travel')).status).toBe(0);
		const serial = (before.find(f => f.rule === 'mfa-device-removed') as unknown as {serialNumber: string}).serialNumber;
		expect((await runMain('triage', serial, '--db', file, '--status', 'confirmed')).status).toBe(0);
		expect((await runMain('triage', target.eventIds[0], '--db', file, '--status', 'benign', '--note', 'expected')).status).toBe(0);
		const db = openCaseFile(file, {readonly: true});
		try {
			expect(triageState(db, {kind: 'principal', target: target.principal!})).toMatchObject({status: 'benign', note: 'travel'});
			expect(triageState(db, {kind: 'device', target: serial}).status).toBe('confirmed');
			expect(triageState(db, {kind: 'event', target: target.eventIds[0]}).status).toBe('benign');
			expect(triageJournal(db).map(e => [e.kind, e.oldStatus, e.newStatus])).toEqual([
				['finding', 'needs-review', 'confirmed'],
				['finding', 'confirmed', 'confirmed'],
				['principal', 'needs-review', 'benign'],
				['device', 'needs-review', 'confirmed'],
				['event', 'needs-review', 'benign'],
			]);
		} finally {
			db.close();
		}
	});

	it('refuses unknown targets and statuses', async () => {
		expect((await runMain('triage', 'no-such-thing', '--db', file, '--status', 'benign')).status).toBe(1);
		const bad = await runMain('triage', '1', '--db', file, '--status', 'maybe');
		expect(bad.status).toBe(2);
		expect(bad.stderr).toContain('unknown status');
		expect((await runMain('findings', '--db', file, '--status', 'maybe')).status).toBe(2);
	});

	it('keeps the journal append-only: the case file refuses updates and deletes', () => {
		const db = openCaseFile(file);
		try {
			const n = triageJournal(db).length;
			expect(() => db.prepare(`UPDATE triage_entry SET new_status = 'benign'`).run()).toThrow(/append-only/);
			expect(() => db.prepare('DELETE FROM triage_entry').run()).toThrow(/append-only/);
			expect(triageJournal(db).length).toBe(n);
		} finally {
			db.close();
		}
	});

	it('survives re-imports and a full rebuild of model and findings', async () => {
		const triaged = (await findingsJson()).filter(f => f.status !== 'needs-review');
		expect(triaged.length).toBe(1);
		const db = openCaseFile(file);
		try {
			// Triage every finding, so whichever the next imports touch, each must come back.
			for (const f of listFindings(db)) if (f.status === 'needs-review') recordTriage(db, {kind: 'finding', target: f.key, status: 'benign', note: `n${f.id}`, analyst: 'bob'});
			const decided = new Map(listFindings(db).map(f => [f.key, [f.status, f.note]]));
			const keysBefore = listFindings(db).map(f => f.key);

			// The rest of samples/ (the zip, the lookup-events pages): new evidence, duplicates, refreshed findings.
			const summary = await importEvidence(db, [samples]);
			expect(summary.records.inserted).toBeGreaterThan(0);
			// The same evidence again: nothing new.
			await importEvidence(db, [samples]);
			// Everything derived again from the events.
			refreshModel(db, {force: true});
			refreshFindings(db, undefined, {force: true});

			const now = listFindings(db);
			expect(now.length).toBeGreaterThanOrEqual(keysBefore.length);
			for (const key of keysBefore) {
				const f = now.find(n => n.key === key);
				expect(f, key).toBeDefined();
				expect([f!.status, f!.note]).toEqual(decided.get(key));
			}
			// Findings the later import raised are not triaged yet.
			for (const f of now.filter(n => !decided.has(n.key))) expect(f.status).toBe('needs-review');

			// Findings dropped and computed from nothing (new rows, new ids) find their triage by key.
			const ids = new Map(now.map(f => [f.key, f.id]));
			db.exec('DELETE FROM finding');
			refreshFindings(db, undefined, {force: true});
			const rebuilt = listFindings(db);
			expect(rebuilt.map(f => f.key).sort()).toEqual([...ids.keys()].sort());
			expect(rebuilt.some(f => f.id !== ids.get(f.key))).toBe(true);
			for (const f of rebuilt) expect([f.status, f.note], f.key).toEqual(decided.get(f.key) ?? ['needs-review', '']);
		} finally {
			db.close();
		}
	}, 120_000);
});
