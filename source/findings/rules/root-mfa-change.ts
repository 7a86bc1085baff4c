import {at, changeEvents, describeCredential, describePrincipal, finding, groupBy, isRootArn, runs, sameArn, target} from '../lib.js';
import {defaultThresholds, type KeyedFinding, type ModelData, type Thresholds} from '../types.js';

export const id = 'root-mfa-change';

/**
 * Any MFA lifecycle call on a root user. The root user rarely changes its MFA, so every change
 * deserves a second look; failed attempts are included and said to have failed. Calls on one
 * serial within an hour of each other (create then enable, deactivate then delete) are one finding.
 */
export function detect(model: ModelData, thresholds: Thresholds = defaultThresholds): KeyedFinding[] {
	const calls = model.lifecycle.filter(e => changeEvents.has(e.eventName) && isRootArn(target(e)));
	const out: KeyedFinding[] = [];
	for (const [, entries] of groupBy(calls, e => `${target(e)}|${e.serialNumber ?? ''}`)) {
		for (const run of runs(entries, thresholds.runGapMs)) {
			const first = run[0];
			const root = target(first)!;
			const steps = run.map(e => `${e.eventName} at ${at(e.eventTime)}${e.applied ? '' : ` (failed: ${e.errorCode ?? 'not applied'})`}`);
			const actors = [...new Set(run.map(e => e.actorArn).filter(a => a && !sameArn(a, root)))];
			const by = actors.length > 0 ? ` by ${actors.map(a => describePrincipal(a)).join(', ')}` : '';
			const device = first.serialNumber ? `device ${first.serialNumber}` : 'an unnamed device';
			const from = first.sourceIp ? ` from ${first.sourceIp}` : '';
			const anyApplied = run.some(e => e.applied);
			out.push(
				finding({
					rule: id,
					severity: 'high',
					principal: root,
					serialNumber: first.serialNumber,
					evidence: run,
					incident: {run: ''},
					summary: `MFA ${anyApplied ? 'change' : 'change attempt'} on ${describePrincipal(root)}: ${device} ${steps.join(', ')}${by}, with ${describeCredential(first)}${from}.`,
				}),
			);
		}
	}
	return out;
}
