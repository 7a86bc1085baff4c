import {roleOf} from '../domain/mfa-events.js';
import {federationOf} from '../domain/sign-in-mfa.js';
import type {FactRow, SignInKind, SignInRecord} from './types.js';

/**
 * Identity Center credential types (mfa-2024-2026.md §4.3) and whether each is a second factor:
 * TOTP and WEBAUTHN are; RESYNC_TOTP is a TOTP step (resynchronising proves the device, it is not
 * a further factor); EMAIL_OTP is a one-time sign-in password, not MFA; PASSWORD is not;
 * EXTERNAL_IDP is unknown to AWS; SMARTCARD is a WorkSpaces factor only, never an IdC one.
 */
export const credentialTypes: Record<string, {mfa: boolean | null; label: string}> = {
	PASSWORD: {mfa: false, label: 'password'},
	TOTP: {mfa: true, label: 'authenticator app (TOTP)'},
	WEBAUTHN: {mfa: true, label: 'FIDO (passkey or security key)'},
	RESYNC_TOTP: {mfa: true, label: 'TOTP resync'},
	EMAIL_OTP: {mfa: false, label: 'one-time sign-in password by e-mail (not MFA)'},
	EXTERNAL_IDP: {mfa: null, label: 'external identity provider (MFA unknown to AWS)'},
	SMARTCARD: {mfa: null, label: 'smart card (WorkSpaces)'},
};

/**
 * MFAUsed of a UserAuthentication from the factors it lists ('PASSWORD,TOTP'): Yes when one is a
 * second factor for this kind of sign-in (SMARTCARD counts only for WorkSpaces), No when all are
 * known not to be, else unknown (EXTERNAL_IDP).
 */
export function mfaUsedFor(kind: SignInKind, eventName: string, credentialType: string | null | undefined): 'Yes' | 'No' | undefined {
	if (eventName !== 'UserAuthentication' || !credentialType) return undefined;
	let unknown = false;
	for (const raw of credentialType.split(',')) {
		const type = raw.trim().toUpperCase();
		if (type === 'SMARTCARD') {
			if (kind === 'workspaces') return 'Yes';
			continue;
		}
		const known = credentialTypes[type];
		if (known?.mfa) return 'Yes';
		if (!known || known.mfa === null) unknown = true;
	}
	return unknown ? undefined : 'No';
}

/** WorkSpaces Personal sign-ins log in to the WorkSpaces client (mfa-2024-2026.md §5). */
const workspacesLoginTo = /^https:\/\/clients\.amazonaws\.com\/workspaces/i;

/**
 * The kind of an IdC-named step on its own evidence: LoginTo of the WorkSpaces client, or a
 * SMARTCARD credential (only WorkSpaces writes it) make a WorkSpaces sign-in. Steps of a WorkSpaces
 * flow that carry neither are moved over by links.ts once the flow's UserAuthentication is known.
 */
function idcStepKind(row: FactRow): SignInKind {
	const {facts} = row;
	if (facts.loginTo && workspacesLoginTo.test(facts.loginTo)) return 'workspaces';
	if (facts.credentialType && /(^|,)\s*SMARTCARD\s*(,|$)/i.test(facts.credentialType)) return 'workspaces';
	return 'identity-center';
}

/**
 * How long after a successful CheckMfa a failed ConsoleLogin still counts as failing at the MFA
 * step. The two records of one sign-in are seconds apart (the user types the code right after the
 * password page); five minutes allows a slow user and a code read from another device, while a
 * later failure is a new attempt. A model fact, not a rule threshold: it decides what a sign-in was.
 */
export const mfaStepWindowMs = 5 * 60_000;

/** Which kind of sign-in attempt or MFA use the row is, if any. */
export function signInKind(row: FactRow): SignInKind | undefined {
	switch (roleOf(row.eventSource, row.eventName)) {
		case 'console-sign-in':
			return 'console-login';
		case 'mfa-check':
			return 'mfa-check';
		case 'idc-sign-in':
			return idcStepKind(row);
		case 'oauth2-sign-in':
			return 'oauth2-cli';
		case 'sts-with-serial':
			return row.facts.serialNumber ? 'sts-mfa' : undefined;
		default:
			return undefined;
	}
}

function resultOf(row: FactRow, kind: SignInKind): 'Success' | 'Failure' | null {
	if (kind === 'sts-mfa') return row.errorCode ? 'Failure' : 'Success';
	if (row.facts.result) return row.facts.result;
	if (row.errorCode || row.errorMessage) return 'Failure';
	return null;
}

function mfaUsedOf(row: FactRow, kind: SignInKind): 'Yes' | 'No' | null {
	if (kind === 'sts-mfa') return 'Yes';
	if (row.facts.mfaUsed) return row.facts.mfaUsed;
	return mfaUsedFor(kind, row.eventName ?? '', row.facts.credentialType) ?? null;
}

/** The sign-in record of a row (device and failed-at-MFA are filled in by the caller). */
export function signInRecord(row: FactRow, kind: SignInKind, principalArn: string, accountId: string | null): SignInRecord {
	const {facts} = row;
	return {
		event: row.id,
		eventId: row.eventId,
		principalArn,
		accountId,
		eventName: row.eventName ?? '',
		eventTime: row.eventTime,
		kind,
		result: resultOf(row, kind),
		mfaUsed: mfaUsedOf(row, kind),
		mfaIdentifier: (kind === 'sts-mfa' ? facts.serialNumber : facts.mfaIdentifier) ?? null,
		deviceId: null,
		mfaType: facts.mfaType ?? facts.credentialType ?? null,
		failedAtMfa: 0,
		sourceIp: row.sourceIp,
		userAgent: row.userAgent,
		errorMessage: row.errorMessage,
		loginTo: facts.loginTo ?? null,
		authWorkflowId: facts.authWorkflowId ?? null,
		userName: facts.idcUserName ?? (kind === 'console-login' ? null : row.identityUserName) ?? null,
		federation: kind === 'console-login' ? federationOf({identityType: row.identityType, principalArn, samlProviderArn: facts.samlProviderArn ?? null}) : null,
	};
}

/**
 * CheckMfa arrives after the password step and before ConsoleLogin. A CheckMfa success followed,
 * for the same principal within a few minutes and from the same address where both are known, by
 * a failed ConsoleLogin is a failure at the MFA step. Each CheckMfa explains one failure.
 */
export class MfaStepTracker {
	private readonly pending = new Map<string, {time: number; ip: string | null}>();

	record(signIn: SignInRecord): void {
		if (signIn.kind === 'mfa-check' && signIn.result === 'Success') {
			this.pending.set(signIn.principalArn, {time: Date.parse(signIn.eventTime), ip: signIn.sourceIp});
			return;
		}
		if (signIn.kind !== 'console-login') return;
		const check = this.pending.get(signIn.principalArn);
		if (!check) return;
		this.pending.delete(signIn.principalArn);
		if (signIn.result !== 'Failure') return;
		const gap = Date.parse(signIn.eventTime) - check.time;
		const sameAddress = !check.ip || !signIn.sourceIp || check.ip === signIn.sourceIp;
		if (gap >= 0 && gap <= mfaStepWindowMs && sameAddress) signIn.failedAtMfa = 1;
	}
}
