/**
 * The stories of the source documents (docs/research/sources.md) as CloudTrail events, plus the noise
 * around them. samples/README.md describes each story and the finding it should yield.
 * Every story draws from its own random stream, so editing one story leaves the others'
 * bytes unchanged. `shift` moves every time (the generator replays the stories in many
 * accounts at slightly different times).
 */
import {
	assumeRole,
	buildRecord,
	checkMfa,
	cliAgent,
	consoleLogin,
	identity,
	noiseCall,
	terraformAgent,
	virtualSerial,
	type TrailEvent,
} from './records.js';
import {cliCaller, consoleCaller, createVirtualMfaDevice, deactivateMfaDevice, deleteVirtualMfaDevice, enableMfaDevice, getSessionToken, identityCenterSignIn} from './mfa.js';
import {Story, type StoryContext} from './story.js';
import {stories2024} from './stories-2024.js';

export type {StoryContext};

/** The article: root adds root-account-mfa-device, then another-device, and signs in with each. */
function rootDevices(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'root-devices');
	const a = ctx.account;
	const ip = '198.51.100.10';
	const browser = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.1 Safari/605.1.15';
	const first = virtualSerial(a, 'root-account-mfa-device');
	const second = virtualSerial(a, 'another-device');
	let session = s.rootSignIn(s.at('2022-11-20T09:12:40Z'), ip, browser);
	s.add(createVirtualMfaDevice(s.rng, consoleCaller(session, ip), s.at('2022-11-20T09:14:03Z'), a, 'root-account-mfa-device'));
	s.add(enableMfaDevice(s.rng, consoleCaller(session, ip), s.at('2022-11-20T09:14:31Z'), 'AWS ROOT USER', first));
	session = s.rootSignIn(s.at('2022-11-28T08:30:12Z'), ip, browser, first);
	s.browse(session, s.at('2022-11-28T08:30:12Z'), ip, 3);
	session = s.rootSignIn(s.at('2022-12-05T10:00:05Z'), ip, browser, first);
	s.add(createVirtualMfaDevice(s.rng, consoleCaller(session, ip), s.at('2022-12-05T10:02:40Z'), a, 'another-device'));
	s.add(enableMfaDevice(s.rng, consoleCaller(session, ip), s.at('2022-12-05T10:03:15Z'), 'AWS ROOT USER', second));
	session = s.rootSignIn(s.at('2022-12-12T16:45:00Z'), ip, browser, second);
	s.browse(session, s.at('2022-12-12T16:45:00Z'), ip, 2);
	return s.events;
}

/** The article's lost device: root deactivates and deletes it, then sign-ins fail within hours. */
function rootDeviceRemoved(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'root-device-removed');
	const a = ctx.account;
	const ip = '198.51.100.10';
	const browser = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.1 Safari/605.1.15';
	const lost = virtualSerial(a, 'root-account-mfa-device');
	const session = s.rootSignIn(s.at('2023-01-09T13:58:00Z'), ip, browser, virtualSerial(a, 'another-device'));
	s.add(deactivateMfaDevice(s.rng, consoleCaller(session, ip), s.at('2023-01-09T14:02:10Z'), 'AWS ROOT USER', lost));
	s.add(deleteVirtualMfaDevice(s.rng, consoleCaller(session, ip), s.at('2023-01-09T14:02:11Z'), lost));
	for (const [time, from] of [
		['2023-01-09T17:41:27Z', '203.0.113.45'],
		['2023-01-09T17:43:02Z', '203.0.113.45'],
	] as const) {
		s.add(
			consoleLogin(s.rng, {
				identity: identity.rootSignIn(a),
				account: a,
				ip: from,
				userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/108.0.0.0 Safari/537.36',
				time: s.at(time),
				success: false,
				mfaUsed: 'No',
			}),
		);
	}
	s.rootSignIn(s.at('2023-01-10T09:05:44Z'), ip, browser, virtualSerial(a, 'another-device'));
	return s.events;
}

