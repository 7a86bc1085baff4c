/**
 * The stories of MFA evidence since 2024 (docs/research/mfa-2024-2026.md), in the samples'
 * accounts: a member account's root MFA removed through AssumeRoot, a passkey sign-in, an
 * Identity Center user in the new identity shape (shown by name), a device replaced by someone
 * else, and a password spray. samples/README.md lists what each should yield.
 */
import {cliCaller, consoleCaller, createVirtualMfaDevice, deactivateMfaDevice, deleteVirtualMfaDevice, enableMfaDevice, identityCenterSignIn} from './mfa.js';
import {buildRecord, cliAgent, consoleLogin, identity, virtualSerial, type TrailEvent} from './records.js';
import {Story, type StoryContext} from './story.js';

/** Centralized root access: dana's OrgAdmin session in the management account strips the member root's MFA and password. */
function assumeRootRemoval(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'assume-root');
	const member = ctx.otherAccount;
	const admin = s.role('OrgAdmin');
	const ip = '198.51.100.61';
	const t0 = s.at('2024-12-10T15:00:00Z');
	const callerKey = s.rng.iamId('ASIA');
	const caller = identity.roleSession(admin, 'dana', callerKey, t0 - 600_000, true);
	const minted = s.rng.iamId('ASIA');
	const expiration = new Date(t0 + 900_000);
	const hour12 = ((expiration.getUTCHours() + 11) % 12) + 1;
	const pad = (n: number) => String(n).padStart(2, '0');
	const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
	s.add(
		buildRecord(s.rng, {
			time: t0,
			identity: caller,
			source: 'sts.amazonaws.com',
			name: 'AssumeRoot',
			region: 'us-west-2',
			ip,
			userAgent: cliAgent('sts.assume-root'),
			request: {targetPrincipal: member, taskPolicyArn: {arn: 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials'}},
			// AssumeRoot writes its expiration in its own month-name form, a comma after the year.
			response: {
				credentials: {
					accessKeyId: minted,
					sessionToken: `IQoJb3JpZ2luX2Vj${s.rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 120)}`,
					expiration: `${months[expiration.getUTCMonth()]} ${expiration.getUTCDate()}, ${expiration.getUTCFullYear()}, ${hour12}:${pad(expiration.getUTCMinutes())}:${pad(expiration.getUTCSeconds())} ${expiration.getUTCHours() < 12 ? 'AM' : 'PM'}`,
				},
			},
			resources: [{accountId: member, type: 'AWS::IAM::Root', ARN: `arn:aws:iam::${member}:root`}],
			host: 'sts.us-west-2.amazonaws.com',
		}),
	);
	// In the member account only "root" shows, with the minted key and no MFA.
	const root = cliCaller(identity.rootSession(member, minted, t0, false), ip);
	const serial = virtualSerial(member, 'root-account-mfa-device');
	const call = (time: string, name: string, command: string, request: unknown) =>
		buildRecord(s.rng, {time: s.at(time), identity: root.identity, source: 'iam.amazonaws.com', name, ip, userAgent: cliAgent(command), request, host: 'iam.amazonaws.com'});
	s.add(call('2024-12-10T15:00:31Z', 'DeactivateMFADevice', 'iam.deactivate-mfa-device', {serialNumber: serial}));
	s.add(deleteVirtualMfaDevice(s.rng, root, s.at('2024-12-10T15:00:33Z'), serial));
	s.add(call('2024-12-10T15:00:40Z', 'DeleteLoginProfile', 'iam.delete-login-profile', {}));
	return s.events;
}

/** nina enrols a passkey (a u2f serial like any FIDO key) and signs in with it. */
function ninaPasskey(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'nina');
	const nina = s.user('nina');
	const passkey = `arn:aws:iam::${ctx.account}:u2f/user/nina/nina-passkey-${s.rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 26)}`;
	const session = s.signInWithoutMfa(nina, s.at('2024-07-15T09:00:00Z'));
	s.add(enableMfaDevice(s.rng, consoleCaller(session, nina.ip), s.at('2024-07-15T09:02:30Z'), 'nina', passkey));
	for (const day of ['2024-07-18T08:30:00Z', '2024-08-01T08:45:00Z']) {
		const mfa = s.signInWithMfa(nina, s.at(day), passkey, 'U2F MFA');
		s.browse(mfa, s.at(day), nina.ip, 2);
	}
	return s.events;
}

