import {at, describeCredential, describePrincipal, duration, enableEvents, finding, lookup, modelIndex, ms, removalEvents, sameArn, succeeded, target} from '../lib.js';
import {defaultThresholds, type KeyedFinding, type LifecycleEntry, type ModelData, type Thresholds} from '../types.js';

export const id = 'mfa-device-replaced';

/**
 * For one principal, a device removed (deactivated or deleted; Identity Center DeleteMfaDeviceForUser)
 * and a device enrolled within 24 h after it, where the enrolment came from another principal, from
 * an address none of the principal's sign-ins before the removal used (when it had any), or from a
 * session without MFA. One finding per removal, naming the first such enrolment.
 */
export function detect(model: ModelData, thresholds: Thresholds = defaultThresholds): KeyedFinding[] {
	const index = modelIndex(model);
	const out: KeyedFinding[] = [];
	const seen = new Set<string>();
	for (const removal of model.lifecycle) {
		if (!removal.applied || !removalEvents.has(removal.eventName)) continue;
		const owner = target(removal);
		if (!owner) continue;
		const removedAt = ms(removal.eventTime);
		const earlier = lookup(index.signInsByPrincipal, owner, true).filter(s => succeeded(s) && ms(s.eventTime) < removedAt);
		const knownIps = new Set(earlier.map(s => s.sourceIp).filter(Boolean));
		for (const enrol of lookup(index.lifecycleByTarget, owner, true)) {
			const t = ms(enrol.eventTime);
			if (!enrol.applied || !enableEvents.has(enrol.eventName) || t < removedAt || t - removedAt > thresholds.followUpMs) continue;
			const reasons = suspicious(enrol, owner, knownIps);
			if (reasons.length === 0) continue;
			// A deactivation and its deletion are one removal: report the enrolment once.
			const key = `${owner.toLowerCase()}|${enrol.eventId}`;
			if (seen.has(key)) break;
			seen.add(key);
			out.push(
				finding({
					rule: id,
					severity: 'high',
					principal: owner,
					serialNumber: enrol.serialNumber,
					evidence: [removal, enrol],
					incident: {event: removal.eventId},
					summary:
						`MFA device ${removal.serialNumber ?? '(serial not recorded)'} of ${describePrincipal(owner)} was ${removal.eventName === 'DeactivateMFADevice' ? 'deactivated' : 'deleted'} at ${at(removal.eventTime)} by ${removal.actorArn && sameArn(removal.actorArn, owner) ? 'its owner' : describePrincipal(removal.actorArn)}` +
						`, and ${enrol.serialNumber ?? 'a device'} was enrolled ${duration(removal.eventTime, enrol.eventTime)} later (${enrol.eventName} at ${at(enrol.eventTime)}) ${reasons.join(', ')}: how an account is taken over.`,
				}),
			);
			break;
		}
	}
	return out;
}

function suspicious(enrol: LifecycleEntry, owner: string, knownIps: Set<string | null>): string[] {
	const reasons: string[] = [];
	if (enrol.actorArn && !sameArn(enrol.actorArn, owner)) reasons.push(`by another principal, ${describePrincipal(enrol.actorArn)}`);
	if (enrol.sourceIp && knownIps.size > 0 && !knownIps.has(enrol.sourceIp)) {
		reasons.push(`from ${enrol.sourceIp}, an address none of its sign-ins before the removal used`);
	}
	if (enrol.credential === 'long-term' || enrol.mfaAuthenticated === 0) reasons.push(`with ${describeCredential(enrol)}`);
	return reasons;
}