/** AWS-2023-001: alice, who has alice-phone, adds alice-backup with her access key alone. */
function aliceBulletin(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'alice-bulletin');
	const a = ctx.account;
	const alice = s.user('alice');
	const phone = virtualSerial(a, 'alice-phone');
	const backup = virtualSerial(a, 'alice-backup');
	let session = s.signInWithoutMfa(alice, s.at('2022-11-02T15:18:09Z'));
	s.add(createVirtualMfaDevice(s.rng, consoleCaller(session, alice.ip), s.at('2022-11-02T15:20:31Z'), a, 'alice-phone'));
	s.add(enableMfaDevice(s.rng, consoleCaller(session, alice.ip), s.at('2022-11-02T15:21:02Z'), 'alice', phone));
	for (const day of ['2022-11-03T08:55:10Z', '2022-12-01T09:10:44Z', '2023-01-10T08:47:03Z', '2023-02-13T09:01:27Z']) {
		session = s.signInWithMfa(alice, s.at(day), phone);
		s.browse(session, s.at(day), alice.ip, 2);
	}
	// 14 Feb 2023: someone holding only alice's long-term key.
	const attacker = '203.0.113.66';
	const key = cliCaller(identity.accessKey(alice), attacker);
	const denied = (time: string, source: string, name: string, region: string, action: string, resource: string) =>
		buildRecord(s.rng, {
			time: s.at(time),
			identity: key.identity,
			source,
			name,
			region,
			ip: attacker,
			userAgent: cliAgent(action.replace(':', '.')),
			errorCode: 'AccessDenied',
			errorMessage: `User: ${alice.arn} is not authorized to perform: ${action} on resource: ${resource} with an explicit deny in an identity-based policy`,
			readOnly: true,
			host: region === 'us-east-1' && source === 's3.amazonaws.com' ? 's3.amazonaws.com' : `${source.split('.')[0]}.${region}.amazonaws.com`,
		});
	s.add(denied('2023-02-14T09:58:12Z', 'secretsmanager.amazonaws.com', 'GetSecretValue', 'eu-west-1', 'secretsmanager:get-secret-value', `arn:aws:secretsmanager:eu-west-1:${a}:secret:prod/db-Xk3p9Q`));
	s.add(denied('2023-02-14T09:59:30Z', 's3.amazonaws.com', 'ListBuckets', 'us-east-1', 's3api:list-buckets', '*'));
	s.add(
		buildRecord(s.rng, {
			time: s.at('2023-02-14T10:01:05Z'),
			identity: key.identity,
			source: 'iam.amazonaws.com',
			name: 'ListMFADevices',
			ip: attacker,
			userAgent: cliAgent('iam.list-mfa-devices'),
			readOnly: true,
			host: 'iam.amazonaws.com',
		}),
	);
	s.add(createVirtualMfaDevice(s.rng, key, s.at('2023-02-14T10:02:11Z'), a, 'alice-backup'));
	s.add(enableMfaDevice(s.rng, key, s.at('2023-02-14T10:02:48Z'), 'alice', backup));
	const sessionKey = s.rng.iamId('ASIA');
	s.add(getSessionToken(s.rng, key, s.at('2023-02-14T10:03:30Z'), 'eu-west-1', backup, sessionKey));
	const mfaSession = identity.session(alice, sessionKey, s.at('2023-02-14T10:03:30Z'), true);
	s.add(
		buildRecord(s.rng, {
			time: s.at('2023-02-14T10:04:02Z'),
			identity: mfaSession,
			source: 's3.amazonaws.com',
			name: 'ListBuckets',
			ip: attacker,
			userAgent: cliAgent('s3api.list-buckets'),
			request: {Host: 's3.amazonaws.com'},
			readOnly: true,
			host: 's3.amazonaws.com',
		}),
	);
	s.add(
		buildRecord(s.rng, {
			time: s.at('2023-02-14T10:04:40Z'),
			identity: mfaSession,
			source: 'secretsmanager.amazonaws.com',
			name: 'GetSecretValue',
			region: 'eu-west-1',
			ip: attacker,
			userAgent: cliAgent('secretsmanager.get-secret-value'),
			request: {secretId: 'prod/db'},
			readOnly: true,
			resources: [{accountId: a, type: 'AWS::SecretsManager::Secret', ARN: `arn:aws:secretsmanager:eu-west-1:${a}:secret:prod/db-Xk3p9Q`}],
			host: 'secretsmanager.eu-west-1.amazonaws.com',
		}),
	);
	s.cli(mfaSession, s.at('2023-02-14T10:05:00Z'), attacker, 4, 'eu-west-1', cliAgent('ec2.describe-instances'));
	return s.events;
}

