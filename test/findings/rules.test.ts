/**
 * Each rule over a positive and a negative fixture (records in real shapes, imported with
 * importEvidence so the model and the findings are computed as in real use).
 */
import {describe, expect, it} from 'vitest';
import {rules} from '../../source/findings/registry.js';
import {arn, findingsOf, fixture, mfa, root, negativeFindings} from './helpers.js';

const of = async (rule: string, kind: 'positive' | 'negative') => (await findingsOf(fixture(rule, kind))).filter(f => f.rule === rule);

describe('every rule has fixtures', () => {
	it('lists the nine rules of issue 5 and the seven of issue 11, with their ids', () => {
		expect(rules.map(r => r.id)).toEqual([
			'mfa-added-without-mfa-session',
			'mfa-device-removed',
			'mfa-managed-by-other-principal',
			'root-mfa-change',
			'console-login-without-mfa',
			'console-login-failure-burst',
			'failed-login-after-mfa-removal',
			'mfa-step-failure',
			'new-device-first-use',
			'root-credentials-removed-via-assume-root',
			'root-password-recovery',
			'mfa-device-replaced',
			'mfa-removal-denied',
			'password-spray',
			'signin-token-without-mfa',
			'idc-mfa-settings-changed',
		]);
	});
});

describe('mfa-added-without-mfa-session', () => {
	it('fires on the bulletin pattern and on a blocked attempt after the fix, with what followed', async () => {
		const found = await of('mfa-added-without-mfa-session', 'positive');
		expect(found.map(f => [f.principal, f.serialNumber, f.severity, f.firstSeen, f.lastSeen])).toEqual([
			[arn('alice'), mfa('alice-2'), 'high', '2023-02-10T10:05:00Z', '2023-02-10T10:08:10Z'],
			[arn('dave'), mfa('dave-2'), 'high', '2023-06-01T12:00:00Z', '2023-06-01T12:00:15Z'],
		]);
		const [alice, dave] = found;
		expect(alice.summary).toContain('long-term access key AKIAIOSFODNN7EXAMPLE');
		expect(alice.summary).toContain(`while device ${mfa('alice-phone')} was already in use`);
		expect(alice.summary).toContain('inside the AWS-2023-001 exploitable window');
		expect(alice.summary).toContain('GetSessionToken with the new device at 2023-02-10T10:07:00Z');
		expect(alice.summary).toContain('2 previously denied calls now succeeding with mfaAuthenticated true (iam:ListUsers, s3:ListBuckets)');
		// the prior-device proof (the MFA sign-in), create and enable, GetSessionToken, and both denied→allowed pairs
		expect(alice.eventIds).toHaveLength(8);
		expect(dave.summary).toContain('EnableMFADevice (failed)');
		expect(dave.summary).toContain('the enabling did not succeed (AccessDenied): an attempt blocked by the fix of 2023-04-21');
		expect(dave.summary).not.toContain('inside the');
	});

	it("does not fire on a principal's first device, nor on an add from an MFA session", async () => {
		expect(await negativeFindings('mfa-added-without-mfa-session')).toEqual([]);
	});
});

describe('mfa-device-removed', () => {
	it('fires once for a deactivation and the deletion that follows', async () => {
		const found = await of('mfa-device-removed', 'positive');
		expect(found).toHaveLength(1);
		expect(found[0]).toMatchObject({principal: arn('erin'), serialNumber: mfa('erin-phone'), severity: 'medium', firstSeen: '2023-03-15T14:00:00Z', lastSeen: '2023-03-15T14:00:01Z'});
		expect(found[0].summary).toContain('was deactivated at 2023-03-15T14:00:00Z and deleted at 2023-03-15T14:00:01Z by its owner');
	});

	it('does not fire on deleting a never-enabled device or on a denied deactivation', async () => {
		expect(await negativeFindings('mfa-device-removed')).toEqual([]);
	});
});

describe('mfa-managed-by-other-principal', () => {
	it('fires when an administrator enables a device for another user', async () => {
		const found = await of('mfa-managed-by-other-principal', 'positive');
		expect(found.map(f => [f.principal, f.serialNumber])).toEqual([[arn('carol'), mfa('carol-token')]]);
		expect(found[0].summary).toMatch(/^IAM user admin \(111122223333\) enabled MFA device .*carol-token for IAM user carol/);
	});

	it('does not fire when users manage their own devices', async () => {
		expect(await negativeFindings('mfa-managed-by-other-principal')).toEqual([]);
	});
});

