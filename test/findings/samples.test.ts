/** Over samples/ every seeded story (samples/README.md) yields its finding, and nothing else fires. */
import path from 'node:path';
import {beforeAll, afterAll, describe, expect, it} from 'vitest';
import type {CaseFile} from '../../source/db/open.js';
import {listFindings, type StoredFinding} from '../../source/findings/queries.js';
import {caseWith, repoRoot} from './helpers.js';

const a = (account: string, rest: string) => `arn:aws:iam::${account}:${rest}`;
const acct = '123456789012';

let db: CaseFile;
let found: StoredFinding[];
beforeAll(async () => {
	({db} = await caseWith(path.join(repoRoot, 'samples')));
	found = listFindings(db);
});
afterAll(() => db.close());

const find = (rule: string, principal: string, serial: string | null = null) =>
	found.filter(f => f.rule === rule && f.principal === principal && f.serialNumber === serial);

describe('findings over samples/', () => {
	it('every story yields its findings, and only those', () => {
		const tuples = found.map(f => [f.rule, f.principal, f.serialNumber, f.firstSeen]);
		expect(tuples).toEqual([
			// Root adds devices (the article) and loses one: three root MFA changes.
			['root-mfa-change', a(acct, 'root'), a(acct, 'mfa/root-account-mfa-device'), '2022-11-20T09:14:03Z'],
			['root-mfa-change', a(acct, 'root'), a(acct, 'mfa/another-device'), '2022-12-05T10:02:40Z'],
			['root-mfa-change', a(acct, 'root'), a(acct, 'mfa/root-account-mfa-device'), '2023-01-09T14:02:10Z'],
			// AWS-2023-001: alice inside the window; erin's attempt after the fix.
			['mfa-added-without-mfa-session', a(acct, 'user/alice'), a(acct, 'mfa/alice-backup'), '2023-02-14T10:02:11Z'],
			// judy's device removed by ops-admin, a new judy-phone enrolled 23 min later in her session without MFA.
			['mfa-device-replaced', a(acct, 'user/judy'), a(acct, 'mfa/judy-phone'), '2023-02-20T11:00:04Z'],
			['mfa-added-without-mfa-session', a(acct, 'user/erin'), a(acct, 'mfa/erin-backup'), '2023-05-10T19:22:05Z'],
			// Stories of issue 11: svc-admin's stolen key replaces paul's phone; dana's AssumeRoot session strips
			// the member account's root MFA (also a root MFA change).
			['mfa-device-replaced', a(acct, 'user/paul'), a(acct, 'mfa/paul-phone2'), '2024-03-20T02:10:00Z'],
			['root-credentials-removed-via-assume-root', a('210987654321', 'root'), a('210987654321', 'mfa/root-account-mfa-device'), '2024-12-10T15:00:31Z'],
			['root-mfa-change', a('210987654321', 'root'), a('210987654321', 'mfa/root-account-mfa-device'), '2024-12-10T15:00:31Z'],
			// Enrolment sign-ins before a device existed, root's first sign-in, grace.
			['console-login-without-mfa', a(acct, 'user/alice'), null, '2022-11-02T15:18:09Z'],
			['console-login-without-mfa', a(acct, 'user/carol'), null, '2022-11-18T13:00:00Z'],
			['console-login-without-mfa', a(acct, 'root'), null, '2022-11-20T09:12:40Z'],
			['console-login-without-mfa', a(acct, 'user/erin'), null, '2022-11-21T10:30:00Z'],
			// ops-admin enables frank's device.
			['mfa-managed-by-other-principal', a(acct, 'user/frank'), a(acct, 'mfa/frank-phone'), '2022-11-24T11:08:02Z'],
			['console-login-without-mfa', a(acct, 'user/heidi'), null, '2022-12-01T13:00:00Z'],
			['console-login-without-mfa', a(acct, 'user/judy'), null, '2022-12-02T09:00:00Z'],
			['console-login-without-mfa', a(acct, 'user/dave'), null, '2022-12-14T10:20:00Z'],
			// Lost device: removed, then "Failed authentication".
			['failed-login-after-mfa-removal', a(acct, 'root'), a(acct, 'mfa/root-account-mfa-device'), '2023-01-09T14:02:10Z'],
			['mfa-device-removed', a(acct, 'root'), a(acct, 'mfa/root-account-mfa-device'), '2023-01-09T14:02:10Z'],
			['console-login-without-mfa', a(acct, 'user/grace'), null, '2023-01-18T07:45:33Z'],
			// Name reused after deletion: ops-admin removes judy's first judy-phone.
			['mfa-device-removed', a(acct, 'user/judy'), a(acct, 'mfa/judy-phone'), '2023-02-20T11:00:04Z'],
			['mfa-managed-by-other-principal', a(acct, 'user/judy'), a(acct, 'mfa/judy-phone'), '2023-02-20T11:00:04Z'],
			// bob's six failures in seven minutes.
			['console-login-failure-burst', a(acct, 'user/bob'), null, '2023-03-07T22:10:19Z'],
			// ops-admin deactivates frank-phone.
			['mfa-device-removed', a(acct, 'user/frank'), a(acct, 'mfa/frank-phone'), '2023-03-20T15:31:10Z'],
			['mfa-managed-by-other-principal', a(acct, 'user/frank'), a(acct, 'mfa/frank-phone'), '2023-03-20T15:31:10Z'],
			['console-login-without-mfa', a(acct, 'user/leo'), null, '2023-04-11T14:00:00Z'],
			// The second account's alice is another person: her own finding.
			['console-login-without-mfa', a('210987654321', 'user/alice'), null, '2023-06-01T12:00:00Z'],
			['console-login-without-mfa', a(acct, 'user/mike'), null, '2023-06-20T10:00:00Z'],
			// paul's enrolment sign-in; the stolen key removes his device and enables another for him.
			['console-login-without-mfa', a(acct, 'user/paul'), null, '2024-03-01T10:00:00Z'],
			['mfa-device-removed', a(acct, 'user/paul'), a(acct, 'mfa/paul-phone'), '2024-03-20T02:10:00Z'],
			['mfa-managed-by-other-principal', a(acct, 'user/paul'), a(acct, 'mfa/paul-phone'), '2024-03-20T02:10:00Z'],
			['mfa-managed-by-other-principal', a(acct, 'user/paul'), a(acct, 'mfa/paul-phone2'), '2024-03-20T02:11:30Z'],
			// nina's enrolment sign-in, before her passkey.
			['console-login-without-mfa', a(acct, 'user/nina'), null, '2024-07-15T09:00:00Z'],
			['mfa-device-removed', a('210987654321', 'root'), a('210987654321', 'mfa/root-account-mfa-device'), '2024-12-10T15:00:31Z'],
			// Six user names from 198.51.100.250 in six minutes.
			['password-spray', null, null, '2025-02-11T03:00:00Z'],
			// Devices first used within 24 h of enabling (alice-backup 42 s later, from a new address).
			['new-device-first-use', a(acct, 'user/alice'), a(acct, 'mfa/alice-phone'), '2022-11-02T15:21:02Z'],
			['new-device-first-use', a(acct, 'user/frank'), a(acct, 'mfa/frank-phone'), '2022-11-24T11:08:02Z'],
			['new-device-first-use', a(acct, 'user/alice'), a(acct, 'mfa/alice-backup'), '2023-02-14T10:02:48Z'],
			['new-device-first-use', a(acct, 'user/judy'), a(acct, 'mfa/judy-phone'), '2023-02-20T11:22:51Z'],
			// Identity Center TOTP failure; heidi fails after CheckMfa.
			['mfa-step-failure', 'arn:aws:identitystore::123456789012:user/c4f8a4e2-7091-70a8-3b6e-1f0a2c9d5b71', null, '2023-03-28T07:59:31Z'],
			['mfa-step-failure', a(acct, 'user/heidi'), null, '2023-04-03T08:20:05Z'],
			// The attacker signs in as paul with the new device, 2 min 30 s after enabling it, from a new address.
			['new-device-first-use', a(acct, 'user/paul'), a(acct, 'mfa/paul-phone2'), '2024-03-20T02:11:30Z'],
		]);
	});

	it('tells the bulletin story with what followed', () => {
		const [alice] = find('mfa-added-without-mfa-session', a(acct, 'user/alice'), a(acct, 'mfa/alice-backup'));
		expect(alice.summary).toContain('inside the AWS-2023-001 exploitable window');
		expect(alice.summary).toContain('GetSessionToken with the new device at 2023-02-14T10:03:30Z');
		expect(alice.summary).toContain('2 previously denied calls now succeeding with mfaAuthenticated true (s3:ListBuckets, secretsmanager:GetSecretValue)');
		const [erin] = find('mfa-added-without-mfa-session', a(acct, 'user/erin'), a(acct, 'mfa/erin-backup'));
		expect(erin.summary).toContain('an attempt blocked by the fix of 2023-04-21');
		const [backup] = find('new-device-first-use', a(acct, 'user/alice'), a(acct, 'mfa/alice-backup'));
		expect(backup.summary).toContain('from 203.0.113.66, an address the principal had not used before the device was enabled');
	});

	it('stores nothing twice when the same evidence is imported again', async () => {
		const {importEvidence} = await import('../../source/pipeline.js');
		await importEvidence(db, [path.join(repoRoot, 'samples')]);
		expect(listFindings(db).map(f => f.key)).toEqual(found.map(f => f.key));
	});
});
