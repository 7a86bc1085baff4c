/**
 * mfa-managed-by-other-principal fires on an administrator acting on another user's device (issue
 * 20): an Identity Center administrator (a permission-set role session) deleting and updating a
 * user's registration, and an IAM administrator deactivating another IAM user's device. Records in
 * the shapes of AWS's documentation: the Identity Center blog's identity-store events
 * (test/fixtures/shapes/identity-center.json) and the IAM DeactivateMFADevice example
 * (cloudtrail-mfa.md §1.4) with another user's userName.
 */
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {findingsOf, repoRoot, tempDir} from './helpers.js';

const rule = 'mfa-managed-by-other-principal';
const idcUser = 'arn:aws:identitystore::123456789012:user/a11111-1111-1111-11a1-111aa111aa11';
const idcAdmin = 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_IdentityCenterAdmin_0a1b2c3d4e5f6a7b/it-admin';

describe(rule, () => {
	it('fires on an Identity Center administrator deleting and updating a user\'s device, not on the user\'s own registration', async () => {
		const found = (await findingsOf(path.join(repoRoot, 'test', 'fixtures', 'shapes', 'identity-center.json'))).filter(f => f.rule === rule);
		expect(found.map(f => [f.principal, f.serialNumber, f.firstSeen])).toEqual([
			[idcUser, 'mfa-dev-authapp-0001', '2025-09-05T10:00:00Z'],
			[idcUser, 'mfa-dev-alias-0002', '2025-09-05T10:01:00Z'],
		]);
		expect(found[0]!.summary).toBe(
			`${idcAdmin} deleted MFA device mfa-dev-authapp-0001 for ${idcUser} (DeleteMfaDeviceForUser at 2025-09-05T10:00:00Z, temporary credentials ASIAIDCADMINKEY00001 (without MFA) from 203.0.113.40).`,
		);
		expect(found[1]!.summary).toContain(' updated MFA device mfa-dev-alias-0002 ');
	});

	it('fires on an IAM administrator deactivating another user\'s device', async () => {
		const record = {
			eventVersion: '1.08',
			userIdentity: {
				type: 'IAMUser',
				principalId: 'AIDACKCEVSQ6C2EXAMPLE',
				arn: 'arn:aws:iam::111122223333:user/helpdesk',
				accountId: '111122223333',
				accessKeyId: 'ASIAHELPDESK00000001',
				userName: 'helpdesk',
				sessionContext: {sessionIssuer: {}, webIdFederationData: {}, attributes: {mfaAuthenticated: 'true', creationDate: '2024-02-01T09:00:00Z'}},
			},
			eventTime: '2024-02-01T09:30:00Z',
			eventSource: 'iam.amazonaws.com',
			eventName: 'DeactivateMFADevice',
			awsRegion: 'us-east-1',
			sourceIPAddress: '192.0.2.10',
			userAgent: 'AWS Internal',
			requestParameters: {userName: 'mallory', serialNumber: 'arn:aws:iam::111122223333:mfa/mallory-phone'},
			responseElements: null,
			eventID: 'a0000000-0000-4000-8000-000000000001',
			readOnly: false,
			eventType: 'AwsApiCall',
			recipientAccountId: '111122223333',
		};
		const file = path.join(tempDir(), 'deactivate.json');
		fs.writeFileSync(file, JSON.stringify({Records: [record]}));
		const found = (await findingsOf(file)).filter(f => f.rule === rule);
		expect(found.map(f => [f.principal, f.serialNumber, f.summary])).toEqual([
			[
				'arn:aws:iam::111122223333:user/mallory',
				'arn:aws:iam::111122223333:mfa/mallory-phone',
				'IAM user helpdesk (111122223333) deactivated MFA device arn:aws:iam::111122223333:mfa/mallory-phone for IAM user mallory (111122223333) (DeactivateMFADevice at 2024-02-01T09:30:00Z, temporary credentials ASIAHELPDESK00000001 (with MFA) from 192.0.2.10).',
			],
		]);
	});
});
