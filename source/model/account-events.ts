/**
 * MFA-relevant events that are neither device lifecycle calls nor sign-ins (roles from
 * source/domain/mfa-events.ts): the AssumeRoot calls themselves, login-profile and key changes,
 * root password recovery, GetSigninToken, Identity Center MFA settings, and the set-up of
 * centralized root access. Stored in account_event for the rules and timelines.
 */
import {roleOf, type MfaEventRole} from '../domain/mfa-events.js';
import {assumeRootHint} from './lifecycle.js';
import {unjoinedAssumeRootNote} from './links.js';
import {credentialOf, ownerFromUserName, partitionOf, rootArn} from './principals.js';
import type {AccountEventRecord, FactRow, PrincipalInfo} from './types.js';

const storedRoles = new Set<MfaEventRole>([
	'assume-root',
	'root-credential',
	'password-recovery',
	'signin-token',
	'idc-settings',
	'root-access-management',
	'organizations-setup',
	'sts-federation',
	'transfer-web-app',
]);

/** Identity Center events not listed by name whose name speaks of MFA (a settings change AWS may add under another name). */
const idcMfaName = /mfa/i;

/** The role under which the row is stored, if it is stored at all. */
export function accountEventRole(row: FactRow): MfaEventRole | undefined {
	const role = roleOf(row.eventSource, row.eventName);
	if (!role) return undefined;
	// S3 Access Grants calls matter only when made for an Identity Center user (a web app's bearer session).
	if (role === 'transfer-web-app') return row.facts.onBehalfOfUserId ? role : undefined;
	if (storedRoles.has(role)) return role;
	if (role === 'idc-other' && row.eventName && idcMfaName.test(row.eventName)) return 'idc-settings';
	return undefined;
}

/**
 * The principal the call is about: the userName it names ('AWS ROOT USER' = root); with none, the
 * caller itself for a root or IAM user (IAM acts on the caller when userName is omitted).
 */
function targetOf(row: FactRow, actor: PrincipalInfo | undefined): string | null {
	const account = actor?.accountId ?? row.recipientAccountId;
	if (row.facts.userName && account) return ownerFromUserName(row.facts.userName, account, partitionOf(row.identityArn, row.awsRegion));
	if (row.facts.requestParametersNull) return null;
	if (actor?.type === 'Root' && account) return rootArn(partitionOf(actor.arn), account);
	if (actor?.type === 'IAMUser') return actor.arn;
	return null;
}

function resultOf(row: FactRow): 'Success' | 'Failure' | null {
	if (row.facts.result) return row.facts.result;
	return row.errorCode || row.errorMessage ? 'Failure' : 'Success';
}

export function accountEventRecord(row: FactRow, role: MfaEventRole, actor: PrincipalInfo | undefined): AccountEventRecord {
	const {facts} = row;
	const eventName = row.eventName ?? '';
	return {
		event: row.id,
		eventId: row.eventId,
		role,
		eventName,
		eventTime: row.eventTime,
		actorArn: actor?.arn ?? null,
		targetArn: targetOf(row, actor),
		accountId: actor?.accountId ?? row.recipientAccountId,
		accessKeyId: row.accessKeyId,
		credential: credentialOf(row),
		mfaAuthenticated: row.mfaAuthenticated,
		mfaUsed: facts.mfaUsed ?? null,
		result: resultOf(row),
		sourceIp: row.sourceIp,
		userAgent: row.userAgent,
		errorCode: row.errorCode,
		errorMessage: row.errorMessage,
		cliCommand: facts.cliCommand ?? null,
		mintedKey: facts.mintedAccessKeyId ?? null,
		targetAccount: facts.targetPrincipal ?? null,
		taskPolicy: facts.taskPolicyArn ?? null,
		expiresAt: facts.expiresAt ?? null,
		assumeRootEvent: null,
		actorNote: assumeRootHint(row, eventName) ? unjoinedAssumeRootNote : null,
	};
}