/** After the 2023-04-21 fix: erin's key can still create a device but no longer enable it. */
function erinAfterFix(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'erin-after-fix');
	const a = ctx.account;
	const erin = s.user('erin');
	const phone = virtualSerial(a, 'erin-phone');
	let session = s.signInWithoutMfa(erin, s.at('2022-11-21T10:30:00Z'));
	s.add(createVirtualMfaDevice(s.rng, consoleCaller(session, erin.ip), s.at('2022-11-21T10:31:40Z'), a, 'erin-phone'));
	s.add(enableMfaDevice(s.rng, consoleCaller(session, erin.ip), s.at('2022-11-21T10:32:15Z'), 'erin', phone));
	session = s.signInWithMfa(erin, s.at('2023-03-02T08:15:00Z'), phone);
	s.browse(session, s.at('2023-03-02T08:15:00Z'), erin.ip, 2);
	const key = cliCaller(identity.accessKey(erin), '198.51.100.23');
	s.add(createVirtualMfaDevice(s.rng, key, s.at('2023-05-10T19:22:05Z'), a, 'erin-backup'));
	s.add(
		enableMfaDevice(s.rng, key, s.at('2023-05-10T19:22:40Z'), 'erin', virtualSerial(a, 'erin-backup'), {
			errorCode: 'AccessDenied',
			errorMessage: `User: ${erin.arn} is not authorized to perform: iam:EnableMFADevice on resource: user erin with an explicit deny in an identity-based policy`,
			requestNull: true,
		}),
	);
	return s.events;
}

/** An administrator enables, later deactivates, a device for another user (frank). */
function adminManagesFrank(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'admin-frank');
	const a = ctx.account;
	const admin = s.user('ops-admin');
	const frank = s.user('frank');
	const adminDevice = virtualSerial(a, 'ops-admin');
	const phone = virtualSerial(a, 'frank-phone');
	let session = s.signInWithMfa(admin, s.at('2022-11-24T11:05:00Z'), adminDevice);
	s.add(createVirtualMfaDevice(s.rng, consoleCaller(session, admin.ip), s.at('2022-11-24T11:07:30Z'), a, 'frank-phone'));
	s.add(enableMfaDevice(s.rng, consoleCaller(session, admin.ip), s.at('2022-11-24T11:08:02Z'), 'frank', phone));
	s.browse(session, s.at('2022-11-24T11:08:02Z'), admin.ip, 2);
	const frankSession = s.signInWithMfa(frank, s.at('2022-11-25T09:12:00Z'), phone);
	s.browse(frankSession, s.at('2022-11-25T09:12:00Z'), frank.ip, 3, 'eu-west-1');
	session = s.signInWithMfa(admin, s.at('2023-03-20T15:30:00Z'), adminDevice);
	s.add(deactivateMfaDevice(s.rng, consoleCaller(session, admin.ip), s.at('2023-03-20T15:31:10Z'), 'frank', phone));
	return s.events;
}

/** Six failed console sign-ins for bob within ten minutes from one address. */
function bobBurst(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'bob-burst');
	const a = ctx.account;
	const bob = s.user('bob');
	s.cli(identity.accessKey(bob), s.at('2023-03-06T14:00:00Z'), bob.ip, 5, 'us-west-2');
	const start = s.at('2023-03-07T22:10:05Z');
	for (let i = 0; i < 6; i++) {
		s.add(
			consoleLogin(s.rng, {
				identity: identity.userSignInStep(bob),
				account: a,
				ip: '198.51.100.77',
				userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/110.0',
				time: start + i * 83_000 + s.rng.int(0, 20) * 1000,
				success: false,
				mfaUsed: 'No',
			}),
		);
	}
	return s.events;
}

/** grace signs in to the console without MFA and works there. */
function graceWithoutMfa(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'grace');
	const grace = s.user('grace');
	const session = s.signInWithoutMfa(grace, s.at('2023-01-18T07:45:33Z'));
	s.browse(session, s.at('2023-01-18T07:45:33Z'), grace.ip, 4, 'eu-west-1');
	return s.events;
}

