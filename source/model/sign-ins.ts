import type {FactRow, SignInKind, SignInRecord} from './types.js';

const identityCenterSteps = new Set(['CredentialChallenge', 'CredentialVerification', 'UserAuthentication']);
/** Identity Center credential types that are a second factor. */
const mfaCredentialTypes = new Set(['TOTP', 'WEBAUTHN', 'SMARTCARD', 'EMAIL_OTP', 'SMS']);

/** How long after a successful CheckMfa a failed ConsoleLogin still counts as failing at the MFA step. */
export const mfaStepWindowMs = 5 * 60_000;

/** Which kind of sign-in attempt or MFA use the row is, if any. */
export function signInKind(row: FactRow): SignInKind | undefined {
	const name = row.eventName ?? '';
	if (row.eventSource === 'signin.amazonaws.com') {
		if (name === 'ConsoleLogin') return 'console-login';
		if (name === 'CheckMfa') return 'mfa-check';
		if (identityCenterSteps.has(name)) return 'identity-center';
		return undefined;
	}
	if ((name === 'GetSessionToken' || name === 'AssumeRole') && row.facts.serialNumber) return 'sts-mfa';
	return undefined;
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
	if (kind === 'identity-center' && row.eventName === 'UserAuthentication' && row.facts.credentialType) {
		return row.facts.credentialType.split(',').some(t => mfaCredentialTypes.has(t.trim().toUpperCase())) ? 'Yes' : 'No';
	}
	return null;
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