describe('root-mfa-change', () => {
	it('fires once for the root create and enable of a device', async () => {
		const found = await of('root-mfa-change', 'positive');
		expect(found.map(f => [f.principal, f.serialNumber, f.severity, f.eventIds.length])).toEqual([[root, mfa('root-account-mfa-device'), 'high', 2]]);
		expect(found[0].summary).toContain('console session (without MFA)');
	});

	it('does not fire for an IAM user device', async () => {
		expect(await negativeFindings('root-mfa-change')).toEqual([]);
	});
});

describe('console-login-without-mfa', () => {
	it('fires once per IAM or root user, extended over all their sign-ins without MFA', async () => {
		const found = await of('console-login-without-mfa', 'positive');
		expect(found.map(f => [f.principal, f.eventIds.length, f.firstSeen, f.lastSeen])).toEqual([
			[arn('ivan'), 2, '2023-05-01T08:00:00Z', '2023-05-02T08:00:00Z'],
			[root, 1, '2023-05-03T07:00:00Z', '2023-05-03T07:00:00Z'],
		]);
	});

	it('does not fire on Identity Center role sessions, MFA sign-ins or failures', async () => {
		expect(await negativeFindings('console-login-without-mfa')).toEqual([]);
	});
});

describe('console-login-failure-burst', () => {
	it('fires on six failures in six minutes and notes the success that followed', async () => {
		const found = await of('console-login-failure-burst', 'positive');
		expect(found).toHaveLength(1);
		expect(found[0]).toMatchObject({principal: arn('bob'), firstSeen: '2023-06-10T10:00:00Z', lastSeen: '2023-06-10T10:09:00Z'});
		expect(found[0].summary).toMatch(/^6 failed console sign-ins for IAM user bob .* a successful sign-in followed at 2023-06-10T10:09:00Z/);
		expect(found[0].summary).toContain('CloudTrail does not record whether the password or the MFA code was wrong');
	});

	it('does not fire on five failures spread over sixteen minutes', async () => {
		expect(await negativeFindings('console-login-failure-burst')).toEqual([]);
	});
});

describe('failed-login-after-mfa-removal', () => {
	it("fires on the article's story: device removed, then Failed authentication", async () => {
		const found = await of('failed-login-after-mfa-removal', 'positive');
		expect(found).toHaveLength(1);
		expect(found[0]).toMatchObject({principal: arn('frank'), serialNumber: mfa('another-device'), firstSeen: '2023-07-03T12:00:00Z', lastSeen: '2023-07-03T13:11:00Z'});
		expect(found[0].summary).toMatch(/^2 failed console sign-ins .*"Failed authentication".* CloudTrail does not record whether the password or the MFA code failed/);
	});

	it('does not fire on failures two days after the removal', async () => {
		expect(await negativeFindings('failed-login-after-mfa-removal')).toEqual([]);
	});
});

describe('mfa-step-failure', () => {
	it('fires on CheckMfa then a failed ConsoleLogin, and on an Identity Center TOTP failure', async () => {
		const found = await of('mfa-step-failure', 'positive');
		expect(found.map(f => [f.principal, f.eventIds.length])).toEqual([
			[arn('kate'), 2],
			['arn:aws:identitystore::111122223333:user/94d00cd8-e9e6-4810-b177-b08e84725435', 1],
		]);
		expect(found[0].summary).toContain('right after a successful CheckMfa');
		expect(found[1].summary).toContain('failed Identity Center CredentialVerification for TOTP');
	});

	it('does not fire on a CheckMfa then success, a password failure without MFA, or a TOTP success', async () => {
		expect(await negativeFindings('mfa-step-failure')).toEqual([]);
	});
});

describe('new-device-first-use', () => {
	it('fires on the first sign-in 30 minutes after enabling, from an address new to the principal', async () => {
		const found = await of('new-device-first-use', 'positive');
		expect(found.map(f => [f.principal, f.serialNumber, f.firstSeen, f.lastSeen])).toEqual([
			[arn('gina'), mfa('gina-2'), '2023-09-02T09:00:30Z', '2023-09-02T09:30:00Z'],
		]);
		expect(found[0].summary).toContain('from 192.0.2.77, an address the principal had not used before the device was enabled');
	});

	it('does not fire when the first use comes days later', async () => {
		expect(await negativeFindings('new-device-first-use')).toEqual([]);
	});
});
