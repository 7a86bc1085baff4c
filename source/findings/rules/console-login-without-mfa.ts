import {at, describePrincipal, finding, groupBy, pluralEvents, principalType, succeeded, unique} from '../lib.js';
import {defaultThresholds, type KeyedFinding, type ModelData, type Thresholds} from '../types.js';

export const id = 'console-login-without-mfa';

/**
 * Successful ConsoleLogin with MFAUsed "No" by a root or IAM user, one finding per principal
 * (extended as more such sign-ins arrive). Federated sign-ins (SAML, even when the record says
 * IAMUser; Identity Center permission sets; role sessions; federated users: domain/sign-in-mfa.ts)
 * are left out: their MFA happens at the identity provider and CloudTrail always writes "No".
 */
export function detect(model: ModelData, thresholds: Thresholds = defaultThresholds): KeyedFinding[] {
	const logins = model.signIns.filter(
		s => s.kind === 'console-login' && succeeded(s) && s.mfaUsed === 'No' && !s.federation && ['Root', 'IAMUser'].includes(principalType(model, s.principalArn)),
	);
	const out: KeyedFinding[] = [];
	for (const [principal, list] of groupBy(logins, s => s.principalArn)) {
		const ips = unique(list.map(s => s.sourceIp));
		const span = list[0].eventTime === list.at(-1)!.eventTime ? `at ${at(list[0].eventTime)}` : `between ${at(list[0].eventTime)} and ${at(list.at(-1)!.eventTime)}`;
		const from = ips.length > 0 ? ` from ${ips.slice(0, 5).join(', ')}${ips.length > 5 ? ` and ${ips.length - 5} more addresses` : ''}` : '';
		out.push(
			finding({
				rule: id,
				severity: 'medium',
				principal,
				serialNumber: null,
				evidence: list,
				incident: {event: ''},
				summary: `${describePrincipal(principal)} signed in to the console without MFA (MFAUsed "No") ${pluralEvents(list, 'time')} ${span}${from}.`,
			}),
		);
	}
	return out;
}
