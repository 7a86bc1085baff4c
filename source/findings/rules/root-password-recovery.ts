import {at, describePrincipal, finding, groupBy, isRootArn, lookup, modelIndex, ms, runs, succeeded} from '../lib.js';
import {defaultThresholds, type KeyedFinding, type ModelData, type Thresholds} from '../types.js';

export const id = 'root-password-recovery';

/**
 * Root password recovery through the sign-in page (PasswordRecoveryRequested / Completed), or a
 * root login profile created outside an AssumeRoot session. Events of one root user within 24 h
 * are one finding; the summary says whether a root console sign-in followed within 24 h.
 */
export function detect(model: ModelData, thresholds: Thresholds = defaultThresholds): KeyedFinding[] {
	const events = model.accountEvents.filter(a => {
		const root = a.targetArn ?? a.actorArn;
		if (!isRootArn(root)) return false;
		if (a.role === 'password-recovery') return true;
		return a.eventName === 'CreateLoginProfile' && !a.errorCode && !a.actorNote;
	});
	const index = modelIndex(model);
	const out: KeyedFinding[] = [];
	for (const [root, list] of groupBy(events, a => a.targetArn ?? a.actorArn)) {
		for (const run of runs(list, thresholds.followUpMs)) {
			const last = run.at(-1)!;
			const steps = run.map(a => `${a.eventName}${a.result === 'Failure' ? ' (failed)' : ''} at ${at(a.eventTime)}${a.sourceIp ? ` from ${a.sourceIp}` : ''}`);
			const signIn = lookup(index.signInsByPrincipal, root, true).find(
				s => s.kind === 'console-login' && ms(s.eventTime) >= ms(last.eventTime) && ms(s.eventTime) - ms(last.eventTime) <= thresholds.followUpMs,
			);
			const followed = signIn
				? `; a root console sign-in followed at ${at(signIn.eventTime)}${signIn.sourceIp ? ` from ${signIn.sourceIp}` : ''} (${succeeded(signIn) ? 'successful' : 'failed'}, MFAUsed ${signIn.mfaUsed ?? 'not recorded'})`
				: '; no root console sign-in followed within 24 h in the evidence';
			const evidence: {eventId: string; eventTime: string}[] = [...run];
			if (signIn) evidence.push(signIn);
			out.push(
				finding({
					rule: id,
					severity: 'high',
					principal: root,
					serialNumber: null,
					evidence,
					incident: {run: ''},
					summary: `Password of ${describePrincipal(root)} recovered or set outside an AssumeRoot session: ${steps.join(', ')}${followed}.`,
				}),
			);
		}
	}
	return out;
}
