import type {AccountEventRecord} from '../model/types.js';

/**
 * The plain data findings rules read (loaded from the MFA model by load.ts) and what they return.
 * Rules are pure functions of this data, so they are tested without a case file.
 */

export type Severity = 'high' | 'medium' | 'low' | 'info';

export const severities: Severity[] = ['high', 'medium', 'low', 'info'];

/** One finding, in the shape of `mfatrail findings --json`. eventIds are CloudTrail eventIDs. */
export interface Finding {
	rule: string;
	severity: Severity;
	principal: string | null;
	serialNumber: string | null;
	firstSeen: string;
	lastSeen: string;
	/** At most maxEventIds (findings/lib.ts), oldest first; eventCount says how many there are in all. */
	eventIds: string[];
	eventCount: number;
	summary: string;
}

/** A finding with its stable identity: re-running the rules replaces or extends, never duplicates. */
export interface KeyedFinding extends Finding {
	key: string;
	/** For a run: the key prefix every key of the same incident starts with (rule|principal|serial|group|). */
	run?: string;
}

/** A row of lifecycle_event, with its CloudTrail eventID. */
export interface LifecycleEntry {
	eventId: string;
	eventName: string;
	eventTime: string;
	/** The principal whose device it is (target user); null when the record does not say. */
	ownerArn: string | null;
	/** Who made the call. */
	actorArn: string | null;
	serialNumber: string | null;
	deviceId: number | null;
	accessKeyId: string | null;
	credential: string;
	mfaAuthenticated: 0 | 1 | null;
	sourceIp: string | null;
	errorCode: string | null;
	errorMessage: string | null;
	applied: boolean;
	/** md/command#… from the user agent: what a denied call (requestParameters null) was for. */
	cliCommand: string | null;
	userAgent: string | null;
	/** The AssumeRoot call that minted the session's key (account_event.event), and the actor in words. */
	assumeRootEvent: number | null;
	actorNote: string | null;
}

/** A row of account_event (AssumeRoot calls, login-profile changes, password recovery, GetSigninToken, IdC settings) as the model wrote it. */
export type AccountEventEntry = AccountEventRecord;

/** A row of sign_in, with its CloudTrail eventID. */
export interface SignInEntry {
	eventId: string;
	eventName: string;
	eventTime: string;
	principalArn: string;
	kind: string;
	result: string | null;
	mfaUsed: string | null;
	mfaIdentifier: string | null;
	deviceId: number | null;
	mfaType: string | null;
	failedAtMfa: boolean;
	sourceIp: string | null;
	errorMessage: string | null;
	/** The user name the step carries (Identity Center UserName, or the typed userName). */
	userName: string | null;
	/** A federated console sign-in (domain/sign-in-mfa.ts): no MFA fact in CloudTrail. */
	federation?: string | null;
}

export interface PrincipalInfo {
	arn: string;
	type: string;
	name: string | null;
}

/** A call by a principal from the event table (only loaded around unprotected MFA-device adds). */
export interface PrincipalCall {
	eventId: string;
	eventTime: string;
	eventSource: string | null;
	eventName: string | null;
	accessKeyId: string | null;
	errorCode: string | null;
	mfaAuthenticated: 0 | 1 | null;
}

export interface ModelData {
	/** By ARN. */
	principals: Map<string, PrincipalInfo>;
	/** In event-time order. */
	lifecycle: LifecycleEntry[];
	/** In event-time order. */
	signIns: SignInEntry[];
	/** Denied and MFA-authenticated calls, by principal ARN, in event-time order (see load.ts). */
	calls: Map<string, PrincipalCall[]>;
	/** In event-time order. */
	accountEvents: AccountEventEntry[];
}

/** Every window and threshold the rules use; each is named, explained and settable in settings.ts. */
export interface Thresholds {
	/** console-login-failure-burst: this many failures … */
	burstCount: number;
	/** … within this many milliseconds. */
	burstWindowMs: number;
	/** password-spray: this many distinct user names failing from one address … */
	sprayUsers: number;
	/** … within this many milliseconds. */
	sprayWindowMs: number;
	/** Calls of one incident (a run) at most this far apart. */
	runGapMs: number;
	/** What a change leads to is looked for this long after it. */
	followUpMs: number;
	/** mfa-added-without-mfa-session: denied calls looked for this long before an add. */
	deniedLookbackMs: number;
}

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/** The defaults; settings.ts says why each has its value. */
export const defaultThresholds: Thresholds = {
	burstCount: 5,
	burstWindowMs: 10 * minute,
	sprayUsers: 5,
	sprayWindowMs: 10 * minute,
	runGapMs: hour,
	followUpMs: day,
	deniedLookbackMs: 30 * day,
};

export type RuleFunction = (model: ModelData, thresholds: Thresholds) => KeyedFinding[];