/** olga signs in to the access portal after Identity Center's 2025 change: her name only in additionalEventData.UserName. */
function olgaIdentityCenter(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'olga');
	const a = ctx.account;
	const who = identity.identityCenterUser(a, '9a6b3c2d-5e4f-70a1-b2c3-d4e5f6a7b8c9', 'd-9067230c03', s.rng.uuid());
	delete (who as Record<string, unknown>)['arn'];
	delete (who as Record<string, unknown>)['accessKeyId'];
	const browser = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15';
	s.add(
		...identityCenterSignIn(s.rng, who, a, 'eu-west-1', s.at('2025-09-15T07:30:00Z'), '192.0.2.71', browser, 'd-9067230c03', [
			{name: 'CredentialChallenge', credentialType: 'PASSWORD', success: true, after: 0, userName: 'olga'},
			{name: 'CredentialVerification', credentialType: 'PASSWORD', success: true, after: 6},
			{name: 'CredentialChallenge', credentialType: 'WEBAUTHN', success: true, after: 7},
			{name: 'CredentialVerification', credentialType: 'WEBAUTHN', success: true, after: 15},
			{name: 'UserAuthentication', credentialType: 'PASSWORD,WEBAUTHN', success: true, after: 15},
		]),
	);
	return s.events;
}

/** paul's phone is removed with svc-admin's stolen key and another device enrolled for him; the attacker signs in as paul. */
function paulReplaced(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'paul');
	const a = ctx.account;
	const paul = s.user('paul');
	const admin = s.user('svc-admin');
	const phone = virtualSerial(a, 'paul-phone');
	const other = virtualSerial(a, 'paul-phone2');
	let session = s.signInWithoutMfa(paul, s.at('2024-03-01T10:00:00Z'));
	s.add(createVirtualMfaDevice(s.rng, consoleCaller(session, paul.ip), s.at('2024-03-01T10:01:00Z'), a, 'paul-phone'));
	s.add(enableMfaDevice(s.rng, consoleCaller(session, paul.ip), s.at('2024-03-01T10:01:40Z'), 'paul', phone));
	session = s.signInWithMfa(paul, s.at('2024-03-04T09:00:00Z'), phone);
	s.browse(session, s.at('2024-03-04T09:00:00Z'), paul.ip, 2);
	const attacker = '185.220.101.50';
	const key = cliCaller(identity.accessKey(admin), attacker);
	s.add(deactivateMfaDevice(s.rng, key, s.at('2024-03-20T02:10:00Z'), 'paul', phone));
	s.add(deleteVirtualMfaDevice(s.rng, key, s.at('2024-03-20T02:10:05Z'), phone));
	s.add(createVirtualMfaDevice(s.rng, key, s.at('2024-03-20T02:11:00Z'), a, 'paul-phone2'));
	s.add(enableMfaDevice(s.rng, key, s.at('2024-03-20T02:11:30Z'), 'paul', other));
	s.add(
		consoleLogin(s.rng, {identity: identity.userSignIn(paul), account: a, ip: attacker, userAgent: paul.browser, time: s.at('2024-03-20T02:14:00Z'), success: true, mfaUsed: 'Yes', mfaIdentifier: other}),
	);
	return s.events;
}

/** One address tries six user names in six minutes, one of them unknown (hidden by AWS). */
function passwordSpray(ctx: StoryContext): TrailEvent[] {
	const s = new Story(ctx, 'spray');
	const a = ctx.account;
	const ip = '198.51.100.250';
	const agent = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
	const names = ['alice', 'bob', 'carol', 'grace', 'heidi', 'HIDDEN_DUE_TO_SECURITY_REASONS'];
	names.forEach((name, i) => {
		const who =
			name === 'HIDDEN_DUE_TO_SECURITY_REASONS' ? {type: 'IAMUser', accountId: a, accessKeyId: '', userName: name} : identity.userSignInStep(s.user(name));
		s.add(
			consoleLogin(s.rng, {
				identity: who,
				account: a,
				ip,
				userAgent: agent,
				time: s.at('2025-02-11T03:00:00Z') + i * 65_000,
				success: false,
				mfaUsed: 'No',
				errorMessage: name === 'HIDDEN_DUE_TO_SECURITY_REASONS' ? 'No username found in supplied account' : 'Failed authentication',
			}),
		);
	});
	return s.events;
}

export const stories2024 = [assumeRootRemoval, ninaPasskey, olgaIdentityCenter, paulReplaced, passwordSpray];

