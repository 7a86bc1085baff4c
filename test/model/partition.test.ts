/**
 * Partition-correct ARNs (issue 20): an Identity Center user in GovCloud or China gets an
 * identitystore ARN of that partition, from its identity store's ARN or, failing that, the region;
 * an IAM user without an arn in its record (a failed sign-in) likewise. The records are the AWS
 * documentation's CredentialVerification and ConsoleLogin examples (cloudtrail-mfa.md §1.6, §1.5)
 * moved to other partitions.
 */
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {caseWith, tempDir} from '../findings/helpers.js';

function credentialVerification(region: string, identityStoreArn: string | undefined, eventID: string) {
	return {
		eventVersion: '1.08',
		userIdentity: {
			type: 'IdentityCenterUser',
			arn: '',
			accountId: '111122223333',
			accessKeyId: '',
			...(identityStoreArn ? {onBehalfOf: {userId: '94d00cd8-e9e6-4810-b177-b08e84725435', identityStoreArn}} : {onBehalfOf: {userId: '94d00cd8-e9e6-4810-b177-b08e84725435'}}),
			credentialId: '8f761cae-883d-4a3d-af67-3abf46488f71',
		},
		eventTime: '2020-12-08T20:40:27Z',
		eventSource: 'signin.amazonaws.com',
		eventName: 'CredentialVerification',
		awsRegion: region,
		sourceIPAddress: '203.0.113.0',
		requestParameters: null,
		responseElements: null,
		additionalEventData: {AuthWorkflowID: '303486b5-fce1-4d59-ba1d-eb3acb790729', CredentialType: 'TOTP'},
		eventID,
		eventType: 'AwsServiceEvent',
		managementEvent: true,
		eventCategory: 'Management',
		recipientAccountId: '111122223333',
		serviceEventDetails: {CredentialVerification: 'Success'},
	};
}

const failedIamSignIn = (region: string, eventID: string) => ({
	eventVersion: '1.08',
	userIdentity: {type: 'IAMUser', principalId: 'AIDACKCEVSQ6C2EXAMPLE', accountId: '444455556666', accessKeyId: '', userName: 'alice'},
	eventTime: '2020-12-08T21:00:00Z',
	eventSource: 'signin.amazonaws.com',
	eventName: 'ConsoleLogin',
	awsRegion: region,
	sourceIPAddress: '203.0.113.1',
	requestParameters: null,
	responseElements: {ConsoleLogin: 'Failure'},
	additionalEventData: {MobileVersion: 'No', MFAUsed: 'No'},
	errorMessage: 'Failed authentication',
	eventID,
	eventType: 'AwsConsoleSignIn',
	recipientAccountId: '444455556666',
});

async function principalsOf(records: unknown[]): Promise<string[]> {
	const file = path.join(tempDir(), 'records.json');
	fs.writeFileSync(file, JSON.stringify({Records: records}));
	const {db} = await caseWith(file);
	try {
		return db.prepare('SELECT arn FROM principal ORDER BY arn').pluck().all() as string[];
	} finally {
		db.close();
	}
}

describe('partition-correct ARNs', () => {
	it('a GovCloud Identity Center user gets an arn:aws-us-gov: ARN, from its identity store', async () => {
		expect(await principalsOf([credentialVerification('us-gov-west-1', 'arn:aws-us-gov:identitystore::111122223333:identitystore/d-1234567890', 'p-1')])).toEqual([
			'arn:aws-us-gov:identitystore::111122223333:user/94d00cd8-e9e6-4810-b177-b08e84725435',
		]);
	});

	it('a China Identity Center user without an identity store ARN gets arn:aws-cn: from the region', async () => {
		expect(await principalsOf([credentialVerification('cn-north-1', undefined, 'p-2')])).toEqual([
			'arn:aws-cn:identitystore::111122223333:user/94d00cd8-e9e6-4810-b177-b08e84725435',
		]);
	});

	it('a commercial one stays arn:aws:, and an IAM user with no arn in the record gets its partition from the region', async () => {
		expect(
			await principalsOf([
				credentialVerification('us-east-1', 'arn:aws:identitystore::111122223333:identitystore/d-1234567890', 'p-3'),
				failedIamSignIn('us-gov-east-1', 'p-4'),
			]),
		).toEqual(['arn:aws-us-gov:iam::444455556666:user/alice', 'arn:aws:identitystore::111122223333:user/94d00cd8-e9e6-4810-b177-b08e84725435']);
	});
});
