import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {openCaseFile} from '../../source/db/open.js';
import {importEvidence} from '../../source/pipeline.js';
import {findingCounts, findingsFor, listFindings} from '../../source/findings/queries.js';
import {refreshFindings, storedThresholds} from '../../source/findings/refresh.js';
import {defaultThresholds} from '../../source/findings/types.js';
import {arn, caseWith, fixture, tempDir} from './helpers.js';

/** Writes some of a fixture's records to a new file: evidence arriving in pieces. */
function slice(rule: string, kind: 'positive' | 'negative', from: number, to?: number): string {
	const {Records} = JSON.parse(fs.readFileSync(fixture(rule, kind), 'utf8')) as {Records: unknown[]};
	const file = path.join(tempDir(), `${rule}-${from}-${to ?? 'end'}.json`);
	fs.writeFileSync(file, JSON.stringify({Records: Records.slice(from, to)}));
	return file;
}

describe('refreshFindings', () => {
	it('extends a burst when later evidence arrives, keeping the row, and never duplicates on re-import', async () => {
		const first = slice('console-login-failure-burst', 'positive', 0, 5);
		const rest = slice('console-login-failure-burst', 'positive', 5);
		const {db} = await caseWith(first);
		try {
			const [before] = listFindings(db, {rule: 'console-login-failure-burst'});
			expect(before).toMatchObject({firstSeen: '2023-06-10T10:00:00Z', lastSeen: '2023-06-10T10:04:40Z'});
			expect(before.eventIds).toHaveLength(5);
			await importEvidence(db, [rest]);
			await importEvidence(db, [first, rest]);
			const after = listFindings(db, {rule: 'console-login-failure-burst'});
			expect(after).toHaveLength(1);
			expect(after[0]).toMatchObject({id: before.id, key: before.key, firstSeen: '2023-06-10T10:00:00Z', lastSeen: '2023-06-10T10:09:00Z'});
			expect(after[0].eventIds).toHaveLength(7);
		} finally {
			db.close();
		}
	});

	it('reports what a refresh changed and leaves unchanged findings alone', async () => {
		const {db} = await caseWith(fixture('mfa-device-removed', 'positive'));
		try {
			expect(refreshFindings(db)).toEqual({total: 1, created: 0, updated: 0, removed: 0}); // nothing new: nothing computed
			expect(refreshFindings(db, undefined, {force: true})).toEqual({total: 1, created: 0, updated: 0, removed: 0});
			db.exec('DELETE FROM finding');
			expect(refreshFindings(db, undefined, {force: true})).toEqual({total: 1, created: 1, updated: 0, removed: 0});
		} finally {
			db.close();
		}
	});

	it('password-spray thresholds are flags remembered like the burst rule\'s, and its findings follow an incremental import', async () => {
		const {db} = await caseWith(fixture('password-spray', 'negative'));
		try {
			expect(listFindings(db, {rule: 'password-spray'})).toEqual([]);
			// Four user names from 198.51.100.201 within 4 minutes: a spray at four.
			refreshFindings(db, {...storedThresholds(db), sprayUsers: 4});
			expect(storedThresholds(db)).toMatchObject({sprayUsers: 4, sprayWindowMs: 600_000});
			expect(listFindings(db, {rule: 'password-spray'}).map(f => f.summary.match(/from (\S+)/)?.[1])).toEqual(['198.51.100.201']);
			// An incremental import computes the global rule again with the stored thresholds.
			await importEvidence(db, [fixture('password-spray', 'positive')]);
			expect(listFindings(db, {rule: 'password-spray'})).toHaveLength(3);
		} finally {
			db.close();
		}
	});

	it('stores thresholds given once and uses them at the next import', async () => {
		const {db} = await caseWith(fixture('console-login-failure-burst', 'negative'));
		try {
			expect(listFindings(db, {rule: 'console-login-failure-burst'})).toEqual([]);
			refreshFindings(db, {...defaultThresholds, burstCount: 3, burstWindowMs: 10 * 60_000});
			expect(storedThresholds(db)).toEqual({burstCount: 3, burstWindowMs: 600_000, sprayUsers: 5, sprayWindowMs: 600_000, runGapMs: 3_600_000, followUpMs: 86_400_000, deniedLookbackMs: 30 * 86_400_000});
			expect(listFindings(db, {rule: 'console-login-failure-burst'}).map(f => f.eventIds.length)).toEqual([5]);
			await importEvidence(db, [fixture('root-mfa-change', 'positive')]);
			expect(listFindings(db, {rule: 'console-login-failure-burst'})).toHaveLength(1);
		} finally {
			db.close();
		}
	});
});

describe('finding queries for the explorer', () => {
	it('lists by principal or serial, filters by rule, time and severity, and counts', async () => {
		const {db} = await caseWith(fixture('failed-login-after-mfa-removal', 'positive'), fixture('root-mfa-change', 'positive'));
		try {
			expect(listFindings(db).map(f => f.rule)).toEqual([
				'root-mfa-change',
				'failed-login-after-mfa-removal', // same severity and first seen as the next: by rule id
				'mfa-device-removed',
				'new-device-first-use',
			]);
			expect(listFindings(db, {severity: 'medium'}).map(f => f.severity)).toEqual(['high', 'medium', 'medium']);
			expect(listFindings(db, {since: '2023-07-01T00:00:00Z', until: '2023-07-02T00:00:00Z'}).map(f => f.rule)).toEqual(['new-device-first-use']);
			expect(findingsFor(db, {principalArn: arn('frank')})).toHaveLength(3);
			expect(findingsFor(db, {serialNumber: 'arn:aws:iam::111122223333:mfa/root-account-mfa-device'}).map(f => f.rule)).toEqual(['root-mfa-change']);
			expect(findingsFor(db, {})).toEqual([]);
			const counts = findingCounts(db);
			expect(counts.total).toBe(4);
			expect(counts.bySeverity).toEqual({high: 1, medium: 2, low: 1, info: 0});
			expect(counts.byPrincipal[arn('frank')]).toBe(3);
		} finally {
			db.close();
		}
	});

	it('opens a case file read-only to list findings', async () => {
		const {db, file} = await caseWith(fixture('root-mfa-change', 'positive'));
		db.close();
		const readonly = openCaseFile(file, {readonly: true});
		try {
			expect(listFindings(readonly)).toHaveLength(1);
		} finally {
			readonly.close();
		}
	});
});
