/**
 * Builders for CloudTrail records shaped like real ones: the same field order, the same
 * userIdentity variants and the same null/string conventions as trail-delivered records
 * (see docs/research/cloudtrail-mfa.md §1 and test/fixtures/realdata/native).
 * Stories (stories.ts) and the synthetic archive generator (bench/generate.ts) both use them.
 */
import {formatUtc} from '../lib/time.js';
import type {Random} from './random.js';

export type CloudTrailRecord = Record<string, unknown>;

/** A built record and where a trail would deliver it. */
export interface TrailEvent {
	time: number;
	account: string;
	region: string;
	record: CloudTrailRecord;
}

export interface User {
	account: string;
	name: string;
	principalId: string;
	arn: string;
	/** The user's long-term access key (AKIA…). */
	accessKeyId: string;
	ip: string;
	browser: string;
}

export interface Role {
	account: string;
	name: string;
	roleId: string;
	arn: string;
}

export const browsers = [
	'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/110.0.0.0 Safari/537.36',
	'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.3 Safari/605.1.15',
	'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/110.0',
	'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:109.0) Gecko/20100101 Firefox/111.0',
];

export function cliAgent(command: string): string {
	return `aws-cli/2.9.19 Python/3.9.11 Linux/5.15.0-1030-aws exe/x86_64.ubuntu.22 prompt/off command/${command.replace('#', '.')} md/command#${command}`;
}

export const boto3Agent = 'Boto3/1.26.75 Python/3.10.6 Linux/5.19.0-46-generic Botocore/1.29.75';
export const terraformAgent =
	'APN/1.0 HashiCorp/1.0 Terraform/1.3.7 (+https://www.terraform.io) terraform-provider-aws/4.55.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.44.203 (go1.19.3; linux; amd64)';

export function makeUser(rng: Random, account: string, name: string): User {
	return {
		account,
		name,
		principalId: rng.iamId('AIDA'),
		arn: `arn:aws:iam::${account}:user/${name}`,
		accessKeyId: rng.iamId('AKIA'),
		ip: rng.ip(),
		browser: rng.pick(browsers),
	};
}

export function makeRole(rng: Random, account: string, name: string): Role {
	return {account, name, roleId: rng.iamId('AROA'), arn: `arn:aws:iam::${account}:role/${name}`};
}

export function virtualSerial(account: string, deviceName: string): string {
	return `arn:aws:iam::${account}:mfa/${deviceName}`;
}

function sessionContext(creationDate: number, mfaAuthenticated: boolean, sessionIssuer: Record<string, unknown> = {}) {
	return {
		sessionIssuer,
		webIdFederationData: {},
		attributes: {creationDate: formatUtc(creationDate), mfaAuthenticated: mfaAuthenticated ? 'true' : 'false'},
	};
}

