/**
 * A finding keeps its identity however its evidence arrives (issue 20): for every rule whose
 * findings are runs, the positive fixture is imported and its finding triaged; then an earlier copy
 * of the run's first event arrives in a later import and extends the run backwards. The finding
 * must start at the earlier time, keep its key and its triage. Two runs joined by evidence in the
 * gap keep both decisions; a finding the evidence no longer supports leaves its decision orphaned,
 * listed rather than hidden.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {describe, expect, it} from 'vitest';
import {openCaseFile} from '../../source/db/open.js';
import {migrations} from '../../source/db/migrate.js';
import {orphanedTriage, recordTriage, triageJournal, triageState} from '../../source/db/triage.js';
import {listFindings} from '../../source/findings/queries.js';
import {refreshFindings} from '../../source/findings/refresh.js';
import {rules} from '../../source/findings/registry.js';
import {importEvidence} from '../../source/pipeline.js';
import {caseWith, fixture, tempDir} from '../findings/helpers.js';
import {restoreMocksAfterEach, runMain} from '../run-main.js';

restoreMocksAfterEach();

type CloudTrailRecord = Record<string, unknown> & {eventID: string; eventTime: string};

/** The rules whose findings are runs of events (the rest are about one event, or a principal's whole record). */
const runRules = [
	'mfa-added-without-mfa-session',
	'mfa-device-removed',
	'root-mfa-change',
	'console-login-failure-burst',
	'failed-login-after-mfa-removal',
	'mfa-step-failure',
	'root-credentials-removed-via-assume-root',
	'root-password-recovery',
	'mfa-removal-denied',
	'password-spray',
	'idc-mfa-settings-changed',
];

/**
 * The event to copy earlier when it is not the run's first: a failed ConsoleLogin counts as an MFA
 * step failure only after a CheckMfa, so the Identity Center failure is the one that stands alone.
 */
const startAt: Record<string, string> = {'mfa-step-failure': 'CredentialVerification'};

function records(file: string): CloudTrailRecord[] {
	return (JSON.parse(fs.readFileSync(file, 'utf8')) as {Records: CloudTrailRecord[]}).Records;
}

function writeRecords(list: CloudTrailRecord[]): string {
	const file = path.join(tempDir(), 'earlier.json');
	fs.writeFileSync(file, JSON.stringify({Records: list}));
	return file;
}

/** The same call a minute before: a new eventID, everything else as recorded. */
function earlierCopy(record: CloudTrailRecord, seconds = 60): CloudTrailRecord {
	const time = new Date(Date.parse(record.eventTime) - seconds * 1000).toISOString().replace('.000Z', 'Z');
	return {...record, eventID: `earlier-${record.eventID}`, eventTime: time};
}

