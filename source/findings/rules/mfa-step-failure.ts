import {mfaStepWindowMs} from '../../model/sign-ins.js';
import {at, describePrincipal, failed, finding, groupBy, ms, pluralEvents, runs, succeeded} from '../lib.js';
import {defaultThresholds, type KeyedFinding, type ModelData, type SignInEntry, type Thresholds} from '../types.js';

export const id = 'mfa-step-failure';

/** Identity Center credential types that are a second factor. */
const mfaCredentialTypes = /TOTP|WEBAUTHN/i;

interface StepFailure {
	eventId: string;
	eventTime: string;
	signIn: SignInEntry;
	checkMfa?: SignInEntry;
	how: 'after-check-mfa' | 'mfa-used' | 'identity-center';
}

/**
 * Sign-ins that failed at the MFA step: a failed ConsoleLogin right after a successful CheckMfa
 * (the model marks it failed-at-MFA); a failed ConsoleLogin with MFAUsed "Yes" (the user has
 * MFA; CloudTrail does not say which step failed); an Identity Center CredentialVerification
 * failure for a TOTP or WebAuthn credential. Failures of one principal within an hour of each
 * other are one finding.
 */
export function detect(model: ModelData, thresholds: Thresholds = defaultThresholds): KeyedFinding[] {
	const steps: StepFailure[] = [];
	const checks = groupBy(
		model.signIns.filter(s => s.kind === 'mfa-check' && succeeded(s)),
		s => s.principalArn,
	);
	for (const s of model.signIns) {
		if (!failed(s)) continue;
		if (s.eventName === 'ConsoleLogin') {
			if (s.failedAtMfa) {
				// The model paired it with a CheckMfa (source/model/sign-ins.ts); name that CheckMfa as evidence.
				const checkMfa = checks
					.get(s.principalArn)
					?.findLast(c => ms(c.eventTime) <= ms(s.eventTime) && ms(s.eventTime) - ms(c.eventTime) <= mfaStepWindowMs);
				steps.push({eventId: s.eventId, eventTime: s.eventTime, signIn: s, checkMfa, how: 'after-check-mfa'});
			}
			else if (s.mfaUsed === 'Yes') steps.push({eventId: s.eventId, eventTime: s.eventTime, signIn: s, how: 'mfa-used'});
		} else if (s.eventName === 'CredentialVerification' && s.mfaType && mfaCredentialTypes.test(s.mfaType)) {
			steps.push({eventId: s.eventId, eventTime: s.eventTime, signIn: s, how: 'identity-center'});
		}
	}
	const out: KeyedFinding[] = [];
	for (const [principal, list] of groupBy(steps, f => f.signIn.principalArn)) {
		for (const run of runs(list, thresholds.runGapMs)) {
			const evidence = run.flatMap(f => (f.checkMfa ? [f.checkMfa, f.signIn] : [f.signIn]));
			const parts: string[] = [];
			const afterCheck = run.filter(f => f.how === 'after-check-mfa');
			const mfaUsed = run.filter(f => f.how === 'mfa-used');
			const identityCenter = run.filter(f => f.how === 'identity-center');
			if (afterCheck.length > 0) {
				parts.push(`${pluralEvents(afterCheck, 'failed ConsoleLogin')} right after a successful CheckMfa (the password was accepted, so the MFA step failed)`);
			}
			if (mfaUsed.length > 0) {
				parts.push(`${pluralEvents(mfaUsed, 'failed ConsoleLogin')} with MFAUsed "Yes" (CloudTrail does not record whether the password or the MFA code was wrong)`);
			}
			if (identityCenter.length > 0) {
				const types = [...new Set(identityCenter.map(f => f.signIn.mfaType))].join(', ');
				parts.push(`${pluralEvents(identityCenter, 'failed Identity Center CredentialVerification')} for ${types}`);
			}
			const ips = [...new Set(run.map(f => f.signIn.sourceIp).filter(Boolean))];
			const span = run.length === 1 ? `at ${at(run[0].eventTime)}` : `between ${at(run[0].eventTime)} and ${at(run.at(-1)!.eventTime)}`;
			const serials = [...new Set(run.map(f => f.signIn.mfaIdentifier).filter(Boolean))];
			out.push(
				finding({
					rule: id,
					severity: 'low',
					principal,
					serialNumber: serials.length === 1 ? serials[0] : null,
					evidence,
					incident: {run: ''},
					summary: `MFA step failure for ${describePrincipal(principal)} ${span}${ips.length > 0 ? ` from ${ips.slice(0, 5).join(', ')}` : ''}: ${parts.join('; ')}.`,
				}),
			);
		}
	}
	return out;
}
