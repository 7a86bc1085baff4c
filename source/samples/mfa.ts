/**
 * Builders for the MFA-relevant calls: IAM device lifecycle, STS GetSessionToken and the
 * Identity Center sign-in steps, with the request/response shapes CloudTrail logs for them
 * (secrets such as authentication codes are never logged).
 */
import {buildRecord, cliAgent, type TrailEvent} from './records.js';
import type {Random} from './random.js';

/** Who makes a call and how: from a console session or with the AWS CLI. */
export interface Caller {
	identity: Record<string, unknown>;
	ip: string;
	fromConsole: boolean;
}

export function consoleCaller(identity: Record<string, unknown>, ip: string): Caller {
	return {identity, ip, fromConsole: true};
}

export function cliCaller(identity: Record<string, unknown>, ip: string): Caller {
	return {identity, ip, fromConsole: false};
}

interface Failure {
	errorCode: string;
	errorMessage: string;
	/** Denied calls log requestParameters null; validation failures keep them. */
	requestNull?: boolean;
}

function iamCall(rng: Random, caller: Caller, time: number, name: string, command: string, request: unknown, response: unknown, failure?: Failure, ip?: string): TrailEvent {
	return buildRecord(rng, {
		time,
		identity: caller.identity,
		source: 'iam.amazonaws.com',
		name,
		region: 'us-east-1',
		ip: ip ?? caller.ip,
		userAgent: caller.fromConsole ? 'AWS Internal' : cliAgent(command),
		errorCode: failure?.errorCode,
		errorMessage: failure?.errorMessage,
		request: failure?.requestNull ? null : request,
		response: failure ? null : response,
		fromConsole: caller.fromConsole,
		host: caller.fromConsole ? undefined : 'iam.amazonaws.com',
	});
}

export function createVirtualMfaDevice(rng: Random, caller: Caller, time: number, account: string, deviceName: string, failure?: Failure): TrailEvent {
	return iamCall(
		rng,
		caller,
		time,
		'CreateVirtualMFADevice',
		'iam.create-virtual-mfa-device',
		{path: '/', virtualMFADeviceName: deviceName},
		{virtualMFADevice: {serialNumber: `arn:aws:iam::${account}:mfa/${deviceName}`}},
		failure,
	);
}

/** userName is the user the device is enabled for: 'AWS ROOT USER' for root. */
export function enableMfaDevice(rng: Random, caller: Caller, time: number, userName: string, serialNumber: string, failure?: Failure): TrailEvent {
	return iamCall(rng, caller, time, 'EnableMFADevice', 'iam.enable-mfa-device', {userName, serialNumber}, null, failure);
}

export function deactivateMfaDevice(rng: Random, caller: Caller, time: number, userName: string, serialNumber: string, failure?: Failure): TrailEvent {
	return iamCall(rng, caller, time, 'DeactivateMFADevice', 'iam.deactivate-mfa-device', {userName, serialNumber}, null, failure);
}

/** The console deletes server-side: sourceIPAddress "AWS Internal". */
export function deleteVirtualMfaDevice(rng: Random, caller: Caller, time: number, serialNumber: string): TrailEvent {
	return iamCall(rng, caller, time, 'DeleteVirtualMFADevice', 'iam.delete-virtual-mfa-device', {serialNumber}, null, undefined, caller.fromConsole ? 'AWS Internal' : undefined);
}

export function getSessionToken(rng: Random, caller: Caller, time: number, region: string, serialNumber: string, sessionKey: string): TrailEvent {
	return buildRecord(rng, {
		time,
		identity: caller.identity,
		source: 'sts.amazonaws.com',
		name: 'GetSessionToken',
		region,
		ip: caller.ip,
		userAgent: cliAgent('sts.get-session-token'),
		request: {durationSeconds: 43200, serialNumber},
		response: {credentials: {accessKeyId: sessionKey, sessionToken: `IQoJb3JpZ2luX2Vj${rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 160)}`, expiration: new Date(time + 43_200_000).toUTCString()}},
		readOnly: true,
		host: `sts.${region}.amazonaws.com`,
	});
}

export interface IdentityCenterStep {
	name: 'CredentialChallenge' | 'CredentialVerification' | 'UserAuthentication';
	credentialType: string;
	success: boolean;
	/** Seconds after the start of the sign-in. */
	after: number;
	userName?: string;
}

/** One Identity Center sign-in: its steps share an AuthWorkflowID (AwsServiceEvent records). */
export function identityCenterSignIn(rng: Random, identity: Record<string, unknown>, account: string, region: string, start: number, ip: string, userAgent: string, portal: string, steps: IdentityCenterStep[]): TrailEvent[] {
	const workflow = rng.uuid();
	return steps.map(step => {
		const additional: Record<string, unknown> = {AuthWorkflowID: workflow};
		if (step.userName) additional['UserName'] = step.userName;
		if (step.name === 'UserAuthentication') additional['LoginTo'] = `https://${portal}.awsapps.com/start/`;
		additional['CredentialType'] = step.credentialType;
		return buildRecord(rng, {
			time: start + step.after * 1000,
			identity,
			account,
			source: 'signin.amazonaws.com',
			name: step.name,
			region,
			ip,
			userAgent,
			additional,
			eventType: 'AwsServiceEvent',
			serviceEventDetails: {[step.name]: step.success ? 'Success' : 'Failure'},
		});
	});
}
