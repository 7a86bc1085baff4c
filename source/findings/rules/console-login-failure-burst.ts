import {at, describePrincipal, duration, failed, finding, groupBy, lookup, markedRuns, modelIndex, ms, pluralEvents, succeeded, unique} from '../lib.js';
import type {KeyedFinding, ModelData, SignInEntry, Thresholds} from '../types.js';

export const id = 'console-login-failure-burst';

/**
 * At least `burstCount` failed ConsoleLogin for one principal within `burstWindowMs`. Overlapping
 * and touching windows merge into one burst, so a long attack is one finding that grows as more
 * evidence is imported (its key is the burst's first failure).
 */
export function detect(model: ModelData, thresholds: Thresholds): KeyedFinding[] {
	const failures = model.signIns.filter(s => s.kind === 'console-login' && failed(s));
	const index = modelIndex(model);
	const out: KeyedFinding[] = [];
	for (const [principal, list] of groupBy(failures, s => s.principalArn)) {
		for (const burst of bursts(list, thresholds)) {
			const first = burst[0];
			const last = burst.at(-1)!;
			const ips = unique(burst.map(s => s.sourceIp));
			const from = ips.length > 0 ? ` from ${ips.slice(0, 5).join(', ')}${ips.length > 5 ? ` and ${ips.length - 5} more addresses` : ''}` : '';
			const after = lookup(index.signInsByPrincipal, principal, true).find(
				s =>
					s.kind === 'console-login' &&
					succeeded(s) &&
					ms(s.eventTime) >= ms(last.eventTime) &&
					ms(s.eventTime) - ms(last.eventTime) <= thresholds.burstWindowMs,
			);
			const followed = after
				? `; a successful sign-in followed at ${at(after.eventTime)} (MFAUsed ${after.mfaUsed ?? 'not recorded'})`
				: '; no successful sign-in followed within the window';
			const evidence = after ? [...burst, after] : burst;
			out.push(
				finding({
					rule: id,
					severity: 'medium',
					principal,
					serialNumber: null,
					evidence,
					incident: {run: ''},
					summary: `${pluralEvents(burst, 'failed console sign-in')} for ${describePrincipal(principal)} within ${duration(first.eventTime, last.eventTime)} (${at(first.eventTime)} to ${at(last.eventTime)})${from}${followed}. CloudTrail does not record whether the password or the MFA code was wrong.`,
				}),
			);
		}
	}
	return out;
}

/** Maximal bursts: every failure inside some window holding burstCount failures, merged when windows overlap or touch. */
export function bursts(failures: SignInEntry[], {burstCount, burstWindowMs}: Pick<Thresholds, 'burstCount' | 'burstWindowMs'>): SignInEntry[][] {
	const count = Math.max(1, burstCount);
	const inBurst: boolean[] = Array.from({length: failures.length}, () => false);
	for (let i = 0; i + count - 1 < failures.length; i++) {
		if (ms(failures[i + count - 1].eventTime) - ms(failures[i].eventTime) <= burstWindowMs) {
			for (let j = i; j < i + count; j++) inBurst[j] = true;
		}
	}
	return markedRuns(failures, inBurst);
}
