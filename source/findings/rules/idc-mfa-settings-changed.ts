import {at, describePrincipal, finding, groupBy, runs} from '../lib.js';
import {defaultThresholds, type KeyedFinding, type ModelData, type Thresholds} from '../types.js';

export const id = 'idc-mfa-settings-changed';

/** Reads of the settings change nothing. */
const read = /^(Get|List|Describe)/;

/**
 * PutMfaDeviceManagementForDirectory and any other Identity Center MFA configuration change (an
 * Identity Center event whose name speaks of MFA and is not a device event or a read). Changes by
 * one principal within an hour are one finding; failed calls are listed as such.
 */
export function detect(model: ModelData, thresholds: Thresholds = defaultThresholds): KeyedFinding[] {
	const changes = model.accountEvents.filter(a => a.role === 'idc-settings' && !read.test(a.eventName));
	const out: KeyedFinding[] = [];
	for (const [actor, list] of groupBy(changes, a => a.actorArn ?? '')) {
		for (const run of runs(list, thresholds.runGapMs)) {
			const steps = run.map(a => `${a.eventName}${a.errorCode ? ` (failed: ${a.errorCode})` : ''} at ${at(a.eventTime)}${a.sourceIp ? ` from ${a.sourceIp}` : ''}`);
			out.push(
				finding({
					rule: id,
					severity: 'medium',
					principal: actor || null,
					serialNumber: null,
					evidence: run,
					incident: {run: ''},
					summary: `Identity Center MFA settings changed by ${describePrincipal(actor || null)}: ${steps.join(', ')}. The new settings are in the records' requestParameters (mfatrail event ID).`,
				}),
			);
		}
	}
	return out;
}