/** The userIdentity variants real records carry. */
export const identity = {
	/** An IAM user calling with its long-term access key: AKIA and no sessionContext. */
	accessKey(user: User) {
		return {type: 'IAMUser', principalId: user.principalId, arn: user.arn, accountId: user.account, accessKeyId: user.accessKeyId, userName: user.name};
	},
	/** An IAM user's temporary credentials: a console session or a GetSessionToken session. */
	session(user: User, sessionKey: string, creationDate: number, mfaAuthenticated: boolean) {
		return {
			type: 'IAMUser',
			principalId: user.principalId,
			arn: user.arn,
			accountId: user.account,
			accessKeyId: sessionKey,
			userName: user.name,
			sessionContext: sessionContext(creationDate, mfaAuthenticated),
		};
	},
	/** A successful console sign-in of an IAM user (no access key). */
	userSignIn(user: User) {
		return {type: 'IAMUser', principalId: user.principalId, arn: user.arn, accountId: user.account, userName: user.name};
	},
	/** CheckMfa and failed ConsoleLogin: no arn, an empty access key. */
	userSignInStep(user: User) {
		return {type: 'IAMUser', principalId: user.principalId, accountId: user.account, accessKeyId: '', userName: user.name};
	},
	rootSignIn(account: string) {
		return {type: 'Root', principalId: account, arn: `arn:aws:iam::${account}:root`, accountId: account, accessKeyId: ''};
	},
	rootSession(account: string, sessionKey: string, creationDate: number, mfaAuthenticated: boolean) {
		return {
			type: 'Root',
			principalId: account,
			arn: `arn:aws:iam::${account}:root`,
			accountId: account,
			accessKeyId: sessionKey,
			sessionContext: sessionContext(creationDate, mfaAuthenticated),
		};
	},
	roleSession(role: Role, sessionName: string, sessionKey: string, creationDate: number, mfaAuthenticated = false) {
		return {
			type: 'AssumedRole',
			principalId: `${role.roleId}:${sessionName}`,
			arn: `arn:aws:sts::${role.account}:assumed-role/${role.name}/${sessionName}`,
			accountId: role.account,
			accessKeyId: sessionKey,
			sessionContext: sessionContext(creationDate, mfaAuthenticated, {
				type: 'Role',
				principalId: role.roleId,
				arn: role.arn,
				accountId: role.account,
				userName: role.name,
			}),
		};
	},
	service(invokedBy: string) {
		return {type: 'AWSService', invokedBy};
	},
	identityCenterUser(account: string, userId: string, identityStoreId: string, credentialId: string) {
		return {
			type: 'IdentityCenterUser',
			arn: '',
			accountId: account,
			accessKeyId: '',
			onBehalfOf: {userId, identityStoreArn: `arn:aws:identitystore::${account}:identitystore/${identityStoreId}`},
			credentialId,
		};
	},
};

export interface CallSpec {
	time: number;
	identity: Record<string, unknown>;
	/** The account that recorded the event (default: the identity's account). */
	account?: string;
	source: string;
	name: string;
	region?: string;
	ip: string;
	userAgent: string;
	errorCode?: string;
	errorMessage?: string;
	request?: unknown;
	response?: unknown;
	additional?: Record<string, unknown>;
	readOnly?: boolean;
	resources?: Record<string, unknown>[];
	eventType?: string;
	serviceEventDetails?: Record<string, unknown>;
	/** sessionCredentialFromConsole: the call came from a console session. */
	fromConsole?: boolean;
	/** tlsDetails.clientProvidedHostHeader; omitted for calls made inside AWS. */
	host?: string;
	/** Sign-in events carry no requestID. */
	noRequestId?: boolean;
	sharedEventId?: string;
}

