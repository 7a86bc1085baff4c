/**
 * A SAML console sign-in is not "without MFA" (issue 20). Panther's own test records for
 * AWS.Console.LoginWithoutMFA (test/fixtures/realdata/other/panther-analysis-records.jsonl): "MFA
 * Login - SAML" (type IAMUser with additionalEventData.SamlProviderArn) and its AssumedRole twin
 * carry MFAUsed "No", but the MFA happened at the identity provider; the same user's plain console
 * sign-in without MFA still fires. The three records share eventID "1" in Panther's tests; here
 * each gets its own, so the evidence can be told apart.
 */
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {listSignIns} from '../../source/db/queries.js';
import {listFindings} from '../../source/findings/queries.js';
import {restoreMocksAfterEach, runMain} from '../run-main.js';
import {caseWith, repoRoot, tempDir} from './helpers.js';

restoreMocksAfterEach();

const tester = 'arn:aws:iam::123456789012:user/tester';

function pantherRecords(): Record<string, unknown>[] {
	const lines = fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'realdata', 'other', 'panther-analysis-records.jsonl'), 'utf8').split('\n');
	const records = lines.filter(Boolean).map(l => JSON.parse(l) as Record<string, unknown>);
	const saml = records.filter(r => r.eventName === 'ConsoleLogin' && (r.additionalEventData as Record<string, unknown> | undefined)?.SamlProviderArn);
	const plain = records.find(
		r =>
			r.eventName === 'ConsoleLogin' &&
			(r.userIdentity as Record<string, unknown>).arn === tester &&
			(r.additionalEventData as Record<string, unknown>).MFAUsed === 'No' &&
			!(r.additionalEventData as Record<string, unknown>).SamlProviderArn,
	)!;
	return [...saml.map((r, i) => ({...r, eventID: `saml-${i + 1}`})), {...plain, eventID: 'plain-1'}];
}

describe('federated console sign-ins', () => {
	it('a SAML sign-in is listed as federated, not as a sign-in without MFA', async () => {
		const records = pantherRecords();
		expect(records.map(r => [(r.userIdentity as Record<string, unknown>).type, r.eventID])).toEqual([
			['IAMUser', 'saml-1'],
			['AssumedRole', 'saml-2'],
			['IAMUser', 'plain-1'],
		]);
		const file = path.join(tempDir(), 'panther.jsonl');
		fs.writeFileSync(file, records.map(r => JSON.stringify(r)).join('\n'));
		const {db, file: caseFile} = await caseWith(file);
		try {
			expect(db.prepare('SELECT count(*) FROM event').pluck().get()).toBe(3);
			const found = listFindings(db, {rule: 'console-login-without-mfa'});
			expect(found.map(f => [f.principal, f.eventIds])).toEqual([[tester, ['plain-1']]]);
			expect(found[0]!.summary).toContain('without MFA (MFAUsed "No") 1 time at 2019-01-01T00:00:00Z');
			const logins = listSignIns(db, {});
			// Same second: in import order.
			expect(logins.map(s => [s.eventId, s.mfaUsed, s.federation])).toEqual([
				['saml-1', 'No', 'saml'],
				['saml-2', 'No', 'saml'],
				['plain-1', 'No', null],
			]);
		} finally {
			db.close();
		}
		const text = await runMain('logins', '--db', caseFile, '--user', tester);
		expect(text.status).toBe(0);
		expect(text.stdout).toContain('at IdP');
	});
});

describe('records that conflict on one eventID', () => {
	it('are one event in the summary as in the evidence list, and the summary says they conflict', async () => {
		// Panther's own test records all carry eventID "1": its plain sign-in without MFA, twice, with different addresses.
		const plain = pantherRecords().find(r => r.eventID === 'plain-1')!;
		const records = [
			{...plain, eventID: '1'},
			{...plain, eventID: '1', sourceIPAddress: '198.51.100.99'},
		];
		const file = path.join(tempDir(), 'conflict.json');
		fs.writeFileSync(file, JSON.stringify({Records: records}));
		const {db} = await caseWith(file);
		try {
			expect(db.prepare('SELECT count(*) FROM event').pluck().get()).toBe(2);
			const [found] = listFindings(db, {rule: 'console-login-without-mfa'});
			expect(found!.eventIds).toEqual(['1']);
			expect(found!.summary).toContain('without MFA (MFAUsed "No") 1 time (2 records for one eventID: they conflict) at 2019-01-01T00:00:00Z');
		} finally {
			db.close();
		}
	});
});
