import {mintedAccessKeyId} from '../domain/credentials.js';
import {isMfaRelevantEvent} from '../domain/mfa-events.js';
import {parseStsTime} from '../lib/time.js';

/**
 * The MFA-relevant fields of a record, extracted once at import time and stored as JSON in
 * event.facts, so the model is rebuilt from small rows instead of re-reading whole records.
 * Only records that matter to MFA (source/domain/mfa-events.ts) get facts; all others get none.
 */

export interface Facts {
	/** The device named by the call: requestParameters.serialNumber or the created device's serial. */
	serialNumber?: string;
	/** requestParameters.userName: the user the device is enabled for ('AWS ROOT USER' = root). */
	userName?: string;
	/** CreateVirtualMFADevice: the chosen device name and path. */
	deviceName?: string;
	devicePath?: string;
	/** Console sign-in steps: ConsoleLogin / CheckMfa / CredentialVerification ... result. */
	result?: 'Success' | 'Failure';
	mfaUsed?: 'Yes' | 'No';
	mfaIdentifier?: string;
	loginTo?: string;
	mfaType?: string;
	credentialType?: string;
	authWorkflowId?: string;
	samlProviderArn?: string;
	/** Identity Center identities. */
	onBehalfOfUserId?: string;
	identityStoreArn?: string;
	credentialId?: string;
	/** Role/federation sessions: who issued the session. */
	sessionIssuerArn?: string;
	sessionIssuerType?: string;
	/** sessionCredentialFromConsole: the call came from a console session. */
	fromConsole?: boolean;
	/** sessionContext present in userIdentity (temporary credentials). */
	hasSessionContext?: boolean;
	/** Denied calls log requestParameters null; the CLI's user agent still names the command. */
	cliCommand?: string;
	/** Identity Center device management: ids found in the request. */
	deviceId?: string;
	targetUserId?: string;
	/** Whether the record held requestParameters at all (null on denied calls). */
	requestParametersNull?: boolean;
	/** Identity Center sign-in steps: additionalEventData.UserName (the only readable name, on some steps). */
	idcUserName?: string;
	/** sessionContext.assumedRoot "true": a hint of an AssumeRoot session (which side carries it is unverified). */
	assumedRoot?: boolean;
	/** sessionContext.attributes.creationDate, as UTC (ISO and ISO-basic forms). */
	sessionCreated?: string;
	/** sts:AssumeRoot: the member account, the task policy, the key it minted and when that expires. */
	targetPrincipal?: string;
	taskPolicyArn?: string;
	mintedAccessKeyId?: string;
	/** credentials.expiration as written (month-name text), and parsed (UTC presumed). */
	expiration?: string;
	expiresAt?: string;
	/** FIDO serials found elsewhere in the request or response (the enrolment event's field is unverified). */
	fidoSerial?: string;
}

type Json = Record<string, unknown>;

