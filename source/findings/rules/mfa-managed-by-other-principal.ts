import {at, describeCredential, describePrincipal, finding, removalEvents, sameArn} from '../lib.js';
import type {KeyedFinding, ModelData} from '../types.js';

export const id = 'mfa-managed-by-other-principal';

/** Enabling or deactivating a user's device is the user's business; someone else doing it is worth a look. */
const managementEvents = new Set(['EnableMFADevice', 'DeactivateMFADevice', 'CreateMfaDeviceForUser', 'DeleteMfaDeviceForUser']);

/**
 * A device enabled or deactivated (applied) for a principal by a different principal: an
 * administrator resetting a lost device, or someone taking over or stripping another's MFA.
 */
export function detect(model: ModelData): KeyedFinding[] {
	const out: KeyedFinding[] = [];
	for (const e of model.lifecycle) {
		if (!e.applied || !managementEvents.has(e.eventName) || !e.ownerArn || !e.actorArn) continue;
		if (sameArn(e.ownerArn, e.actorArn)) continue;
		const verb = removalEvents.has(e.eventName) ? 'deactivated' : 'enabled';
		const device = e.serialNumber ? `MFA device ${e.serialNumber}` : 'an MFA device';
		const from = e.sourceIp ? ` from ${e.sourceIp}` : '';
		out.push(
			finding({
				rule: id,
				severity: 'medium',
				principal: e.ownerArn,
				serialNumber: e.serialNumber,
				evidence: [e],
				incident: {event: e.eventId},
				summary: `${describePrincipal(e.actorArn)} ${verb} ${device} for ${describePrincipal(e.ownerArn)} (${e.eventName} at ${at(e.eventTime)}, ${describeCredential(e)}${from}).`,
			}),
		);
	}
	return out;
}