/** Builds one record in the field order CloudTrail writes. */
export function buildRecord(rng: Random, spec: CallSpec): TrailEvent {
	const account = spec.account ?? (spec.identity['accountId'] as string);
	const region = spec.region ?? 'us-east-1';
	const r: CloudTrailRecord = {
		eventVersion: '1.08',
		userIdentity: spec.identity,
		eventTime: formatUtc(spec.time),
		eventSource: spec.source,
		eventName: spec.name,
		awsRegion: region,
		sourceIPAddress: spec.ip,
		userAgent: spec.userAgent,
	};
	if (spec.errorCode !== undefined) r['errorCode'] = spec.errorCode;
	if (spec.errorMessage !== undefined) r['errorMessage'] = spec.errorMessage;
	r['requestParameters'] = spec.request ?? null;
	r['responseElements'] = spec.response ?? null;
	if (spec.additional) r['additionalEventData'] = spec.additional;
	if (!spec.noRequestId) r['requestID'] = spec.source === 's3.amazonaws.com' ? rng.requestId() : rng.uuid();
	r['eventID'] = rng.uuid();
	r['readOnly'] = spec.readOnly ?? false;
	if (spec.resources) r['resources'] = spec.resources;
	r['eventType'] = spec.eventType ?? 'AwsApiCall';
	r['managementEvent'] = true;
	r['recipientAccountId'] = account;
	if (spec.sharedEventId) r['sharedEventID'] = spec.sharedEventId;
	if (spec.serviceEventDetails) r['serviceEventDetails'] = spec.serviceEventDetails;
	r['eventCategory'] = 'Management';
	if (spec.fromConsole) r['sessionCredentialFromConsole'] = 'true';
	if (spec.host) r['tlsDetails'] = {tlsVersion: 'TLSv1.2', cipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256', clientProvidedHostHeader: spec.host};
	return {time: spec.time, account, region, record: r};
}

export interface SignInSpec {
	time: number;
	identity: Record<string, unknown>;
	account: string;
	ip: string;
	userAgent: string;
	region?: string;
}

/** ConsoleLogin: Success or Failure, MFAUsed as written ("Yes", "YES" for root, "No"). */
export function consoleLogin(
	rng: Random,
	spec: SignInSpec & {success: boolean; mfaUsed: 'Yes' | 'YES' | 'No'; mfaIdentifier?: string; errorMessage?: string},
): TrailEvent {
	const region = spec.region ?? 'us-east-1';
	const additional: Record<string, unknown> = {
		LoginTo: `https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_${region}_${rng.chars('0123456789abcdef', 16)}`,
		MobileVersion: 'No',
	};
	if (spec.mfaIdentifier) additional['MFAIdentifier'] = spec.mfaIdentifier;
	additional['MFAUsed'] = spec.mfaUsed;
	return buildRecord(rng, {
		time: spec.time,
		identity: spec.identity,
		account: spec.account,
		source: 'signin.amazonaws.com',
		name: 'ConsoleLogin',
		region,
		ip: spec.ip,
		userAgent: spec.userAgent,
		errorMessage: spec.success ? undefined : (spec.errorMessage ?? 'Failed authentication'),
		response: {ConsoleLogin: spec.success ? 'Success' : 'Failure'},
		additional,
		noRequestId: true,
		eventType: 'AwsConsoleSignIn',
		host: 'signin.aws.amazon.com',
	});
}

/** CheckMfa: the MFA step of a console sign-in, before ConsoleLogin. */
export function checkMfa(rng: Random, spec: SignInSpec & {success: boolean; mfaType: string}): TrailEvent {
	const region = spec.region ?? 'us-east-1';
	return buildRecord(rng, {
		time: spec.time,
		identity: spec.identity,
		account: spec.account,
		source: 'signin.amazonaws.com',
		name: 'CheckMfa',
		region,
		ip: spec.ip,
		userAgent: spec.userAgent,
		response: {CheckMfa: spec.success ? 'Success' : 'Failure'},
		additional: {MfaType: spec.mfaType},
		noRequestId: true,
		eventType: 'AwsConsoleSignIn',
		host: `${region}.signin.aws.amazon.com`,
	});
}

/** An ordinary read call by any identity: the bulk of every real trail. */
export function noiseCall(rng: Random, time: number, who: Record<string, unknown>, region: string, ip: string, userAgent: string, fromConsole = false, recipient?: string): TrailEvent {
	const account = recipient ?? (who['accountId'] as string);
	const kind = rng.int(0, 5);
	const base = {time, identity: who, account, region, ip, userAgent, readOnly: true, fromConsole};
	if (kind === 0) {
		const bucket = `${rng.pick(['app-logs', 'backups', 'data-lake', 'static-site', 'tf-state'])}-${account.slice(-4)}-${region}`;
		return buildRecord(rng, {
			...base,
			region: 'us-east-1',
			source: 's3.amazonaws.com',
			name: rng.pick(['GetBucketAcl', 'GetBucketPolicy', 'GetBucketLocation', 'GetBucketVersioning']),
			request: {bucketName: bucket, Host: `${bucket}.s3.amazonaws.com`, acl: ''},
			additional: {
				SignatureVersion: 'SigV4',
				CipherSuite: 'ECDHE-RSA-AES128-GCM-SHA256',
				bytesTransferredIn: 0,
				AuthenticationMethod: 'AuthHeader',
				'x-amz-id-2': rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 76),
				bytesTransferredOut: rng.int(200, 900),
			},
			resources: [{accountId: account, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}`}],
			host: fromConsole ? undefined : `${bucket}.s3.amazonaws.com`,
		});
	}
	if (kind === 1 || kind === 2) {
		const name = rng.pick(['DescribeInstances', 'DescribeVpcs', 'DescribeSecurityGroups', 'DescribeSubnets', 'DescribeRouteTables']);
		return buildRecord(rng, {
			...base,
			source: 'ec2.amazonaws.com',
			name,
			request:
				name === 'DescribeInstances'
					? {instancesSet: {items: [{instanceId: `i-0${rng.chars('0123456789abcdef', 16)}`}]}, filterSet: {}}
					: {filterSet: {items: [{name: 'vpc-id', valueSet: {items: [{value: `vpc-0${rng.chars('0123456789abcdef', 16)}`}]}}]}},
			host: fromConsole ? undefined : `ec2.${region}.amazonaws.com`,
		});
	}
	if (kind === 3) {
		return buildRecord(rng, {
			...base,
			source: 'kms.amazonaws.com',
			name: 'Decrypt',
			request: {encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: {PARAMETER_ARN: `arn:aws:ssm:${region}:${account}:parameter/app/db-password`}},
			resources: [{accountId: account, type: 'AWS::KMS::Key', ARN: `arn:aws:kms:${region}:${account}:key/${rng.uuid()}`}],
			host: fromConsole ? undefined : `kms.${region}.amazonaws.com`,
		});
	}
	if (kind === 4) {
		return buildRecord(rng, {
			...base,
			source: 'ssm.amazonaws.com',
			name: rng.pick(['GetParameter', 'DescribeParameters', 'GetParametersByPath']),
			request: {name: `/app/${rng.pick(['db', 'api', 'cache'])}/${rng.pick(['password', 'endpoint', 'token'])}`, withDecryption: true},
			host: fromConsole ? undefined : `ssm.${region}.amazonaws.com`,
		});
	}
	return buildRecord(rng, {
		...base,
		region: 'us-east-1',
		source: 'iam.amazonaws.com',
		name: rng.pick(['GetUser', 'ListAttachedUserPolicies', 'ListRoles', 'GetAccountSummary']),
		request: null,
		host: fromConsole ? undefined : 'iam.amazonaws.com',
	});
}

/** sts:AssumeRole of a role by a service or a principal, and its response. */
export function assumeRole(rng: Random, time: number, caller: Record<string, unknown>, role: Role, sessionName: string, sessionKey: string, ip: string, userAgent: string, region = 'us-east-1'): TrailEvent {
	const service = caller['type'] === 'AWSService' ? (caller['invokedBy'] as string) : undefined;
	return buildRecord(rng, {
		time,
		identity: caller,
		account: role.account,
		source: 'sts.amazonaws.com',
		name: 'AssumeRole',
		region,
		ip: service ?? ip,
		userAgent: service ?? userAgent,
		request: {roleArn: role.arn, roleSessionName: sessionName, durationSeconds: 3600},
		response: {
			credentials: {accessKeyId: sessionKey, sessionToken: `IQoJb3JpZ2luX2Vj${rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 180)}`, expiration: new Date(time + 3_600_000).toUTCString()},
			assumedRoleUser: {assumedRoleId: `${role.roleId}:${sessionName}`, arn: `arn:aws:sts::${role.account}:assumed-role/${role.name}/${sessionName}`},
		},
		readOnly: true,
		resources: [{accountId: role.account, type: 'AWS::IAM::Role', ARN: role.arn}],
		sharedEventId: service ? rng.uuid() : undefined,
		host: service ? undefined : `sts.${region}.amazonaws.com`,
	});
}
