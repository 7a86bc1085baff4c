import {at, describePrincipal, duration, enableEvents, failed, finding, lookup, modelIndex, ms, removalEvents, target} from '../lib.js';
import {defaultThresholds, type KeyedFinding, type ModelData, type SignInEntry, type Thresholds} from '../types.js';

export const id = 'new-device-first-use';

/** Sign-ins and MFA uses that name the device they used. */
const useKinds = new Set(['console-login', 'sts-mfa', 'identity-center']);

/**
 * The first sign-in or STS MFA use of a device enabled less than 24 h earlier. Usually the owner
 * trying the new device; after a takeover it is the attacker's first use, often from an address
 * the principal never used before, which the summary says.
 */
export function detect(model: ModelData, thresholds: Thresholds = defaultThresholds): KeyedFinding[] {
	const index = modelIndex(model);
	const out: KeyedFinding[] = [];
	for (const enable of model.lifecycle) {
		if (!enable.applied || !enableEvents.has(enable.eventName) || !enable.serialNumber) continue;
		const serial = enable.serialNumber;
		const enabledAt = ms(enable.eventTime);
		const removedAt = lookup(index.lifecycleBySerial, serial).find(e => e.applied && removalEvents.has(e.eventName) && ms(e.eventTime) > enabledAt);
		const use = lookup(index.signInsBySerial, serial).find(
			s =>
				useKinds.has(s.kind) &&
				!failed(s) &&
				ms(s.eventTime) >= enabledAt &&
				(!removedAt || ms(s.eventTime) < ms(removedAt.eventTime)),
		);
		if (!use || ms(use.eventTime) - enabledAt >= thresholds.followUpMs) continue;
		const principal = target(enable) ?? use.principalArn;
		out.push(
			finding({
				rule: id,
				severity: 'low',
				principal,
				serialNumber: serial,
				evidence: [enable, use],
				incident: {event: enable.eventId},
				summary:
					`MFA device ${serial} of ${describePrincipal(principal)} was first used (${use.eventName} at ${at(use.eventTime)}) ` +
					`${duration(enable.eventTime, use.eventTime)} after it was enabled (${at(enable.eventTime)})${addressNote(model, principal, serial, enable.eventTime, use)}.`,
			}),
		);
	}
	return out;
}

/**
 * Was the use's source address new for the principal before the device existed? (Compared with
 * activity before the enabling, leaving out the device's own creation: whoever enrolled the device
 * used their address to do so.)
 * Only said when the evidence can tell.
 */
function addressNote(model: ModelData, principal: string, serial: string, enabledAt: string, use: SignInEntry): string {
	if (!use.sourceIp) return '';
	const before = (time: string) => ms(time) < ms(enabledAt);
	const index = modelIndex(model);
	const earlier = [
		...lookup(index.signInsByPrincipal, principal, true).filter(s => before(s.eventTime)).map(s => s.sourceIp),
		...lookup(index.lifecycleByActor, principal, true).filter(e => before(e.eventTime) && e.serialNumber !== serial).map(e => e.sourceIp),
	].filter((ip): ip is string => Boolean(ip));
	if (earlier.length === 0) return ` from ${use.sourceIp} (no activity of the principal before the enabling in the evidence to compare with)`;
	return earlier.includes(use.sourceIp)
		? ` from ${use.sourceIp}, an address the principal had used before`
		: ` from ${use.sourceIp}, an address the principal had not used before the device was enabled`;
}
