/**
 * Which console sign-ins carry an MFA fact in CloudTrail, defined once. The bottom layer: imports
 * nothing from the project.
 *
 * ConsoleLogin's MFAUsed is AWS's answer for root and IAM users, who sign in with AWS's own
 * password and MFA. For a federated sign-in the human authenticated elsewhere, and CloudTrail
 * writes MFAUsed "No" whatever happened there (cloudtrail-mfa.md §1.2; Panther's
 * AWS.Console.LoginWithoutMFA skips them): a SAML federation (additionalEventData.SamlProviderArn),
 * an Identity Center permission-set role (AWSReservedSSO_…), another role session, or a federated
 * user (GetFederationToken, custom console federation). These are listed as federated, never as
 * "without MFA".
 */

export type Federation = 'saml' | 'identity-center-role' | 'role-session' | 'federated-user';

export const federatedMfaNote = 'MFA at the identity provider, not visible in CloudTrail';

export const federationLabels: Record<Federation, string> = {
	saml: 'SAML federation',
	'identity-center-role': 'Identity Center permission set',
	'role-session': 'role session',
	'federated-user': 'federated user',
};

/** The federation a console sign-in went through, or null for a root or IAM user's own sign-in. */
export function federationOf(signIn: {identityType: string | null; principalArn: string | null; samlProviderArn: string | null}): Federation | null {
	if (signIn.samlProviderArn) return 'saml';
	const arn = signIn.principalArn ?? '';
	if (/^arn:[^:]+:sts::\d*:assumed-role\/AWSReservedSSO_/.test(arn)) return 'identity-center-role';
	if (signIn.identityType === 'AssumedRole' || /^arn:[^:]+:sts::\d*:assumed-role\//.test(arn)) return 'role-session';
	if (signIn.identityType === 'FederatedUser' || /^arn:[^:]+:sts::\d*:federated-user\//.test(arn)) return 'federated-user';
	if (signIn.identityType === 'SAMLUser' || signIn.identityType === 'WebIdentityUser') return 'saml';
	return null;
}
