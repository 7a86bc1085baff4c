import {at, describePrincipal, finding} from '../lib.js';
import {defaultThresholds, type KeyedFinding, type ModelData, type Thresholds} from '../types.js';

export const id = 'signin-token-without-mfa';

/** Identity Center permission-set sessions: their MFA happens at Identity Center and CloudTrail writes false regardless. */
const identityCenterRole = /:assumed-role\/AWSReservedSSO_/;

/**
 * A successful GetSigninToken (console federation: a session turned into a console sign-in) from a
 * session without MFA: mfaAuthenticated "false", or MFAUsed "No" where the session records nothing.
 * One finding per call.
 */
export function detect(model: ModelData, thresholds: Thresholds = defaultThresholds): KeyedFinding[] {
	const out: KeyedFinding[] = [];
	for (const a of model.accountEvents) {
		if (a.role !== 'signin-token' || a.errorCode || a.result === 'Failure') continue;
		const withoutMfa = a.mfaAuthenticated === 0 || (a.mfaAuthenticated === null && a.mfaUsed === 'No');
		if (!withoutMfa || !a.actorArn || identityCenterRole.test(a.actorArn)) continue;
		const agent = a.userAgent ? `; user agent ${a.userAgent}${/^Jersey\//.test(a.userAgent) ? ' (the AWS federation endpoint)' : ' (not the AWS federation endpoint: a tool such as aws_consoler?)'}` : '';
		out.push(
			finding({
				rule: id,
				severity: 'medium',
				principal: a.actorArn,
				serialNumber: null,
				evidence: [a],
				incident: {event: a.eventId},
				summary: `${describePrincipal(a.actorArn)} turned a session without MFA into a console sign-in (GetSigninToken at ${at(a.eventTime)}${a.sourceIp ? ` from ${a.sourceIp}` : ''}, key ${a.accessKeyId ?? 'not recorded'})${agent}.`,
			}),
		);
	}
	return out;
}
