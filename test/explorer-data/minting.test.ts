/**
 * The minting join (issue 20): the call that minted a session's key is found by the minted key
 * itself, in any account, from an index: a GetSessionToken among 10,000 later STS calls of the
 * same account (the old lookup read only the newest 2,000 of 36 h), and an AssumeRoot recorded in
 * the management account for a root session in a member account. Records follow the shapes of
 * AWS's documentation (cloudtrail-mfa.md §1.7, mfa-2024-2026.md §3.1 and §3.2).
 */
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {keyView} from '../../source/db/pivots.js';
import {caseWith, tempDir} from '../findings/helpers.js';

const account = '111122223333';
const alice = `arn:aws:iam::${account}:user/alice`;
const t0 = Date.parse('2024-11-04T08:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

function getSessionToken(n: number, user: string, time: number, mintedKey: string, serial?: string) {
	return {
		eventVersion: '1.08',
		userIdentity: {type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: `arn:aws:iam::${account}:user/${user}`, accountId: account, accessKeyId: 'AKIAIOSFODNN7EXAMPLE', userName: user},
		eventTime: iso(time),
		eventSource: 'sts.amazonaws.com',
		eventName: 'GetSessionToken',
		awsRegion: 'eu-west-1',
		sourceIPAddress: '198.51.100.7',
		userAgent: 'aws-cli/2.15.0',
		requestParameters: {durationSeconds: 129600, ...(serial ? {serialNumber: serial} : {})},
		responseElements: {credentials: {accessKeyId: mintedKey, sessionToken: 'x', expiration: 'Nov 5, 2024, 8:00:00 PM'}},
		eventID: uuid(n),
		eventType: 'AwsApiCall',
		recipientAccountId: account,
	};
}

function writeRecords(records: unknown[]): string {
	const file = path.join(tempDir(), 'records.json');
	fs.writeFileSync(file, JSON.stringify({Records: records}));
	return file;
}

describe('the minting join', () => {
	it('finds a GetSessionToken among 10,000 other STS calls, and an AssumeRoot in another account', async () => {
		const records: unknown[] = [getSessionToken(1, 'alice', t0, 'ASIATARGETSESSION001', `arn:aws:iam::${account}:mfa/alice-phone`)];
		// 10,000 other sessions minted after it, all before alice's first call with her key.
		for (let i = 0; i < 10_000; i++) records.push(getSessionToken(100 + i, 'build-bot', t0 + 60_000 + i * 3_000, `ASIABOT${String(i).padStart(13, '0')}`));
		records.push({
			eventVersion: '1.08',
			userIdentity: {
				type: 'IAMUser',
				principalId: 'AIDAEXAMPLE',
				arn: alice,
				accountId: account,
				accessKeyId: 'ASIATARGETSESSION001',
				userName: 'alice',
				sessionContext: {attributes: {creationDate: iso(t0), mfaAuthenticated: 'true'}},
			},
			eventTime: iso(t0 + 12 * 3_600_000),
			eventSource: 's3.amazonaws.com',
			eventName: 'ListBuckets',
			awsRegion: 'eu-west-1',
			sourceIPAddress: '198.51.100.7',
			requestParameters: null,
			responseElements: null,
			eventID: uuid(2),
			eventType: 'AwsApiCall',
			recipientAccountId: account,
		});
		// AssumeRoot in the management account 999988887777 (mfa-2024-2026.md §3.1), the root session in member 222233334444 (§3.2).
		records.push({
			eventVersion: '1.08',
			userIdentity: {
				type: 'AssumedRole',
				arn: 'arn:aws:sts::999988887777:assumed-role/JohnDoe/JohnRole1',
				accountId: '999988887777',
				accessKeyId: 'ASIACALLERKEY0000001',
				sessionContext: {sessionIssuer: {type: 'Role', arn: 'arn:aws:iam::999988887777:role/JohnDoe'}, attributes: {creationDate: '2024-10-25T20:45:28Z', mfaAuthenticated: 'false'}},
			},
			eventTime: '2024-10-25T20:52:11Z',
			eventSource: 'sts.amazonaws.com',
			eventName: 'AssumeRoot',
			awsRegion: 'us-west-2',
			sourceIPAddress: '203.0.113.9',
			requestParameters: {targetPrincipal: '222233334444', taskPolicyArn: {arn: 'arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy'}},
			responseElements: {credentials: {accessKeyId: 'ASIAROOTSESSION00001', sessionToken: 'x', expiration: 'Oct 25, 2024, 9:07:11 PM'}},
			eventID: uuid(3),
			eventType: 'AwsApiCall',
			recipientAccountId: '999988887777',
		});
		records.push({
			eventVersion: '1.10',
			userIdentity: {
				type: 'Root',
				principalId: '222233334444',
				arn: 'arn:aws:iam::222233334444:root',
				accountId: '222233334444',
				accessKeyId: 'ASIAROOTSESSION00001',
				sessionContext: {attributes: {creationDate: '2024-10-25T20:52:11Z', mfaAuthenticated: 'false'}},
			},
			eventTime: '2024-10-25T20:53:47Z',
			eventSource: 's3.amazonaws.com',
			eventName: 'DeleteBucketPolicy',
			awsRegion: 'us-west-2',
			sourceIPAddress: '203.0.113.9',
			requestParameters: {bucketName: 'locked-bucket'},
			responseElements: null,
			eventID: uuid(4),
			eventType: 'AwsApiCall',
			recipientAccountId: '222233334444',
		});
		const {db} = await caseWith(writeRecords(records));
		try {
			expect(db.prepare('SELECT count(*) FROM event').pluck().get()).toBe(10_004);
			expect(keyView(db, 'ASIATARGETSESSION001')!.minted).toMatchObject({
				how: 'GetSessionToken',
				eventId: uuid(1),
				by: alice,
				mfaSerial: `arn:aws:iam::${account}:mfa/alice-phone`,
				basis: 'minting call GetSessionToken in the evidence',
			});
			expect(keyView(db, 'ASIAROOTSESSION00001')!.minted).toMatchObject({
				how: 'AssumeRoot',
				eventId: uuid(3),
				by: 'arn:aws:sts::999988887777:assumed-role/JohnDoe/JohnRole1',
				byAccessKeyId: 'ASIACALLERKEY0000001',
			});
		} finally {
			db.close();
		}
	}, 120_000);
});
