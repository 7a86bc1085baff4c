import {at, describePrincipal, duration, failed, finding, groupBy, lookup, modelIndex, ms, pluralEvents, removalEvents, runs, target, unique} from '../lib.js';
import {defaultThresholds, type KeyedFinding, type ModelData, type Thresholds} from '../types.js';

export const id = 'failed-login-after-mfa-removal';

/**
 * Failed console sign-ins for a principal within 24 h after one of its devices was deactivated or
 * deleted: someone still presenting the removed device (the owner who was not told, or an attacker
 * who removed it) gets "Failed authentication".
 */
export function detect(model: ModelData, thresholds: Thresholds = defaultThresholds): KeyedFinding[] {
	const removals = model.lifecycle.filter(e => e.applied && removalEvents.has(e.eventName) && target(e));
	const index = modelIndex(model);
	const out: KeyedFinding[] = [];
	for (const [, entries] of groupBy(removals, e => `${target(e)}|${e.serialNumber ?? ''}`)) {
		for (const run of runs(entries, thresholds.runGapMs)) {
			const principal = target(run[0])!;
			const start = ms(run[0].eventTime);
			const end = ms(run.at(-1)!.eventTime) + thresholds.followUpMs;
			const after = lookup(index.signInsByPrincipal, principal, true).filter(
				s => s.kind === 'console-login' && failed(s) && ms(s.eventTime) >= start && ms(s.eventTime) <= end,
			);
			if (after.length === 0) continue;
			const serial = run[0].serialNumber;
			const removed = run.map(e => `${e.eventName === 'DeactivateMFADevice' ? 'deactivated' : 'deleted'} at ${at(e.eventTime)}`).join(' and ');
			const messages = unique(after.map(s => s.errorMessage));
			const ips = unique(after.map(s => s.sourceIp));
			out.push(
				finding({
					rule: id,
					severity: 'medium',
					principal,
					serialNumber: serial,
					evidence: [...run, ...after],
					incident: {run: ''},
					summary:
						`${pluralEvents(after, 'failed console sign-in')} for ${describePrincipal(principal)} ` +
						`(first ${duration(run[0].eventTime, after[0].eventTime)} after the removal, at ${at(after[0].eventTime)}` +
						`${ips.length > 0 ? `, from ${ips.slice(0, 5).join(', ')}` : ''}${messages.length > 0 ? `, "${messages.slice(0, 3).join('", "')}"` : ''}) ` +
						`after MFA device ${serial ?? '(serial not recorded)'} was ${removed}. ` +
						`CloudTrail does not record whether the password or the MFA code failed; a sign-in still presenting the removed device fails this way.`,
				}),
			);
		}
	}
	return out;
}
