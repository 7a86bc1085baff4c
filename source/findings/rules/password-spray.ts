import {at, duration, failed, finding, groupBy, markedRuns, ms, plural, pluralEvents, unique} from '../lib.js';
import type {KeyedFinding, ModelData, SignInEntry, Thresholds} from '../types.js';

export const id = 'password-spray';

/** The name a failed sign-in was for: the name it carries, else the last part of its principal's ARN (user name, hidden marker or IdC id). */
function userOf(s: SignInEntry): string {
	if (s.userName) return s.userName;
	const m = /\/([^/]+)$/.exec(s.principalArn);
	return m ? m[1] : s.principalArn;
}

const sprayed = (s: SignInEntry) => failed(s) && s.sourceIp && (s.kind === 'console-login' || (s.kind === 'identity-center' && s.eventName === 'CredentialChallenge'));

/**
 * Failed ConsoleLogin or Identity Center CredentialChallenge for at least `sprayUsers` distinct
 * user names from one source address within `sprayWindowMs`. Windows that overlap merge, so one
 * spray is one finding that grows with new evidence (keyed by address and first failure).
 */
export function detect(model: ModelData, thresholds: Thresholds): KeyedFinding[] {
	const out: KeyedFinding[] = [];
	for (const [ip, list] of groupBy(model.signIns.filter(sprayed), s => s.sourceIp)) {
		for (const spray of sprays(list, thresholds)) {
			const first = spray[0];
			const last = spray.at(-1)!;
			const users = unique(spray.map(userOf));
			const accounts = unique(spray.map(s => /^arn:[^:]+:[^:]*:[^:]*:(\d+):/.exec(s.principalArn)?.[1]));
			out.push(
				finding({
					rule: id,
					severity: 'medium',
					principal: null,
					serialNumber: null,
					evidence: spray,
					incident: {run: ip},
					summary: `${pluralEvents(spray, 'failed sign-in')} for ${plural(users.length, 'distinct user name')} (${users.slice(0, 10).join(', ')}${users.length > 10 ? `, and ${users.length - 10} more` : ''}) from ${ip} within ${duration(first.eventTime, last.eventTime)} (${at(first.eventTime)} to ${at(last.eventTime)})${accounts.length > 0 ? ` in account ${accounts.join(', ')}` : ''}: one address trying many users.`,
				}),
			);
		}
	}
	return out;
}

/** Maximal runs in which every failure lies in some window holding sprayUsers distinct users; overlapping windows merge. */
export function sprays(failures: SignInEntry[], {sprayUsers, sprayWindowMs}: Pick<Thresholds, 'sprayUsers' | 'sprayWindowMs'>): SignInEntry[][] {
	const need = Math.max(1, sprayUsers);
	const inSpray = failures.map(() => false);
	const counts = new Map<string, number>();
	let start = 0;
	for (let end = 0; end < failures.length; end++) {
		const user = userOf(failures[end]);
		counts.set(user, (counts.get(user) ?? 0) + 1);
		while (ms(failures[end].eventTime) - ms(failures[start].eventTime) > sprayWindowMs) {
			const u = userOf(failures[start]);
			const n = counts.get(u)! - 1;
			if (n === 0) counts.delete(u);
			else counts.set(u, n);
			start++;
		}
		if (counts.size >= need) for (let i = start; i <= end; i++) inSpray[i] = true;
	}
	return markedRuns(failures, inSpray);
}
