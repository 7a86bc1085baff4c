import {isMfaRelevantEvent} from '../domain/mfa-events.js';

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
	if (additional) {
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
	const fromConsole = text(record.sessionCredentialFromConsole)?.toLowerCase();
	if (fromConsole === 'true') facts.fromConsole = true;
	facts.cliCommand = cliCommandHint(record.userAgent);

	for (const key of Object.keys(facts) as (keyof Facts)[]) if (facts[key] === undefined) delete facts[key];
	return facts;
}
