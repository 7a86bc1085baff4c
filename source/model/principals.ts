import type {Credential, FactRow, PrincipalInfo} from './types.js';

/** Failed console sign-ins for user names that do not exist carry this instead of the name. */
export const hiddenUserName = 'HIDDEN_DUE_TO_SECURITY_REASONS';
/** EnableMFADevice/DeactivateMFADevice name the root user this way. */
export const rootUserName = 'AWS ROOT USER';

/** 'aws', 'aws-us-gov', 'aws-cn' from an ARN, else from the region, else 'aws'. */
export function partitionOf(arn: string | null | undefined, region?: string | null): string {
	const m = arn ? /^arn:([^:]+):/.exec(arn) : null;
	if (m) return m[1];
	if (region?.startsWith('us-gov-')) return 'aws-us-gov';
	if (region?.startsWith('cn-')) return 'aws-cn';
	return 'aws';
}

/** The account field of an ARN ('arn:aws:iam::111122223333:mfa/x' → '111122223333'). */
export function accountOfArn(arn: string | null | undefined): string | null {
	const m = arn ? /^arn:[^:]+:[^:]*:[^:]*:([^:]*):/.exec(arn) : null;
	return m && m[1] !== '' ? m[1] : null;
}

export function rootArn(partition: string, accountId: string): string {
	return `arn:${partition}:iam::${accountId}:root`;
}

export function userArn(partition: string, accountId: string, userName: string): string {
	return `arn:${partition}:iam::${accountId}:user/${userName}`;
}

/** An Identity Center user's ARN, in the partition of the case (aws, aws-us-gov, aws-cn). */
export function identityCenterUserArn(partition: string, accountId: string, userId: string): string {
	return `arn:${partition}:identitystore::${accountId}:user/${userId}`;
}

/**
 * The partition of a record: its identity ARN's, else its identity store's (Identity Center users
 * carry arn ""), else its region's.
 */
export function partitionOfRow(row: FactRow): string {
	return partitionOf(row.identityArn || row.facts.identityStoreArn, row.awsRegion);
}

/**
 * The principal an ARN names. Works for every identity ARN CloudTrail writes, so principals seen
 * only in ordinary events can be listed from event.identity_arn alone.
 */
export function principalFromArn(arn: string): PrincipalInfo {
	const accountId = accountOfArn(arn);
	const resource = arn.split(':').slice(5).join(':');
	const service = arn.split(':')[2] ?? '';
	if (resource === 'root') return {arn, type: 'Root', name: 'root', accountId};
	const [kind, ...rest] = resource.split('/');
	const last = rest.length > 0 ? rest[rest.length - 1] : resource;
	if (service === 'iam' && kind === 'user') return {arn, type: 'IAMUser', name: last, accountId};
	if (service === 'sts' && kind === 'assumed-role') return {arn, type: 'AssumedRole', name: rest.join('/'), accountId};
	if (service === 'sts' && kind === 'federated-user') return {arn, type: 'FederatedUser', name: last, accountId};
	if (service === 'identitystore' && kind === 'user') return {arn, type: 'IdentityCenterUser', name: last, accountId};
	if (service === 'iam' && kind === 'role') return {arn, type: 'Role', name: last, accountId};
	return {arn, type: 'Unknown', name: last || null, accountId};
}

/**
 * Who made the call. Records without an ARN are given one built the way AWS builds it, so that
 * a failed IAM-user ConsoleLogin (no arn) and the user's successful ones meet in one principal:
 * IAM users and root from account + userName, Identity Center users from onBehalfOf.userId (the
 * new shape, type IdentityCenterUser without userName or principalId, and the 2024-10 to 2025-07
 * shape, type Unknown with both); their readable names are joined to the id by links.ts,
 * unknown names grouped per account under HIDDEN_DUE_TO_SECURITY_REASONS.
 */
export function principalOf(row: FactRow): PrincipalInfo | undefined {
	const account = row.identityAccountId ?? row.recipientAccountId;
	const partition = partitionOfRow(row);
	const type = row.identityType ?? '';
	const userName = row.identityUserName;
	if (type === 'IdentityCenterUser' || row.facts.onBehalfOfUserId) {
		const userId = row.facts.onBehalfOfUserId ?? userName;
		if (account && userId) return {arn: identityCenterUserArn(partition, account, userId), type: 'IdentityCenterUser', name: userId, accountId: account};
	}
	if (row.identityArn) {
		const info = principalFromArn(row.identityArn);
		// The ARN is the key; the record's own type wins over the one guessed from the ARN.
		return {...info, type: type || info.type, name: type === 'IAMUser' && userName ? userName : info.name, accountId: info.accountId ?? account};
	}
	if (!account) return undefined;
	if (type === 'Root') return {arn: rootArn(partition, account), type: 'Root', name: 'root', accountId: account};
	if (type === 'IAMUser' && userName) return {arn: userArn(partition, account, userName), type: 'IAMUser', name: userName, accountId: account};
	const typedName = userName ?? row.facts.idcUserName;
	if (type === 'Unknown' && typedName && row.eventSource === 'signin.amazonaws.com') {
		// Identity Center sign-in steps before authentication (and every step before 2024-10): only the
		// typed user name is known, in userIdentity.userName (old shape) or additionalEventData.UserName.
		return {arn: identityCenterUserArn(partition, account, typedName), type: 'IdentityCenterUser', name: typedName, accountId: account};
	}
	if (type === 'SAMLUser' && userName) {
		return {arn: `arn:${partition}:iam::${account}:saml-user/${userName}`, type: 'SAMLUser', name: userName, accountId: account};
	}
	if (type === 'AWSAccount') {
		// Another account's caller, recorded in the target account: only its account is known.
		return {arn: `arn:${partition}:iam::${account}:account`, type: 'AWSAccount', name: account, accountId: account};
	}
	return undefined;
}

/**
 * Long-term access key only when the key is AKIA…, there is no sessionContext and the call did
 * not come from the console: S3-console calls carry AKIA keys with mfaAuthenticated "true".
 */
export function credentialOf(row: FactRow): Credential {
	const key = row.accessKeyId ?? '';
	const ua = row.userAgent ?? '';
	if (row.facts.fromConsole || /^signin\.amazonaws\.com|console\.amazonaws\.com|S3Console|AWSConsole/i.test(ua)) return 'console';
	if (key.startsWith('AKIA') && !row.facts.hasSessionContext) return 'long-term';
	if (key.startsWith('ASIA')) return 'temporary';
	return 'unknown';
}

/** The device owner named by a lifecycle call's userName ('AWS ROOT USER' = root of the account). */
export function ownerFromUserName(userName: string, accountId: string, partition: string): string {
	return userName === rootUserName ? rootArn(partition, accountId) : userArn(partition, accountId, userName);
}