/** heidi passes CheckMfa, then ConsoleLogin fails: a failure at the MFA step. */
function heidiMfaStep(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'heidi');
	const a = ctx.account;
	const heidi = s.user('heidi');
	const phone = virtualSerial(a, 'heidi-phone');
	let session = s.signInWithoutMfa(heidi, s.at('2022-12-01T13:00:00Z'));
	s.add(createVirtualMfaDevice(s.rng, consoleCaller(session, heidi.ip), s.at('2022-12-01T13:01:12Z'), a, 'heidi-phone'));
	s.add(enableMfaDevice(s.rng, consoleCaller(session, heidi.ip), s.at('2022-12-01T13:01:50Z'), 'heidi', phone));
	session = s.signInWithMfa(heidi, s.at('2022-12-15T09:20:00Z'), phone);
	s.browse(session, s.at('2022-12-15T09:20:00Z'), heidi.ip, 2);
	const step = {account: a, ip: '203.0.113.90', userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/111.0'};
	s.add(checkMfa(s.rng, {...step, identity: identity.userSignInStep(heidi), time: s.at('2023-04-03T08:20:05Z'), success: true, mfaType: 'Virtual MFA'}));
	s.add(consoleLogin(s.rng, {...step, identity: identity.userSignInStep(heidi), time: s.at('2023-04-03T08:20:31Z'), success: false, mfaUsed: 'Yes'}));
	return s.events;
}

/** carol's FIDO security key. */
function carolFido(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'carol');
	const a = ctx.account;
	const carol = s.user('carol');
	const key = `arn:aws:iam::${a}:u2f/user/carol/carol-yubikey-ABCDEFGHIJKLMNOPQRSTUVWXYZ`;
	const session = s.signInWithoutMfa(carol, s.at('2022-11-18T13:00:00Z'));
	s.add(enableMfaDevice(s.rng, consoleCaller(session, carol.ip), s.at('2022-11-18T13:02:41Z'), 'carol', key));
	for (const day of ['2022-12-06T10:11:00Z', '2023-02-02T08:03:00Z', '2023-06-12T16:40:00Z']) {
		const mfa = s.signInWithMfa(carol, s.at(day), key, 'U2F MFA');
		s.browse(mfa, s.at(day), carol.ip, 2, 'us-west-2');
	}
	return s.events;
}

/** dave's hardware TOTP token GAHT12345678: console and CLI sessions. */
function daveHardware(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'dave');
	const dave = s.user('dave');
	const token = 'GAHT12345678';
	const session = s.signInWithoutMfa(dave, s.at('2022-12-14T10:20:00Z'));
	s.add(enableMfaDevice(s.rng, consoleCaller(session, dave.ip), s.at('2022-12-14T10:22:19Z'), 'dave', token));
	for (const day of ['2023-01-05T08:00:00Z', '2023-03-14T12:30:00Z']) {
		const mfa = s.signInWithMfa(dave, s.at(day), token, 'Hardware MFA', false);
		s.browse(mfa, s.at(day), dave.ip, 2);
	}
	const key = cliCaller(identity.accessKey(dave), dave.ip);
	const sessionKey = s.rng.iamId('ASIA');
	s.add(getSessionToken(s.rng, key, s.at('2023-02-01T09:00:00Z'), 'us-west-2', token, sessionKey));
	s.cli(identity.session(dave, sessionKey, s.at('2023-02-01T09:00:00Z'), true), s.at('2023-02-01T09:00:00Z'), dave.ip, 4, 'us-west-2', cliAgent('ec2.describe-instances'));
	return s.events;
}

