import type {Federation} from '../domain/sign-in-mfa.js';
import type {Credential} from '../db/queries.js';
import type {Facts} from './facts.js';

export type {Credential} from '../db/queries.js';

/** One MFA-relevant event row (event.facts set) with the indexed columns the model needs. */
export interface FactRow {
	/** event.id: the row, which breaks ties between events of the same second. */
	id: number;
	eventId: string;
	eventTime: string;
	eventSource: string | null;
	eventName: string | null;
	recipientAccountId: string | null;
	awsRegion: string | null;
	identityType: string | null;
	identityArn: string | null;
	identityUserName: string | null;
	identityAccountId: string | null;
	accessKeyId: string | null;
	mfaAuthenticated: 0 | 1 | null;
	sourceIp: string | null;
	userAgent: string | null;
	errorCode: string | null;
	errorMessage: string | null;
	facts: Facts;
}

export interface PrincipalInfo {
	arn: string;
	type: string;
	name: string | null;
	accountId: string | null;
}

export type DeviceType = 'virtual' | 'fido' | 'hardware' | 'identity-center' | 'unknown';
export type DeviceState = 'created' | 'enabled' | 'deactivated' | 'deleted' | 'in-use';

/** One incarnation of a device: a serial reused after deletion starts a new one. */
export interface DeviceIncarnation {
	id: number;
	serialNumber: string;
	incarnation: number;
	name: string | null;
	type: DeviceType;
	accountId: string | null;
	ownerArn: string | null;
	/** Who created it: only a hint at the owner (an admin may create devices for others). */
	creatorArn: string | null;
	state: DeviceState;
	createdAt: string | null;
	enabledAt: string | null;
	deactivatedAt: string | null;
	deletedAt: string | null;
	firstSeen: string;
	lastSeen: string;
	lastUsed: string | null;
	useCount: number;
}

export interface LifecycleRecord {
	event: number;
	eventId: string;
	deviceId: number | null;
	ownerArn: string | null;
	actorArn: string | null;
	eventName: string;
	eventTime: string;
	serialNumber: string | null;
	accessKeyId: string | null;
	credential: Credential;
	mfaAuthenticated: 0 | 1 | null;
	sourceIp: string | null;
	userAgent: string | null;
	errorCode: string | null;
	errorMessage: string | null;
	applied: 0 | 1;
	cliCommand: string | null;
	/** The AssumeRoot call that minted the session's key (set by links.ts), and the actor in words. */
	assumeRootEvent: number | null;
	actorNote: string | null;
}

/**
 * console-login, mfa-check: the IAM/root sign-in page. identity-center: IdC sign-in steps.
 * workspaces / transfer-family: the same step names written by WorkSpaces Personal and Transfer
 * Family web apps, never counted as IdC MFA. oauth2-cli: `aws login`. sts-mfa: STS with a serial.
 */
export type SignInKind = 'console-login' | 'mfa-check' | 'identity-center' | 'workspaces' | 'transfer-family' | 'oauth2-cli' | 'sts-mfa';

export interface SignInRecord {
	event: number;
	eventId: string;
	principalArn: string;
	accountId: string | null;
	eventName: string;
	eventTime: string;
	kind: SignInKind;
	result: 'Success' | 'Failure' | null;
	mfaUsed: 'Yes' | 'No' | null;
	mfaIdentifier: string | null;
	deviceId: number | null;
	mfaType: string | null;
	failedAtMfa: 0 | 1;
	sourceIp: string | null;
	userAgent: string | null;
	errorMessage: string | null;
	loginTo: string | null;
	authWorkflowId: string | null;
	/** The user name the step carries (IdC additionalEventData.UserName, or the typed userName). */
	userName: string | null;
	/** A console sign-in through a federation (domain/sign-in-mfa.ts): its MFA happened at the identity provider. */
	federation: Federation | null;
}

/** An MFA-relevant event that is neither a device lifecycle call nor a sign-in (db/010, account_event). */
export interface AccountEventRecord {
	event: number;
	eventId: string;
	role: string;
	eventName: string;
	eventTime: string;
	actorArn: string | null;
	targetArn: string | null;
	accountId: string | null;
	accessKeyId: string | null;
	credential: Credential;
	mfaAuthenticated: 0 | 1 | null;
	mfaUsed: 'Yes' | 'No' | null;
	result: 'Success' | 'Failure' | null;
	sourceIp: string | null;
	userAgent: string | null;
	errorCode: string | null;
	errorMessage: string | null;
	cliCommand: string | null;
	mintedKey: string | null;
	targetAccount: string | null;
	taskPolicy: string | null;
	expiresAt: string | null;
	assumeRootEvent: number | null;
	actorNote: string | null;
}

/** The whole derived model, ready to store. */
export interface Model {
	principals: Map<string, PrincipalInfo & {events: number; firstSeen: string | null; lastSeen: string | null}>;
	devices: DeviceIncarnation[];
	lifecycle: LifecycleRecord[];
	signIns: SignInRecord[];
	accountEvents: AccountEventRecord[];
}