function object(value: unknown): Json | undefined {
	return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function text(value: unknown): string | undefined {
	if (typeof value === 'string') return value === '' ? undefined : value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return undefined;
}

function yesNo(value: unknown): 'Yes' | 'No' | undefined {
	const v = text(value)?.toLowerCase();
	if (v === 'yes' || v === 'true') return 'Yes';
	if (v === 'no' || v === 'false') return 'No';
	return undefined;
}

function result(value: unknown): 'Success' | 'Failure' | undefined {
	const v = text(value)?.toLowerCase();
	if (v === 'success') return 'Success';
	if (v === 'failure' || v === 'failed') return 'Failure';
	return undefined;
}

function successFlag(value: unknown): 'Success' | 'Failure' | undefined {
	const v = text(value)?.toLowerCase();
	if (v === 'true' || v === 'success' || v === 'yes') return 'Success';
	if (v === 'false' || v === 'failure' || v === 'no') return 'Failure';
	return undefined;
}

/** A u2f ARN anywhere in a small object (two levels deep: enough for any documented shape, cheap for all). */
function findFidoSerial(value: Json | undefined, depth = 0): string | undefined {
	if (!value || depth > 2) return undefined;
	for (const v of Object.values(value)) {
		if (typeof v === 'string' && /^arn:[^:]+:iam::\d*:u2f\//.test(v)) return v;
		const nested = object(v);
		const found = nested && findFidoSerial(nested, depth + 1);
		if (found) return found;
	}
	return undefined;
}

/** 'aws-cli/2.17 ... md/command#iam.enable-mfa-device' → 'iam.enable-mfa-device'. */
export function cliCommandHint(userAgent: unknown): string | undefined {
	const ua = text(userAgent);
	const m = ua && /command#([\w.-]+)/.exec(ua);
	return m ? m[1] : undefined;
}

export function extractFacts(record: Json): Facts | undefined {
	const eventSource = text(record.eventSource);
	const eventName = text(record.eventName);
	if (!isMfaRelevantEvent(eventSource, eventName, record.requestParameters)) return undefined;
	const facts: Facts = {};
	const request = object(record.requestParameters);
	const response = object(record.responseElements);
	const additional = object(record.additionalEventData);
	const service = object(record.serviceEventDetails);
	const identity = object(record.userIdentity) ?? {};
	const sessionContext = object(identity.sessionContext);
	const issuer = object(sessionContext?.sessionIssuer);
	const onBehalfOf = object(identity.onBehalfOf);

	if (record.requestParameters === null) facts.requestParametersNull = true;
	facts.serialNumber =
		text(request?.serialNumber) ?? text(object(response?.virtualMFADevice)?.serialNumber) ?? undefined;
	facts.userName = text(request?.userName);
	facts.deviceName = text(request?.virtualMFADeviceName);
	facts.devicePath = text(request?.path);
	facts.deviceId = text(request?.deviceId) ?? text(request?.mfaDeviceId);
	facts.targetUserId = text(request?.userId);

	if (eventName && response && eventName in response) facts.result = result(response[eventName]);
	if (!facts.result && eventName && service && eventName in service) facts.result = result(service[eventName]);
	// `aws login` OAuth 2.0 records carry additionalEventData.success (third-party tests; unverified).
	if (!facts.result && additional && 'success' in additional) facts.result = successFlag(additional.success);
	if (additional) {
		facts.idcUserName = text(additional.UserName);
		facts.mfaUsed = yesNo(additional.MFAUsed);
		facts.mfaIdentifier = text(additional.MFAIdentifier);
		facts.loginTo = text(additional.LoginTo);
		facts.mfaType = text(additional.MfaType);
		facts.credentialType = text(additional.CredentialType);
		facts.authWorkflowId = text(additional.AuthWorkflowID);
		facts.samlProviderArn = text(additional.SamlProviderArn);
	}
	facts.onBehalfOfUserId = text(onBehalfOf?.userId);
	facts.identityStoreArn = text(onBehalfOf?.identityStoreArn);
	facts.credentialId = text(identity.credentialId);
	facts.sessionIssuerArn = text(issuer?.arn);
	facts.sessionIssuerType = text(issuer?.type);
	if (sessionContext) facts.hasSessionContext = true;
	if (text(sessionContext?.assumedRoot)?.toLowerCase() === 'true') facts.assumedRoot = true;
	facts.sessionCreated = parseStsTime(object(sessionContext?.attributes)?.creationDate)?.utc;
	if (eventName === 'AssumeRoot') {
		const credentials = object(response?.credentials);
		facts.targetPrincipal = text(request?.targetPrincipal);
		facts.taskPolicyArn = text(object(request?.taskPolicyArn)?.arn) ?? text(request?.taskPolicyArn);
		facts.mintedAccessKeyId = mintedAccessKeyId(response) ?? undefined;
		facts.expiration = text(credentials?.expiration);
		facts.expiresAt = parseStsTime(credentials?.expiration)?.utc;
	}
	if (!facts.serialNumber || !facts.serialNumber.includes(':u2f/')) facts.fidoSerial = findFidoSerial(request) ?? findFidoSerial(response);
	const fromConsole = text(record.sessionCredentialFromConsole)?.toLowerCase();
	if (fromConsole === 'true') facts.fromConsole = true;
	facts.cliCommand = cliCommandHint(record.userAgent);

	for (const key of Object.keys(facts) as (keyof Facts)[]) if (facts[key] === undefined) delete facts[key];
	return facts;
}