/** ivan signs in through IAM Identity Center: a wrong TOTP code, then the right one. */
function ivanIdentityCenter(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'ivan');
	const a = ctx.account;
	const who = identity.identityCenterUser(a, 'c4f8a4e2-7091-70a8-3b6e-1f0a2c9d5b71', 'd-9067230c03', s.rng.uuid());
	const browser = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/111.0.0.0 Safari/537.36';
	s.add(
		...identityCenterSignIn(s.rng, who, a, 'eu-west-1', s.at('2023-03-28T07:59:00Z'), '192.0.2.44', browser, 'd-9067230c03', [
			{name: 'CredentialChallenge', credentialType: 'PASSWORD', success: true, after: 0, userName: 'ivan'},
			{name: 'CredentialVerification', credentialType: 'PASSWORD', success: true, after: 9},
			{name: 'CredentialChallenge', credentialType: 'TOTP', success: true, after: 10},
			{name: 'CredentialVerification', credentialType: 'TOTP', success: false, after: 31},
			{name: 'CredentialChallenge', credentialType: 'TOTP', success: true, after: 32},
			{name: 'CredentialVerification', credentialType: 'TOTP', success: true, after: 58},
			{name: 'UserAuthentication', credentialType: 'PASSWORD,TOTP', success: true, after: 58},
		]),
	);
	s.add(
		...identityCenterSignIn(s.rng, who, a, 'eu-west-1', s.at('2023-05-02T08:12:00Z'), '192.0.2.44', browser, 'd-9067230c03', [
			{name: 'CredentialChallenge', credentialType: 'PASSWORD', success: true, after: 0, userName: 'ivan'},
			{name: 'CredentialVerification', credentialType: 'PASSWORD', success: true, after: 7},
			{name: 'CredentialChallenge', credentialType: 'TOTP', success: true, after: 8},
			{name: 'CredentialVerification', credentialType: 'TOTP', success: true, after: 21},
			{name: 'UserAuthentication', credentialType: 'PASSWORD,TOTP', success: true, after: 21},
		]),
	);
	return s.events;
}

/** Failed sign-ins with a user name that does not exist: AWS hides it. */
function hiddenUserNames(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'hidden');
	const a = ctx.account;
	for (const time of ['2023-03-15T03:12:44Z', '2023-03-15T03:13:20Z']) {
		s.add(
			consoleLogin(s.rng, {
				identity: {type: 'IAMUser', accountId: a, accessKeyId: '', userName: 'HIDDEN_DUE_TO_SECURITY_REASONS'},
				account: a,
				region: 'us-east-2',
				ip: '100.64.12.200',
				userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/110.0.0.0 Safari/537.36',
				time: s.at(time),
				success: false,
				mfaUsed: 'No',
				errorMessage: 'No username found in supplied account',
			}),
		);
	}
	return s.events;
}

/** judy loses her phone: an admin removes judy-phone, she enrols a new device with the same name. */
function judyReusedName(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'judy');
	const a = ctx.account;
	const judy = s.user('judy');
	const admin = s.user('ops-admin');
	const phone = virtualSerial(a, 'judy-phone');
	let session = s.signInWithoutMfa(judy, s.at('2022-12-02T09:00:00Z'));
	s.add(createVirtualMfaDevice(s.rng, consoleCaller(session, judy.ip), s.at('2022-12-02T09:01:30Z'), a, 'judy-phone'));
	s.add(enableMfaDevice(s.rng, consoleCaller(session, judy.ip), s.at('2022-12-02T09:02:05Z'), 'judy', phone));
	session = s.signInWithMfa(judy, s.at('2023-01-20T08:40:00Z'), phone);
	s.browse(session, s.at('2023-01-20T08:40:00Z'), judy.ip, 2);
	const adminSession = s.signInWithMfa(admin, s.at('2023-02-20T10:55:00Z'), virtualSerial(a, 'ops-admin'));
	s.add(deactivateMfaDevice(s.rng, consoleCaller(adminSession, admin.ip), s.at('2023-02-20T11:00:04Z'), 'judy', phone));
	s.add(deleteVirtualMfaDevice(s.rng, consoleCaller(adminSession, admin.ip), s.at('2023-02-20T11:00:05Z'), phone));
	session = s.signInWithoutMfa(judy, s.at('2023-02-20T11:20:00Z'));
	s.add(createVirtualMfaDevice(s.rng, consoleCaller(session, judy.ip), s.at('2023-02-20T11:22:10Z'), a, 'judy-phone'));
	s.add(enableMfaDevice(s.rng, consoleCaller(session, judy.ip), s.at('2023-02-20T11:22:51Z'), 'judy', phone));
	session = s.signInWithMfa(judy, s.at('2023-02-21T08:35:00Z'), phone);
	s.browse(session, s.at('2023-02-21T08:35:00Z'), judy.ip, 2);
	return s.events;
}

