/**
 * The findings rules: ids (part of the interface), severities, and what a responder needs to read
 * a finding. docs/findings.md and `mfatrail findings --help` are generated from this list
 * (docs.ts), so they cannot drift apart.
 */
import * as addedWithoutMfa from './rules/mfa-added-without-mfa-session.js';
import * as deviceRemoved from './rules/mfa-device-removed.js';
import * as managedByOther from './rules/mfa-managed-by-other-principal.js';
import * as rootChange from './rules/root-mfa-change.js';
import * as loginWithoutMfa from './rules/console-login-without-mfa.js';
import * as failureBurst from './rules/console-login-failure-burst.js';
import * as failedAfterRemoval from './rules/failed-login-after-mfa-removal.js';
import * as stepFailure from './rules/mfa-step-failure.js';
import * as newDevice from './rules/new-device-first-use.js';
import * as viaAssumeRoot from './rules/root-credentials-removed-via-assume-root.js';
import * as passwordRecovery from './rules/root-password-recovery.js';
import * as deviceReplaced from './rules/mfa-device-replaced.js';
import * as removalDenied from './rules/mfa-removal-denied.js';
import * as passwordSpray from './rules/password-spray.js';
import * as signinToken from './rules/signin-token-without-mfa.js';
import * as idcSettings from './rules/idc-mfa-settings-changed.js';
import type {RuleFunction, Severity} from './types.js';

export interface RuleDefinition {
	id: string;
	severity: Severity;
	title: string;
	/** What the rule looks for, precisely. */
	meaning: string;
	whyItMatters: string;
	falsePositives: string;
	/**
	 * What a finding of the rule is a function of (source/findings/refresh.ts recomputes only the
	 * findings whose principal or serial new evidence touched): 'principal' (its sign-ins and the
	 * lifecycle calls it made or is the target of) or 'serial' (the calls and sign-ins naming it), or
	 * 'global' (spans principals: recomputed on every refresh from every failed sign-in).
	 */
	home: 'principal' | 'serial' | 'global';
	/**
	 * What the finding claims from absence (something not seen in the evidence). In a scoped
	 * extract (mfatrail scope) that claim holds only within the extract, and the finding says so.
	 */
	restsOnAbsence?: string;
	detect: RuleFunction;
}

