import {at, describeCredential, describePrincipal, finding, groupBy, lookup, modelIndex, ms, removalEvents, runs, sameArn, target} from '../lib.js';
import {defaultThresholds, type KeyedFinding, type ModelData, type Thresholds} from '../types.js';

export const id = 'mfa-device-removed';

/**
 * DeactivateMFADevice / DeleteVirtualMFADevice (Identity Center: DeleteMfaDeviceForUser) of an
 * enabled device. A deactivation and the deletion that follows it within an hour are one finding.
 * A deletion alone counts only when the device is known to have been enabled or used: deleting a
 * half-created virtual device (created, never enabled) takes nothing away.
 */
export function detect(model: ModelData, thresholds: Thresholds = defaultThresholds): KeyedFinding[] {
	const removals = model.lifecycle.filter(e => e.applied && removalEvents.has(e.eventName) && e.serialNumber);
	const index = modelIndex(model);
	const out: KeyedFinding[] = [];
	for (const [serial, entries] of groupBy(removals, e => e.serialNumber)) {
		for (const run of runs(entries, thresholds.runGapMs)) {
			const first = run[0];
			const wasEnabled =
				run.some(e => e.eventName !== 'DeleteVirtualMFADevice') ||
				lookup(index.lifecycleBySerial, serial).some(e => e.applied && e.eventName === 'EnableMFADevice' && ms(e.eventTime) < ms(first.eventTime)) ||
				lookup(index.signInsBySerial, serial).some(s => ms(s.eventTime) < ms(first.eventTime));
			if (!wasEnabled) continue;
			const owner = run.map(target).find(Boolean) ?? null;
			const steps = run.map(e => `${e.eventName === 'DeactivateMFADevice' ? 'deactivated' : 'deleted'} at ${at(e.eventTime)}`);
			const actor = first.actorArn;
			const by = actor && !sameArn(actor, owner) ? ` by ${describePrincipal(actor)}` : actor ? ' by its owner' : '';
			const from = first.sourceIp ? ` from ${first.sourceIp}` : '';
			out.push(
				finding({
					rule: id,
					severity: 'medium',
					principal: owner,
					serialNumber: serial,
					evidence: run,
					incident: {run: ''},
					summary: `MFA device ${serial} of ${describePrincipal(owner)} was ${steps.join(' and ')}${by} with ${describeCredential(first)}${from}; the principal can no longer sign in with it.`,
				}),
			);
		}
	}
	return out;
}
