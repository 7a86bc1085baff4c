/**
 * The findings rules: ids (part of the interface), severities, and what a responder needs to read
 * a finding. The README section and `mfatrail findings --help` are generated from this list
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
	 * lifecycle calls it made or is the target of) or 'serial' (the calls and sign-ins naming it).
	 */
	home: 'principal' | 'serial';
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
		meaning: 'A device enabled or deactivated (EnableMFADevice, DeactivateMFADevice, Identity Center CreateMfaDeviceForUser / DeleteMfaDeviceForUser) for a user by a different principal (root, an administrator, a role session).',
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
];

export const severityRank: Record<Severity, number> = {high: 0, medium: 1, low: 2, info: 3};

export function ruleById(id: string): RuleDefinition | undefined {
	return rules.find(r => r.id === id);
}