/** kate-iphone was enrolled before the evidence starts: it appears only in sign-ins. */
function kateSignInsOnly(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'kate');
	const kate = s.user('kate');
	const phone = virtualSerial(ctx.account, 'kate-iphone');
	for (const day of ['2023-01-11T09:30:00Z', '2023-02-08T14:10:00Z', '2023-04-19T07:55:00Z']) {
		const session = s.signInWithMfa(kate, s.at(day), phone);
		s.browse(session, s.at(day), kate.ip, 2, 'us-west-2');
	}
	return s.events;
}

/** leo mistypes the code (InvalidAuthenticationCode), succeeds, then tries again (EntityAlreadyExists). */
function leoFailedEnable(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'leo');
	const a = ctx.account;
	const leo = s.user('leo');
	const phone = virtualSerial(a, 'leo-phone');
	const session = s.signInWithoutMfa(leo, s.at('2023-04-11T14:00:00Z'));
	const by = consoleCaller(session, leo.ip);
	s.add(createVirtualMfaDevice(s.rng, by, s.at('2023-04-11T14:01:00Z'), a, 'leo-phone'));
	s.add(enableMfaDevice(s.rng, by, s.at('2023-04-11T14:02:00Z'), 'leo', phone, {errorCode: 'InvalidAuthenticationCodeException', errorMessage: 'Authentication code for device is not valid.'}));
	s.add(enableMfaDevice(s.rng, by, s.at('2023-04-11T14:03:10Z'), 'leo', phone));
	const key = cliCaller(identity.accessKey(leo), leo.ip);
	s.add(enableMfaDevice(s.rng, key, s.at('2023-04-12T09:00:00Z'), 'leo', phone, {errorCode: 'EntityAlreadyExistsException', errorMessage: 'MFA Device is already in use.'}));
	const mfa = s.signInWithMfa(leo, s.at('2023-04-13T08:30:00Z'), phone);
	s.browse(mfa, s.at('2023-04-13T08:30:00Z'), leo.ip, 2);
	return s.events;
}

/** mike leaves a half-created device behind; creating it again fails with EntityAlreadyExists. */
function mikeHalfCreated(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'mike');
	const a = ctx.account;
	const mike = s.user('mike');
	const phone = virtualSerial(a, 'mike-phone');
	let session = s.signInWithoutMfa(mike, s.at('2023-06-20T10:00:00Z'));
	s.add(createVirtualMfaDevice(s.rng, consoleCaller(session, mike.ip), s.at('2023-06-20T10:01:00Z'), a, 'mike-phone'));
	session = s.signInWithoutMfa(mike, s.at('2023-06-21T09:29:00Z'));
	const by = consoleCaller(session, mike.ip);
	s.add(createVirtualMfaDevice(s.rng, by, s.at('2023-06-21T09:30:00Z'), a, 'mike-phone', {errorCode: 'EntityAlreadyExistsException', errorMessage: 'MFADevice entity at the same path and name already exists.'}));
	s.add(deleteVirtualMfaDevice(s.rng, by, s.at('2023-06-21T09:32:00Z'), phone));
	s.add(createVirtualMfaDevice(s.rng, by, s.at('2023-06-21T09:33:00Z'), a, 'mike-phone'));
	s.add(enableMfaDevice(s.rng, by, s.at('2023-06-21T09:34:00Z'), 'mike', phone));
	return s.events;
}

