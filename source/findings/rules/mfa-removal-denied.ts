import {at, describePrincipal, finding, groupBy, isDenied, pluralEvents, removalEvents, runs, target, unique} from '../lib.js';
import {defaultThresholds, type KeyedFinding, type ModelData, type Thresholds} from '../types.js';

export const id = 'mfa-removal-denied';

/**
 * A denied DeactivateMFADevice, DeleteVirtualMFADevice or Identity Center DeleteMfaDeviceForUser.
 * Denied calls log requestParameters null, so the device is not recorded: the finding names the
 * caller and the client's command hint (md/command#… in the user agent). Denials of one principal
 * within an hour are one finding.
 */
export function detect(model: ModelData, thresholds: Thresholds = defaultThresholds): KeyedFinding[] {
	const denied = model.lifecycle.filter(e => !e.applied && removalEvents.has(e.eventName) && isDenied(e.errorCode));
	const out: KeyedFinding[] = [];
	for (const [principal, list] of groupBy(denied, e => target(e) ?? e.actorArn)) {
		for (const run of runs(list, thresholds.runGapMs)) {
			const first = run[0];
			const callers = unique(run.map(e => e.actorArn));
			const hints = unique(run.map(e => e.cliCommand));
			const ips = unique(run.map(e => e.sourceIp));
			const serials = unique(run.map(e => e.serialNumber));
			const calls = run.map(e => `${e.eventName} at ${at(e.eventTime)}`).join(', ');
			const device = serials.length > 0 ? `device ${serials.join(', ')}` : 'the device is not recorded (requestParameters is null on a denied call)';
			const hint = hints.length > 0 ? `; the client's command hint: ${hints.join(', ')}` : '; the user agent carries no command hint';
			out.push(
				finding({
					rule: id,
					severity: 'low',
					principal,
					serialNumber: serials[0] ?? null,
					evidence: run,
					incident: {run: ''},
					summary: `${pluralEvents(run, 'denied MFA removal')} (${calls}) by ${callers.map(describePrincipal).join(', ') || 'an unknown caller'}${ips.length > 0 ? ` from ${ips.join(', ')}` : ''} (${first.errorCode}); ${device}${hint}.`,
				}),
			);
		}
	}
	return out;
}
