/**
 * Findings over the real records in test/fixtures/realdata, pinned exactly. Each is explained: these
 * are public captures and documentation examples, so every finding must be what the record says.
 */
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {listFindings} from '../../source/findings/queries.js';
import {caseWith, repoRoot} from './helpers.js';

const realdata = path.resolve(repoRoot, 'test', 'fixtures', 'realdata');

async function pinned(folder: string) {
	const {db} = await caseWith(path.join(realdata, folder));
	try {
		return listFindings(db).map(f => [f.rule, f.principal, f.serialNumber, f.firstSeen, f.lastSeen, f.eventIds.length]);
	} finally {
		db.close();
	}
}

describe('findings over test/fixtures/realdata', () => {
	it('native/: the two Stratus Red Team console sign-ins without MFA, nothing else', async () => {
		expect(await pinned('native')).toEqual([
			// The Stratus Red Team technique aws.initial-access.console-login-without-mfa: ConsoleLogin Success,
			// MFAUsed "No" by an IAM user; once inside the invictus-ir attack simulation (account 123837392027),
			// once in stratus-red-team's own detonation log (account 562283505220).
			['console-login-without-mfa', 'arn:aws:iam::123837392027:user/stratus-red-team-nmfalu-gfjyeaypjt', null, '2023-07-10T12:23:15Z', '2023-07-10T12:23:15Z', 1],
			['console-login-without-mfa', 'arn:aws:iam::562283505220:user/stratus-red-team-nmfalu-jfzdtsvchl', null, '2024-08-02T08:53:24Z', '2024-08-02T08:53:24Z', 1],
			// Not findings, rightly: invictus bert-jan's CheckMfa then ConsoleLogin Success with mfa/Mobile (an MFA
			// sign-in); its 49 AssumeRole calls name no serialNumber; ListMFADevices is a read.
		]);
	});

	it('other/: documentation and SIEM examples', async () => {
		expect(await pinned('other')).toEqual([
			// AWS doc "Root user, MFA changed": root EnableMFADevice of root-account-mfa-device (accessKeyId
			// "EXAMPLE", so the credential kind is unknown; mfaAuthenticated "false").
			['root-mfa-change', 'arn:aws:iam::111122223333:root', 'arn:aws:iam::111122223333:mfa/root-account-mfa-device', '2022-11-10T16:24:34Z', '2022-11-10T16:24:34Z', 1],
			// Panther rule-test logs: successful ConsoleLogin with MFAUsed "No" by IAM user tester in two
			// accounts and by root. Panther reuses placeholder eventIDs ("1"), so several sign-ins share one
			// eventID: the summary counts the sign-ins (4 for tester), eventIds the distinct eventIDs (2).
			['console-login-without-mfa', 'arn:aws:iam::123456789012:user/tester', null, '2019-01-01T00:00:00Z', '2023-05-26T20:14:51Z', 2],
			['console-login-without-mfa', 'arn:aws:iam::123456789013:user/tester', null, '2019-01-01T00:00:00Z', '2019-01-01T00:00:00Z', 1],
			['console-login-without-mfa', 'arn:aws:iam::123456789012:root', null, '2019-01-01T00:00:00Z', '2019-01-01T00:00:00Z', 1],
			// Panther rule-test log of an AWS documentation example: Mary_Major signs in, MFAUsed "No".
			['console-login-without-mfa', 'arn:aws:iam::123456789012:user/Mary_Major', null, '2019-06-10T17:14:09Z', '2019-06-10T17:14:09Z', 1],
			// Panther root-login tests: eight root sign-ins without MFA from four addresses, all eventID "1".
			['console-login-without-mfa', 'arn:aws:iam::493859302102:root', null, '2020-10-15T06:00:00Z', '2020-11-01T08:29:10Z', 1],
			// AWS CloudTrail user guide sign-in examples: IAM user anaya and root, success, MFAUsed "No".
			['console-login-without-mfa', 'arn:aws:iam::111122223333:user/anaya', null, '2022-11-10T16:24:34Z', '2022-11-10T16:24:34Z', 1],
			['console-login-without-mfa', 'arn:aws:iam::111122223333:root', null, '2022-11-10T16:24:34Z', '2022-11-10T16:24:34Z', 1],
			// Azure Sentinel AWSCloudTrail rows (real 2025 sign-ins): MFAUsed "No" for two IAM users.
			['console-login-without-mfa', 'arn:aws:iam::072643944673:user/AWSTCSuser', null, '2025-03-08T01:47:32Z', '2025-03-08T01:47:32Z', 1],
			['console-login-without-mfa', 'arn:aws:iam::072643944673:user/CATTeamIDC', null, '2025-03-20T12:58:04Z', '2025-04-21T09:45:54Z', 3],
			// Failed ConsoleLogin with MFAUsed "Yes" (Panther tester, the AWS doc's anaya failure, two Sentinel
			// rows 22 s apart): the user has MFA and the sign-in failed; the summary says CloudTrail cannot tell
			// which factor failed.
			['mfa-step-failure', 'arn:aws:iam::123456789012:user/tester', null, '2019-01-01T00:00:00Z', '2019-01-01T00:00:00Z', 1],
			['mfa-step-failure', 'arn:aws:iam::111122223333:user/anaya', null, '2022-11-10T16:24:34Z', '2022-11-10T16:24:34Z', 1],
			['mfa-step-failure', 'arn:aws:iam::072643944673:user/sharmamanis', null, '2025-03-29T11:10:09Z', '2025-03-29T11:10:31Z', 2],
			// Not findings, rightly: Identity Center CredentialVerification examples succeed; role/SSO sessions
			// signing in with MFAUsed "No" are excluded (MFA at the identity provider).
		]);
	});

	it('catalog/: the denied DeactivateMFADevice of TrailDiscover, nothing else', async () => {
		expect(await pinned('catalog')).toEqual([
			// TrailDiscover's IAM/DeactivateMFADevice record: a Grimoire run's long-term key is denied
			// (AccessDenied, requestParameters null, user agent md/command#iam.deactivate-mfa-device).
			['mfa-removal-denied', 'arn:aws:iam::111111111111:user/TrailDiscover', null, '2024-08-18T12:25:00Z', '2024-08-18T12:25:00Z', 1],
			// Not findings, rightly: GetSigninToken comes from an Identity Center permission-set session
			// (AWSReservedSSO_, Jersey user agent: the portal's own federation); GetSessionToken names the
			// placeholder serial 'YourMFADeviceSerialNumber' and is denied; the login-profile calls are
			// IAM-user calls, denied.
		]);
	});
});