/** The second account: another user named alice, and a root device seen only in sign-ins. */
function otherAccount(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'other-account');
	const b = ctx.otherAccount;
	const alice = s.user('alice', b);
	const device = virtualSerial(b, 'alice-mfa');
	let session = s.signInWithoutMfa(alice, s.at('2023-06-01T12:00:00Z'));
	s.add(createVirtualMfaDevice(s.rng, consoleCaller(session, alice.ip), s.at('2023-06-01T12:02:00Z'), b, 'alice-mfa'));
	s.add(enableMfaDevice(s.rng, consoleCaller(session, alice.ip), s.at('2023-06-01T12:02:40Z'), 'alice', device));
	session = s.signInWithMfa(alice, s.at('2023-06-05T08:10:00Z'), device);
	s.browse(session, s.at('2023-06-05T08:10:00Z'), alice.ip, 3, 'eu-central-1');
	const root = s.rootSignIn(s.at('2023-06-07T17:00:00Z'), '192.0.2.150', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/114.0', virtualSerial(b, 'root-account-mfa-device'), b);
	s.browse(root, s.at('2023-06-07T17:00:00Z'), '192.0.2.150', 2);
	const app = s.role('app-server', b);
	const sessionKey = s.rng.iamId('ASIA');
	s.add(assumeRole(s.rng, s.at('2023-06-06T00:00:12Z'), identity.service('ec2.amazonaws.com'), app, 'i-0a1b2c3d4e5f60718', sessionKey, '', '', 'eu-central-1'));
	s.cli(identity.roleSession(app, 'i-0a1b2c3d4e5f60718', sessionKey, s.at('2023-06-06T00:00:12Z')), s.at('2023-06-06T00:00:12Z'), '10.20.3.14', 8, 'eu-central-1');
	return s.events;
}

/** Ordinary activity around the stories: role sessions, service calls, CI with access keys. */
function noise(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'noise');
	const a = ctx.account;
	const app = s.role('app-server');
	const ingest = s.role('ingest-fn');
	const deploy = s.role('ci-deploy');
	const ci = s.user('ci-bot');
	const start = s.at('2022-11-01T00:00:00Z');
	for (let day = 0; day < 240; day += s.rng.int(5, 12)) {
		const t = start + day * 86_400_000 + s.rng.int(0, 86_000) * 1000;
		const region = s.rng.pick(['us-east-1', 'eu-west-1', 'us-west-2']);
		const which = s.rng.int(0, 2);
		const sessionKey = s.rng.iamId('ASIA');
		if (which === 0) {
			const name = `i-0${s.rng.chars('0123456789abcdef', 16)}`;
			s.add(assumeRole(s.rng, t, identity.service('ec2.amazonaws.com'), app, name, sessionKey, '', '', region));
			s.cli(identity.roleSession(app, name, sessionKey, t), t, `10.0.${s.rng.int(1, 9)}.${s.rng.int(2, 250)}`, 5, region);
		} else if (which === 1) {
			s.add(assumeRole(s.rng, t, identity.service('lambda.amazonaws.com'), ingest, 'ingest-fn', sessionKey, '', '', region));
			s.cli(identity.roleSession(ingest, 'ingest-fn', sessionKey, t), t, `3.${s.rng.int(80, 95)}.${s.rng.int(0, 255)}.${s.rng.int(2, 250)}`, 4, region, 'aws-sdk-nodejs/2.1321.0 linux/v18.14.0 exec-env/AWS_Lambda_nodejs18.x');
		} else {
			s.add(assumeRole(s.rng, t, identity.accessKey(ci), deploy, `gha-${s.rng.int(1000, 9999)}`, sessionKey, ci.ip, terraformAgent, region));
			s.cli(identity.roleSession(deploy, 'gha', sessionKey, t), t, ci.ip, 6, region, terraformAgent);
		}
		s.add(noiseCall(s.rng, t + 3_600_000, identity.service('cloudtrail.amazonaws.com'), 'us-east-1', 'cloudtrail.amazonaws.com', 'cloudtrail.amazonaws.com', false, a));
	}
	return s.events;
}

export const stories = [
	rootDevices,
	rootDeviceRemoved,
	aliceBulletin,
	erinAfterFix,
	adminManagesFrank,
	bobBurst,
	graceWithoutMfa,
	heidiMfaStep,
	carolFido,
	daveHardware,
	ivanIdentityCenter,
	hiddenUserNames,
	judyReusedName,
	kateSignInsOnly,
	leoFailedEnable,
	mikeHalfCreated,
	otherAccount,
	noise,
	...stories2024,
];

/** Every story's events, in time order. */
export function buildStories(ctx: StoryContext): TrailEvent[] {
	const events = stories.flatMap(story => story(ctx));
	return events.sort((x, y) => x.time - y.time);
}

export const sampleContext: StoryContext = {seed: 'mfatrail-samples', account: '123456789012', otherAccount: '210987654321', shift: 0};
