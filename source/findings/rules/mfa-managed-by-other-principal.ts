import {deviceStateAfter} from '../../domain/mfa-events.js';
import {at, describeCredential, describePrincipal, finding, managementEvents, sameArn} from '../lib.js';
import {defaultThresholds, type KeyedFinding, type ModelData, type Thresholds} from '../types.js';

export const id = 'mfa-managed-by-other-principal';

/** What the call did to the device, in words. */
function verb(eventName: string): string {
	if (eventName === 'UpdateMfaDeviceForUser') return 'updated';
	const state = deviceStateAfter(eventName);
	return state === 'created' || state === undefined ? 'changed' : state;
}

/**
 * A device enabled, registered, updated, deactivated or deleted (applied) for a principal by a
 * different principal: an IAM administrator or an Identity Center administrator resetting a lost
 * device, or someone taking over or stripping another's MFA. The events are the one list's
 * (domain/mfa-events.ts deviceManagementEvents).
 */
export function detect(model: ModelData, thresholds: Thresholds = defaultThresholds): KeyedFinding[] {
	const out: KeyedFinding[] = [];
	for (const e of model.lifecycle) {
		if (!e.applied || !managementEvents.has(e.eventName) || !e.ownerArn || !e.actorArn) continue;
		if (sameArn(e.ownerArn, e.actorArn)) continue;
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
				summary: `${describePrincipal(e.actorArn)} ${verb(e.eventName)} ${device} for ${describePrincipal(e.ownerArn)} (${e.eventName} at ${at(e.eventTime)}, ${describeCredential(e)}${from}).`,
			}),
		);
	}
	return out;
}