export const rules: RuleDefinition[] = [
	{
		id: addedWithoutMfa.id,
		severity: 'high',
		title: 'MFA device added without an MFA session',
		meaning:
			'A device created or enabled (CreateVirtualMFADevice by the principal itself, EnableMFADevice, Identity Center registrations) for a principal who already had an enabled device at that moment, by a call made with long-term access keys (AKIA, no sessionContext, not from the console) or in a session whose mfaAuthenticated is false. Device evidence: an earlier applied EnableMFADevice, a console sign-in naming a device or with MFAUsed "Yes", or a successful CheckMfa, with no deactivation or deletion since. A principal\'s first device never fires. The summary says what followed within 24 h (GetSessionToken with the new serial; calls denied in the 30 days before that now succeed with mfaAuthenticated true) and whether a successful add fell in the AWS-2023-001 exploitable window (2022-11-16 to 2023-04-21) or failed (an attempt).',
		whyItMatters:
			'This is the AWS-2023-001 pattern: with access keys alone, a user (or whoever holds the keys) adds a second device and so reaches everything a policy reserves for MFA sessions. None of the public rule sets detects it.',
		falsePositives:
			'A user who legitimately adds a backup device from the CLI with plain access keys (AWS allowed it between 2022-11-16 and 2023-04-21), or an administrator\'s script enrolling devices with access keys. Identity Center registrations rarely fire: their sessions record no mfaAuthenticated. A device enabled before the evidence starts and never used in it is unknown, so the add then looks like a first device: a missed finding, not a false one.',
		home: 'principal',
		restsOnAbsence: 'that the earlier device was not removed before the add, and what did or did not follow it',
		detect: addedWithoutMfa.detect,
	},
	{
		id: deviceRemoved.id,
		severity: 'medium',
		title: 'MFA device removed',
		meaning:
			'DeactivateMFADevice or DeleteVirtualMFADevice (Identity Center: DeleteMfaDeviceForUser) of an enabled device; a deactivation and its deletion within an hour are one finding. Deleting a device that was only created, never enabled or used, does not fire.',
		whyItMatters: 'Removing MFA is the step before a password-only takeover, and attackers remove the owner\'s device to lock them out.',
		falsePositives: 'Users replacing a phone or a lost key; administrators cleaning up leavers. Read with mfa-managed-by-other-principal and what the principal did next.',
		home: 'serial',
		detect: deviceRemoved.detect,
	},
	{
		id: managedByOther.id,
		severity: 'medium',
		title: 'MFA device managed by another principal',
		meaning: 'A device enabled or deactivated (EnableMFADevice, DeactivateMFADevice), or an Identity Center registration completed, updated or deleted (Complete…MfaDeviceRegistration, UpdateMfaDeviceForUser, DeleteMfaDeviceForUser), for a user by a different principal (root, an IAM or Identity Center administrator, a role session).',
		whyItMatters: 'Someone who can set another user\'s MFA can take over that user: enable their own device on it, or strip the owner\'s.',
		falsePositives: 'Help-desk resets of lost devices, provisioning automation, the root user setting up IAM users, AssumeRoot sessions used for root credential tasks.',
		home: 'principal',
		detect: managedByOther.detect,
	},
	{
		id: rootChange.id,
		severity: 'high',
		title: 'Root user MFA change',
		meaning: 'Any MFA lifecycle call (create, enable, resync, deactivate, delete) on a root user, including failed attempts (marked as such); calls on one serial within an hour are one finding.',
		whyItMatters: 'The root user cannot be restricted by policy; its MFA is the last barrier and changes to it are rare.',
		falsePositives: 'Planned root MFA enrolment or device rotation (check the change ticket), and centralized root access tasks.',
		home: 'principal',
		detect: rootChange.detect,
	},
	{
		id: loginWithoutMfa.id,
		severity: 'medium',
		title: 'Console sign-in without MFA',
		meaning:
			'A successful ConsoleLogin with MFAUsed "No" by a root or IAM user; one finding per principal, extended as more such sign-ins arrive. Role, federated, SAML and Identity Center sessions are not reported: their MFA happens at the identity provider and CloudTrail writes "No" for them regardless.',
		whyItMatters: 'A password alone opened the console: a stolen or guessed password is enough for this principal.',
		falsePositives: 'Users not yet enrolled (break-glass or new accounts); accounts where MFA is enforced elsewhere. Federated console access is excluded, so it can neither fire nor be checked here.',
		home: 'principal',
		detect: loginWithoutMfa.detect,
	},
	{
		id: failureBurst.id,
		severity: 'medium',
		title: 'Burst of failed console sign-ins',
		meaning:
			'At least --burst-count (default 5) failed ConsoleLogin for one principal within --burst-window (default 10m); overlapping windows merge into one finding that grows with new evidence. The summary says whether a successful sign-in followed. Failures for unknown user names are grouped under the …:user/HIDDEN_DUE_TO_SECURITY_REASONS principal.',
		whyItMatters: 'Password guessing or MFA-code guessing; a success right after a burst may be the attacker getting in.',
		falsePositives: 'A user who forgot a changed password, or a broken saved password in a browser; CloudTrail does not record whether the password or the MFA code failed.',
		home: 'principal',
		restsOnAbsence: 'whether a successful sign-in followed the failures',
		detect: failureBurst.detect,
	},
	{
		id: failedAfterRemoval.id,
		severity: 'medium',
		title: 'Failed sign-ins after an MFA device was removed',
		meaning: 'Failed console sign-ins for a principal within 24 h after one of its devices was deactivated or deleted.',
		whyItMatters:
			'Someone is still presenting the removed device: the owner who was locked out by the removal (an attacker stripping their MFA), or an attacker whose device was removed. CloudTrail logs these as "Failed authentication" without saying which factor failed.',
		falsePositives: 'A user who removed their own old device and mistyped the password or used the old device out of habit.',
		home: 'principal',
		detect: failedAfterRemoval.detect,
	},
	{
		id: stepFailure.id,
		severity: 'low',
		title: 'Sign-in failed at the MFA step',
		meaning:
			'A failed ConsoleLogin within 5 minutes after a successful CheckMfa (the password was accepted), a failed ConsoleLogin with MFAUsed "Yes" (the user has MFA; CloudTrail does not say which factor failed), or an Identity Center CredentialVerification failure for a TOTP or WebAuthn credential; failures of one principal within an hour are one finding.',
		whyItMatters: 'Someone knows the password and is trying MFA codes (or a push/phishing relay failed); repeated, it is MFA-code guessing.',
		falsePositives: 'Mistyped codes, clock drift on a TOTP app, a wrong device chosen.',
		home: 'principal',
		detect: stepFailure.detect,
	},
	{
		id: newDevice.id,
		severity: 'low',
		title: 'First use of a new MFA device',
		meaning:
			'The first sign-in or STS MFA use of a device (naming its serial) enabled less than 24 h earlier; the summary says whether the source address had been used by the principal before the device was enabled.',
		whyItMatters: 'After a takeover, the attacker\'s own device is used at once, often from a new address.',
		falsePositives: 'Every legitimate enrolment followed by a sign-in fires (hence low severity); weigh the address note.',
		home: 'serial',
		restsOnAbsence: 'whether the principal had used the source address before',
		detect: newDevice.detect,
	},
	{
		id: viaAssumeRoot.id,
		severity: 'high',
		title: 'Root credentials removed or set via AssumeRoot',
		meaning:
			'A root MFA device deactivated or deleted, or the root login profile deleted or created, in an AssumeRoot session: a Root session whose ASIA key was minted by an sts:AssumeRoot call (joined across accounts on the minted key, the target account and the 900-second session), or whose record says so (sessionContext.assumedRoot, or DeactivateMFADevice / a login-profile call without userName, which only an AssumeRoot session may make). Changes within an hour are one finding. The summary names the management-account caller and the task policy, and says so when the task does not allow the change or when the AssumeRoot call is not in the evidence.',
		whyItMatters:
			'Centralized root access (November 2024) lets a management-account principal strip a member account\'s root MFA and reset its password without ever signing in as root; the member account\'s trail shows only "root". Whoever holds that caller can take over every member root.',
		falsePositives: 'Planned root credential clean-up of member accounts (the task IAMDeleteRootUserCredentials) or root password resets for recovery (IAMCreateRootUserPassword); check the caller and the change ticket.',
		home: 'principal',
		restsOnAbsence: 'that the AssumeRoot call is not in the evidence, when it says so',
		detect: viaAssumeRoot.detect,
	},
	{
		id: passwordRecovery.id,
		severity: 'high',
		title: 'Root password recovery',
		meaning:
			'Root PasswordRecoveryRequested or PasswordRecoveryCompleted (sign-in page), or a root login profile created outside an AssumeRoot session; events within 24 h are one finding. The summary says whether a root console sign-in followed within 24 h, and with or without MFA.',
		whyItMatters: 'Recovering the root password through its e-mail address is how a compromised mailbox becomes a compromised AWS account; with MFA removed or absent, the password alone opens root.',
		falsePositives: 'An owner who forgot the root password; a root password created for a standalone account on purpose.',
		home: 'principal',
		restsOnAbsence: 'whether a root sign-in followed, and that the login profile was not created in an AssumeRoot session',
		detect: passwordRecovery.detect,
	},
	{
		id: deviceReplaced.id,
		severity: 'high',
		title: 'MFA device replaced',
		meaning:
			'For one principal, a device removed (DeactivateMFADevice, DeleteVirtualMFADevice, Identity Center DeleteMfaDeviceForUser) and a device enrolled (EnableMFADevice, Identity Center registration completed) within 24 h after it, where the enrolment came from another principal, from a source address none of the principal\'s successful sign-ins before the removal used (when it had any), or from a session without MFA (mfaAuthenticated false, or long-term keys). One finding per removal.',
		whyItMatters: 'Removing the owner\'s device and enrolling one\'s own is how an account is taken over and kept: the owner is locked out and the attacker holds the second factor. No public rule set checks for it.',
		falsePositives: 'A help desk replacing a lost phone (another principal), a user enrolling a new phone after losing the old one (from a session without MFA, since the old device is gone), a user travelling.',
		home: 'principal',
		restsOnAbsence: 'that the enrolling address was not used by the principal\'s earlier sign-ins',
		detect: deviceReplaced.detect,
	},
	{
		id: removalDenied.id,
		severity: 'low',
		title: 'MFA removal denied',
		meaning:
			'A denied (an AccessDenied or *UnauthorizedOperation error code) DeactivateMFADevice, DeleteVirtualMFADevice or Identity Center DeleteMfaDeviceForUser. Denied calls log requestParameters null, so the device is not recorded; the finding names the caller and the client\'s command hint (md/command#… in the user agent). Denials of one principal within an hour are one finding.',
		whyItMatters: 'Someone tried to take MFA away and lacked the permission: often a stolen key probing what it may do (attack tools such as Grimoire and Stratus Red Team do exactly this).',
		falsePositives: 'A user trying to remove their own device without the permission, scripts run with the wrong profile.',
		home: 'principal',
		detect: removalDenied.detect,
	},
	{
		id: passwordSpray.id,
		severity: 'medium',
		title: 'Password spray',
		meaning:
			'Failed ConsoleLogin or Identity Center CredentialChallenge for at least --spray-users (default 5) distinct user names from one source address within --spray-window (default 10m); overlapping windows merge into one finding that grows with new evidence. User names AWS hides (HIDDEN_DUE_TO_SECURITY_REASONS) count as one name. The finding has no principal: it lists the user names.',
		whyItMatters: 'One address trying many users with a few common passwords evades per-user lockouts and bursts; a success among them is a compromised user.',
		falsePositives: 'A shared egress address (office NAT, VPN) on a morning when several users mistype passwords; a misconfigured SSO client.',
		home: 'global',
		detect: passwordSpray.detect,
	},
	{
		id: signinToken.id,
		severity: 'medium',
		title: 'Console sign-in token from a session without MFA',
		meaning:
			'A successful GetSigninToken (console federation: a session\'s credentials turned into a console sign-in) from a session whose mfaAuthenticated is false, or with MFAUsed "No" where the session records nothing. Identity Center permission-set sessions (AWSReservedSSO_ roles) are not reported: their MFA happens at Identity Center and CloudTrail writes false regardless. The summary says whether the user agent is AWS\'s federation endpoint (Jersey) or a tool.',
		whyItMatters: 'Tools such as aws_consoler turn stolen access keys into a console session this way, bypassing the MFA the console sign-in would have asked for.',
		falsePositives: 'Custom identity brokers that federate users into the console with GetFederationToken (their MFA happens in the broker).',
		home: 'principal',
		detect: signinToken.detect,
	},
	{
		id: idcSettings.id,
		severity: 'medium',
		title: 'Identity Center MFA settings changed',
		meaning:
			'PutMfaDeviceManagementForDirectory (on sso, sso-directory or identitystore) and any other Identity Center event whose name speaks of MFA and is neither a device event nor a read; changes by one principal within an hour are one finding.',
		whyItMatters: 'Turning off MFA enforcement, or letting users manage their own devices, weakens every Identity Center user at once.',
		falsePositives: 'Planned configuration changes by the Identity Center administrators.',
		home: 'principal',
		detect: idcSettings.detect,
	},
];

export const severityRank: Record<Severity, number> = {high: 0, medium: 1, low: 2, info: 3};

export function ruleById(id: string): RuleDefinition | undefined {
	return rules.find(r => r.id === id);
}