describe('finding identity', () => {
	it('every rule not listed here as a run is about one event or a whole record', () => {
		// A new rule must be placed: a run rule gets a test below.
		expect(rules.map(r => r.id).filter(id => !runRules.includes(id)).sort()).toEqual([
			'console-login-without-mfa',
			'mfa-device-replaced',
			'mfa-managed-by-other-principal',
			'new-device-first-use',
			'signin-token-without-mfa',
		]);
	});

	for (const rule of runRules) {
		it(`${rule}: triage survives earlier evidence extending the run`, async () => {
			const positive = fixture(rule, 'positive');
			const {db} = await caseWith(positive);
			try {
				const before = listFindings(db, {rule});
				expect(before.length).toBeGreaterThan(0);
				const all = records(positive);
				const named = startAt[rule];
				const first = named ? before.find(f => all.some(r => r.eventName === named && f.eventIds[0] === r.eventID))! : before[0]!;
				recordTriage(db, {kind: 'finding', target: first.key, status: 'confirmed', note: 'IR-20', analyst: 'test'});
				// The record the run starts at, from the fixture (eventIds are in time order).
				const start = all.find(r => r.eventTime.replace(/\.\d+Z$/, 'Z') === first.firstSeen && first.eventIds.includes(r.eventID));
				expect(start, 'the fixture holds the first event of the run').toBeDefined();
				const copy = earlierCopy(start!);
				await importEvidence(db, [writeRecords([copy])]);
				const after = listFindings(db, {rule}).find(f => f.eventIds.includes(copy.eventID));
				expect(after, 'the earlier event joins the run').toBeDefined();
				expect(after!.firstSeen).toBe(copy.eventTime);
				expect(after!.eventIds).toEqual(expect.arrayContaining(first.eventIds.filter(id => id !== start!.eventID).slice(0, 1)));
				expect(after!.key).toBe(first.key);
				expect(after!.status).toBe('confirmed');
				expect(after!.note).toBe('IR-20');
				expect(listFindings(db, {rule})).toHaveLength(before.length);
				// A full rebuild (other thresholds, --force) keeps it too.
				refreshFindings(db, undefined, {force: true});
				expect(listFindings(db, {rule}).find(f => f.key === first.key)?.status).toBe('confirmed');
			} finally {
				db.close();
			}
		}, 60_000);
	}

	it('two runs joined by evidence in the gap keep both decisions, and a finding that goes leaves its decision orphaned', async () => {
		// mfa-device-removed: a deactivation and a deletion 50 minutes apart are one run (within an hour);
		// moved two hours apart they are two runs, and a third call between them joins them.
		const all = records(fixture('mfa-device-removed', 'positive'));
		const removal = all.filter(r => r.eventName === 'DeactivateMFADevice' || r.eventName === 'DeleteVirtualMFADevice');
		expect(removal.map(r => r.eventName)).toEqual(['DeactivateMFADevice', 'DeleteVirtualMFADevice']);
		const [deactivate, remove] = removal as [CloudTrailRecord, CloudTrailRecord];
		const later = {...remove, eventTime: new Date(Date.parse(deactivate.eventTime) + 100 * 60_000).toISOString().replace('.000Z', 'Z')};
		const others = all.filter(r => !removal.includes(r));
		const {db, file} = await caseWith(writeRecords([...others, deactivate, later]));
		try {
			const two = listFindings(db, {rule: 'mfa-device-removed'});
			expect(two).toHaveLength(2);
			recordTriage(db, {kind: 'finding', target: two[0]!.key, status: 'confirmed', note: 'first', analyst: 'test', at: '2026-01-01T00:00:00.000Z'});
			recordTriage(db, {kind: 'finding', target: two[1]!.key, status: 'benign', note: 'second', analyst: 'test', at: '2026-01-01T00:01:00.000Z'});
			const between = {...deactivate, eventID: 'between-1', eventTime: new Date(Date.parse(deactivate.eventTime) + 50 * 60_000).toISOString().replace('.000Z', 'Z')};
			await importEvidence(db, [writeRecords([between])]);
			const one = listFindings(db, {rule: 'mfa-device-removed'});
			expect(one).toHaveLength(1);
			expect(one[0]!.key).toBe(two[0]!.key);
			// The latest decision given to either run is the joined finding's state; the journal keeps both.
			expect(one[0]).toMatchObject({status: 'benign', note: 'second'});
			const journal = triageJournal(db, {kind: 'finding', target: one[0]!.key});
			expect(journal.map(e => [e.note, e.givenAs ?? null])).toEqual([
				['first', null],
				['second', two[1]!.key],
			]);
			expect(orphanedTriage(db)).toEqual([]);
			// A decision on a finding no computation yields any more is listed as orphaned.
			recordTriage(db, {kind: 'finding', target: 'mfa-device-removed|gone||x', status: 'confirmed', analyst: 'test', at: '2026-01-01T00:02:00.000Z'});
			expect(triageState(db, {kind: 'finding', target: 'mfa-device-removed|gone||x'}).status).toBe('confirmed');
			expect(orphanedTriage(db).map(o => [o.kind, o.target, o.status])).toEqual([['finding', 'mfa-device-removed|gone||x', 'confirmed']]);
			// … and shown by findings, triage --orphaned and the report.
			expect((await runMain('findings', '--db', file)).stdout).toContain('1 triage decision names a target no longer in this case file: mfatrail triage --orphaned');
			expect((await runMain('triage', '--orphaned', '--db', file)).stdout).toContain('finding mfa-device-removed|gone||x (no longer in this case file)');
			expect((await runMain('report', '--db', file, '--format', 'md')).stdout).toContain('### Triage decisions whose target is no longer in the case');
		} finally {
			db.close();
		}
	}, 60_000);
});

describe('a case file from schema 15 (before incidents were kept)', () => {
	it('is migrated: its triage still shows, and the next import keeps the old key when it extends the run', async () => {
		const positive = fixture('mfa-device-removed', 'positive');
		// The finding as schema 15 stored it: keyed rule|principal|serial|first eventID, with a decision on that key.
		const {db: reference} = await caseWith(positive);
		const [found] = listFindings(reference, {rule: 'mfa-device-removed'});
		reference.close();
		const file = path.join(tempDir(), 'old.db');
		const old = new Database(file);
		for (const m of migrations().filter(m => m.version <= 15)) old.exec(m.sql);
		old.pragma('user_version = 15');
		old
			.prepare('INSERT INTO finding (rule, severity, principal_arn, serial_number, first_seen, last_seen, event_ids, summary, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
			.run(found!.rule, found!.severity, found!.principal, found!.serialNumber, found!.firstSeen, found!.lastSeen, JSON.stringify(found!.eventIds), found!.summary, found!.key);
		old.prepare(`INSERT INTO triage_entry (kind, target, at, analyst, old_status, new_status, note) VALUES ('finding', ?, '2026-01-01T00:00:00.000Z', 'test', 'needs-review', 'confirmed', 'before 20')`).run(found!.key);
		old.close();
		const db = openCaseFile(file);
		try {
			expect(db.pragma('user_version', {simple: true})).toBe(Math.max(...migrations().map(m => m.version)));
			expect(listFindings(db)[0]).toMatchObject({key: found!.key, status: 'confirmed', eventCount: found!.eventIds.length});
			const start = records(positive).find(r => r.eventID === found!.eventIds[0])!;
			await importEvidence(db, [positive, writeRecords([earlierCopy(start)])]);
			const after = listFindings(db, {rule: 'mfa-device-removed'});
			expect(after.map(f => [f.key, f.status, f.firstSeen])).toEqual([[found!.key, 'confirmed', earlierCopy(start).eventTime]]);
		} finally {
			db.close();
		}
	}, 60_000);
});
