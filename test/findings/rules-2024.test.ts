/**
 * The seven rules of issue 11 (MFA evidence since 2024), each over its positive and negative
 * fixture (test/fixtures/findings/RULE/, record shapes from the AWS documentation named in each
 * file's "fixture.source"), imported with importEvidence as in real use.
 */
import fs from 'node:fs';
import {describe, expect, it} from 'vitest';
import {ruleById} from '../../source/findings/registry.js';
import {arn, findingsOf, fixture, negativeFindings} from './helpers.js';

const of = async (rule: string, kind: 'positive' | 'negative') => (await findingsOf(fixture(rule, kind))).filter(f => f.rule === rule);
const newRules = [
	['root-credentials-removed-via-assume-root', 'high'],
	['root-password-recovery', 'high'],
	['mfa-device-replaced', 'high'],
	['mfa-removal-denied', 'low'],
	['password-spray', 'medium'],
	['signin-token-without-mfa', 'medium'],
	['idc-mfa-settings-changed', 'medium'],
] as const;

describe('the rules of issue 11', () => {
	it('have the fixed ids and severities, and fixtures that name their sources', () => {
		for (const [id, severity] of newRules) {
			expect(ruleById(id)?.severity).toBe(severity);
			for (const kind of ['positive', 'negative'] as const) {
				const file = JSON.parse(fs.readFileSync(fixture(id, kind), 'utf8')) as {fixture: {source: string}};
				expect(file.fixture.source, `${id} ${kind}`).toMatch(/AWS|TrailDiscover|Elastic/);
			}
		}
	});

	it.each(newRules.map(([id]) => id))('%s does not fire on its negative fixture', async id => {
		expect(await negativeFindings(id)).toEqual([]);
	});
});

describe('root-credentials-removed-via-assume-root', () => {
	it('names the management-account caller and the task, and says when the AssumeRoot call is absent', async () => {
		const found = await of('root-credentials-removed-via-assume-root', 'positive');
		expect(found.map(f => [f.principal, f.serialNumber, f.severity, f.firstSeen, f.lastSeen, f.eventIds.length])).toEqual([
			// the AssumeRoot call (context) + deactivate, delete, DeleteLoginProfile
			['arn:aws:iam::222222222222:root', 'arn:aws:iam::222222222222:mfa/root-account-mfa-device', 'high', '2024-12-03T10:00:40Z', '2024-12-03T10:00:50Z', 4],
			['arn:aws:iam::333333333333:root', 'arn:aws:iam::333333333333:mfa/root-account-mfa-device', 'high', '2024-12-04T08:00:10Z', '2024-12-04T08:00:10Z', 1],
		]);
		expect(found[0].summary).toContain('root session via AssumeRoot by arn:aws:sts::111111111111:assumed-role/JohnDoe/JohnRole1 (task IAMDeleteRootUserCredentials)');
		expect(found[0].summary).toContain('root password (login profile) deleted at 2024-12-03T10:00:50Z');
		expect(found[1].summary).toContain('AssumeRoot session, caller not in evidence');
		expect(found[1].summary).toContain('ASIAUNJOINEDROOTK001');
	});
});

describe('root-password-recovery', () => {
	it('fires on recovery by e-mail (saying a sign-in followed) and on a root password set outside AssumeRoot', async () => {
		const found = await of('root-password-recovery', 'positive');
		expect(found.map(f => [f.principal, f.firstSeen, f.lastSeen, f.eventIds.length])).toEqual([
			['arn:aws:iam::555555555555:root', '2025-01-10T03:00:00Z', '2025-01-10T03:05:30Z', 3],
			['arn:aws:iam::666666666666:root', '2025-01-12T09:00:00Z', '2025-01-12T09:00:00Z', 1],
		]);
		expect(found[0].summary).toContain('a root console sign-in followed at 2025-01-10T03:05:30Z from 203.0.113.77 (successful, MFAUsed No)');
		expect(found[1].summary).toContain('no root console sign-in followed within 24 h');
	});
});

describe('mfa-device-replaced', () => {
	it('fires when another principal enrols, and when the enrolment comes from an address the user never signed in from (Identity Center)', async () => {
		const found = await of('mfa-device-replaced', 'positive');
		expect(found.map(f => [f.principal, f.serialNumber, f.firstSeen, f.lastSeen])).toEqual([
			[arn('alice').replace('111122223333', '123456789012'), 'arn:aws:iam::123456789012:mfa/alice-new', '2024-11-05T14:00:00Z', '2024-11-05T14:21:00Z'],
			['arn:aws:identitystore::123456789012:user/94c8f4a8-1001-7000-a000-00000000beef', 'mfa-device-webauthn-0002', '2024-12-09T22:00:00Z', '2024-12-09T22:04:00Z'],
		]);
		expect(found[0].summary).toContain('by another principal, IAM user helpdesk (123456789012)');
		expect(found[1].summary).toContain('from 192.0.2.250, an address none of its sign-ins before the removal used');
	});
});

describe('mfa-removal-denied', () => {
	it('names the caller and the command hint when requestParameters is null', async () => {
		const found = await of('mfa-removal-denied', 'positive');
		expect(found).toHaveLength(1);
		expect(found[0]).toMatchObject({principal: 'arn:aws:iam::111111111111:user/TrailDiscover', serialNumber: null, severity: 'low', firstSeen: '2024-08-18T12:25:00Z', lastSeen: '2024-08-18T12:25:30Z'});
		expect(found[0].summary).toContain('by IAM user TrailDiscover (111111111111) from 192.0.2.44 (AccessDenied)');
		expect(found[0].summary).toContain("the client's command hint: iam.deactivate-mfa-device, iam.delete-virtual-mfa-device");
	});
});

describe('password-spray', () => {
	it('fires on many user names from one address within the window, console and Identity Center', async () => {
		const found = await of('password-spray', 'positive');
		expect(found.map(f => [f.principal, f.firstSeen, f.lastSeen, f.eventIds.length])).toEqual([
			[null, '2025-02-01T02:00:10Z', '2025-02-01T02:06:00Z', 6],
			[null, '2025-02-02T03:00:00Z', '2025-02-02T03:04:00Z', 5],
		]);
		expect(found[0].summary).toContain('6 distinct user names (admin, alice, bob, carol, deploy, HIDDEN_DUE_TO_SECURITY_REASONS) from 198.51.100.200');
		// Identity Center failures are named by the UserName they carry, not the user id.
		expect(found[1].summary).toContain('(ana, ben, chloe, dev, eve) from 192.0.2.201');
	});
});

describe('signin-token-without-mfa', () => {
	it('fires on a federation session without MFA turned into a console sign-in by a tool', async () => {
		const found = await of('signin-token-without-mfa', 'positive');
		expect(found).toHaveLength(1);
		expect(found[0]).toMatchObject({principal: 'arn:aws:sts::111111111111:federated-user/consoler', firstSeen: '2025-03-01T10:00:05Z'});
		expect(found[0].summary).toContain('not the AWS federation endpoint');
	});
});

describe('idc-mfa-settings-changed', () => {
	it('fires on PutMfaDeviceManagementForDirectory', async () => {
		const found = await of('idc-mfa-settings-changed', 'positive');
		expect(found.map(f => [f.principal, f.firstSeen])).toEqual([
			['arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_IdentityCenterAdmin_0a1b2c3d4e5f6a7b/it-admin', '2025-04-01T09:05:00Z'],
		]);
	});
});
