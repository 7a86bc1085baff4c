/**
 * THE one list of MFA-relevant CloudTrail events: which event sources and names matter to MFA
 * evidence, and the role each plays. The importer's notion of "MFA-relevant" (model/facts.ts), the
 * model (lifecycle, sign-ins, AssumeRoot, account events), the rules and the organisation-scale
 * SQL (mfaEventPredicate) all read it, so they can never disagree about what counts.
 *
 * The bottom layer: imports nothing from the project. Sources for each entry are in
 * docs/research/mfa-2024-2026.md and org-scale.md §3.1.
 */

export type MfaEventRole =
	/** IAM MFA device lifecycle: create, enable, resync, deactivate, delete. */
	| 'device-lifecycle'
	/** IAM calls that name or list devices without changing them. */
	| 'device-read'
	/** signin ConsoleLogin. */
	| 'console-sign-in'
	/** signin CheckMfa: the MFA step of a console sign-in. */
	| 'mfa-check'
	/** signin CredentialChallenge/CredentialVerification/UserAuthentication: Identity Center, WorkSpaces, Transfer Family. */
	| 'idc-sign-in'
	/** `aws login` (CLI 2.32+) OAuth 2.0 sign-in. */
	| 'oauth2-sign-in'
	/** signin GetSigninToken: console federation from a session. */
	| 'signin-token'
	/** Root password recovery through the sign-in page. */
	| 'password-recovery'
	/** Other sign-in page events (password and e-mail updates, role switching). */
	| 'sign-in-other'
	/** STS calls that carry an MFA serial (relevant only when requestParameters.serialNumber is set). */
	| 'sts-with-serial'
	/** STS federation sessions: the sessions GetSigninToken turns into console sessions. */
	| 'sts-federation'
	/** sts:AssumeRoot: a management-account principal opens a root session in a member account. */
	| 'assume-root'
	/** Password and access-key management of IAM users and root (login profiles above all). */
	| 'root-credential'
	/** Organizations-wide root access management (centralized root access, Nov 2024). */
	| 'root-access-management'
	/** Organizations calls that enable centralized root access for IAM. */
	| 'organizations-setup'
	/** Identity Center MFA device changes. */
	| 'idc-device'
	/** Identity Center device reads. */
	| 'idc-device-read'
	/** Identity Center directory MFA settings. */
	| 'idc-settings'
	/** Any other event of an Identity Center source (portal, OIDC, identity store). */
	| 'idc-other'
	/** S3 Access Grants calls a Transfer Family web app makes for an Identity Center user: they tell its sign-ins from portal ones. */
	| 'transfer-web-app';

/** What a device event does to the device. */
export type DeviceAction = 'create' | 'enable' | 'resync' | 'deactivate' | 'delete' | 'update' | 'start' | 'read';

export interface MfaEvent {
	readonly name: string;
	readonly sources: readonly string[];
	readonly role: MfaEventRole;
	readonly action?: DeviceAction;
	/** Relevant only when requestParameters holds this key (AssumeRole with a serialNumber). */
	readonly requires?: 'serialNumber';
}

const iam = ['iam.amazonaws.com'];
const sts = ['sts.amazonaws.com'];
const signin = ['signin.amazonaws.com'];
/** Identity Center's identity-store operations are logged under either source [D1][D6]. */
const idcDirectory = ['sso-directory.amazonaws.com', 'identitystore.amazonaws.com'];
/** PutMfaDeviceManagementForDirectory is listed both as a console and as an identity-store operation [D6]. */
const idcSettings = ['sso.amazonaws.com', ...idcDirectory];

/** Sources every event of which is MFA-relevant (sign-in page, Identity Center portal, OIDC and directory). */
export const wholeSources: readonly {source: string; role: MfaEventRole}[] = [
	{source: 'signin.amazonaws.com', role: 'sign-in-other'},
	{source: 'sso.amazonaws.com', role: 'idc-other'},
	{source: 'sso-oauth.amazonaws.com', role: 'idc-other'},
	{source: 'sso-directory.amazonaws.com', role: 'idc-other'},
	{source: 'identitystore.amazonaws.com', role: 'idc-other'},
];

const entry = (sources: readonly string[], role: MfaEventRole, names: string[], extra: Partial<MfaEvent> = {}): MfaEvent[] =>
	names.map(name => ({name, sources, role, ...extra}));

export const mfaEvents: readonly MfaEvent[] = [
	// IAM devices (cloudtrail-mfa.md §1.4)
	...entry(iam, 'device-lifecycle', ['CreateVirtualMFADevice'], {action: 'create'}),
	...entry(iam, 'device-lifecycle', ['EnableMFADevice'], {action: 'enable'}),
	...entry(iam, 'device-lifecycle', ['ResyncMFADevice'], {action: 'resync'}),
	...entry(iam, 'device-lifecycle', ['DeactivateMFADevice'], {action: 'deactivate'}),
	...entry(iam, 'device-lifecycle', ['DeleteVirtualMFADevice'], {action: 'delete'}),
	...entry(iam, 'device-read', ['GetMFADevice', 'TagMFADevice', 'UntagMFADevice', 'ListMFADeviceTags', 'ListMFADevices', 'ListVirtualMFADevices'], {
		action: 'read',
	}),
	// Sign-in page
	...entry(signin, 'console-sign-in', ['ConsoleLogin']),
	...entry(signin, 'mfa-check', ['CheckMfa']),
	...entry(signin, 'idc-sign-in', ['CredentialChallenge', 'CredentialVerification', 'UserAuthentication']),
	...entry(signin, 'oauth2-sign-in', ['AuthorizeOAuth2Access', 'CreateOAuth2Token']),
	...entry(signin, 'signin-token', ['GetSigninToken']),
	...entry(signin, 'password-recovery', ['PasswordRecoveryRequested', 'PasswordRecoveryCompleted']),
	...entry(signin, 'sign-in-other', ['PasswordUpdated', 'EmailUpdated', 'SwitchRole', 'ExitRole', 'RenewRoleCredentials']),
	// STS
	...entry(sts, 'sts-with-serial', ['GetSessionToken', 'AssumeRole'], {requires: 'serialNumber'}),
	...entry(sts, 'sts-federation', ['GetFederationToken']),
	...entry(sts, 'assume-root', ['AssumeRoot']),
	// Credentials that AssumeRoot tasks and account takeovers touch (mfa-2024-2026.md §3.4, §3.5)
	...entry(iam, 'root-credential', [
		'CreateLoginProfile',
		'UpdateLoginProfile',
		'DeleteLoginProfile',
		'GetLoginProfile',
		'ChangePassword',
		'CreateAccessKey',
		'UpdateAccessKey',
		'DeleteAccessKey',
		'DeleteSigningCertificate',
	]),
	...entry(iam, 'root-access-management', [
		'EnableOrganizationsRootCredentialsManagement',
		'DisableOrganizationsRootCredentialsManagement',
		'EnableOrganizationsRootSessions',
		'DisableOrganizationsRootSessions',
		'ListOrganizationsFeatures',
	]),
	...entry(['organizations.amazonaws.com'], 'organizations-setup', [
		'EnableAWSServiceAccess',
		'DisableAWSServiceAccess',
		'RegisterDelegatedAdministrator',
		'DeregisterDelegatedAdministrator',
	]),
	// Identity Center devices and settings (mfa-2024-2026.md §4.4)
	...entry(idcDirectory, 'idc-device', ['StartVirtualMfaDeviceRegistration', 'StartWebAuthnDeviceRegistration'], {action: 'start'}),
	...entry(idcDirectory, 'idc-device', ['CompleteVirtualMfaDeviceRegistration', 'CompleteWebAuthnDeviceRegistration'], {action: 'create'}),
	...entry(idcDirectory, 'idc-device', ['UpdateMfaDeviceForUser'], {action: 'update'}),
	...entry(idcDirectory, 'idc-device', ['DeleteMfaDeviceForUser'], {action: 'delete'}),
	// CreateMfaDeviceForUser, RegisterMfaDeviceForUser and DescribeMfaDeviceForUser are not AWS actions
	// (missing from the sso-directory action list and the CloudTrail operation list, mfa-2024-2026.md §4.4): not listed.
	...entry(idcDirectory, 'idc-device-read', ['ListMfaDevicesForUser'], {action: 'read'}),
	...entry(idcSettings, 'idc-settings', ['PutMfaDeviceManagementForDirectory', 'GetMfaDeviceManagementForDirectory']),
	// Transfer Family web apps (mfa-2024-2026.md §5): what follows their Identity Center sign-in
	...entry(['s3.amazonaws.com'], 'transfer-web-app', ['GetDataAccess', 'ListCallerAccessGrants']),
];

const byKey = new Map<string, MfaEvent>();
const byName = new Map<string, MfaEvent>();
for (const e of mfaEvents) {
	for (const source of e.sources) byKey.set(`${source}|${e.name}`, e);
	if (!byName.has(e.name)) byName.set(e.name, e);
}
const wholeSourceRole = new Map(wholeSources.map(s => [s.source, s.role]));

/**
 * The entry for a (source, name) pair; an event of a whole source not listed by name gets that
 * source's role. Partial exports (SIEM tables) may lack the source: then the name alone decides.
 */
export function mfaEvent(eventSource: string | null | undefined, eventName: string | null | undefined): MfaEvent | undefined {
	if (!eventName) return undefined;
	if (!eventSource) return byName.get(eventName);
	const listed = byKey.get(`${eventSource}|${eventName}`);
	if (listed) return listed;
	const role = wholeSourceRole.get(eventSource);
	return role ? {name: eventName, sources: [eventSource], role} : undefined;
}

/** The role of an event, if it is MFA-relevant at all. */
export function roleOf(eventSource: string | null | undefined, eventName: string | null | undefined): MfaEventRole | undefined {
	return mfaEvent(eventSource, eventName)?.role;
}

/** Is the record MFA-relevant? requestParameters is consulted only for entries that require a key. */
export function isMfaRelevantEvent(eventSource: string | null | undefined, eventName: string | null | undefined, requestParameters: unknown): boolean {
	const e = mfaEvent(eventSource, eventName);
	if (!e) return false;
	if (!e.requires) return true;
	const request = requestParameters !== null && typeof requestParameters === 'object' ? (requestParameters as Record<string, unknown>) : undefined;
	return Boolean(request?.[e.requires]);
}

/** Names of the entries matching a test, as a set (the model and the rules test event names). */
export function eventNames(test: (e: MfaEvent) => boolean): ReadonlySet<string> {
	return new Set(mfaEvents.filter(test).map(e => e.name));
}

const isDevice = (e: MfaEvent) => e.role === 'device-lifecycle' || e.role === 'idc-device';

/** A device's lifecycle: IAM lifecycle calls and Identity Center device events, reads excepted. */
export const lifecycleEvents = eventNames(e => isDevice(e) && e.action !== 'read');
/** Identity Center device events, changes and reads. */
export const identityCenterDeviceEvents = eventNames(e => e.role === 'idc-device' || e.role === 'idc-device-read');
/** Calls that create or enable a device. */
export const deviceAddEvents = eventNames(e => isDevice(e) && (e.action === 'create' || e.action === 'enable'));
/** Calls after which a device can be used to sign in (an IAM virtual device must still be enabled). */
export const deviceEnableEvents = eventNames(e => isDevice(e) && (e.action === 'enable' || (e.role === 'idc-device' && e.action === 'create')));
/** Calls that take a device away from its owner. */
export const deviceRemovalEvents = eventNames(e => isDevice(e) && (e.action === 'deactivate' || e.action === 'delete'));
/**
 * Calls that act on a named user's device: enabling or deactivating an IAM device, and completing,
 * updating or deleting an Identity Center registration. Made by anyone but the owner, they are an
 * administrator (or an intruder) managing someone else's MFA. Not here: CreateVirtualMFADevice
 * names no owner; DeleteVirtualMFADevice deletes only a device no one holds any more (IAM refuses
 * an assigned one), after the deactivation that is the act on the user; ResyncMFADevice only
 * realigns a device with its codes.
 */
export const deviceManagementEvents = eventNames(
	e => (e.role === 'device-lifecycle' && (e.action === 'enable' || e.action === 'deactivate')) || (e.role === 'idc-device' && (e.action === 'create' || e.action === 'update' || e.action === 'delete')),
);
/** Calls that change a device's state (everything in the lifecycle but reads). */
export const deviceChangeEvents = eventNames(e => isDevice(e) && e.action !== 'read' && e.action !== 'start');
/** Identity Center device calls that create a device. */
export const identityCenterCreateEvents = eventNames(e => e.role === 'idc-device' && e.action === 'create');
/**
 * The state a successful device call leaves the device in: an IAM virtual device is only created
 * until enabled; an Identity Center registration, once completed, is usable at once.
 */
export function deviceStateAfter(eventName: string): 'created' | 'enabled' | 'deactivated' | 'deleted' | undefined {
	const e = byName.get(eventName);
	if (!e || !isDevice(e)) return undefined;
	switch (e.action) {
		case 'create':
			return e.role === 'idc-device' ? 'enabled' : 'created';
		case 'enable':
		case 'resync':
			return 'enabled';
		case 'deactivate':
			return 'deactivated';
		case 'delete':
			return 'deleted';
		default:
			return undefined;
	}
}

/** The names of a role. */
export const namesOf = (role: MfaEventRole): ReadonlySet<string> => eventNames(e => e.role === role);

// ---- SQL (organisation-scale selection: Athena/Trino and DuckDB share the text) ----

/** A SQL string literal: single quotes doubled. */
export function sqlString(value: string): string {
	return `'${value.replaceAll("'", "''")}'`;
}

/** `'a', 'b'` for an IN list, sorted so the statement text is stable. */
export function sqlInList(values: Iterable<string>): string {
	return [...new Set(values)].sort().map(sqlString).join(', ');
}

/** The selection the list describes, grouped the way SQL wants it. */
export interface MfaEventSelection {
	/** Every event of these sources. */
	wholeSources: string[];
	/** Named events per source (sources above excluded: they are whole). */
	bySource: {source: string; names: string[]}[];
	/** Events relevant only when requestParameters holds the key. */
	conditional: {source: string; name: string; requestParameter: string}[];
}

export function mfaEventSelection(): MfaEventSelection {
	const whole = new Set(wholeSources.map(s => s.source));
	const names = new Map<string, Set<string>>();
	const conditional: MfaEventSelection['conditional'] = [];
	for (const e of mfaEvents) {
		for (const source of e.sources) {
			if (whole.has(source)) continue;
			if (e.requires) {
				conditional.push({source, name: e.name, requestParameter: e.requires});
				continue;
			}
			let set = names.get(source);
			if (!set) names.set(source, (set = new Set()));
			set.add(e.name);
		}
	}
	return {
		wholeSources: [...whole].sort(),
		bySource: [...names.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([source, set]) => ({source, names: [...set].sort()})),
		conditional: conditional.sort((a, b) => a.source.localeCompare(b.source) || a.name.localeCompare(b.name)),
	};
}

/**
 * A SQL predicate true exactly for MFA-relevant rows (isMfaRelevantEvent), over the given column
 * expressions. requestParameters is the JSON text of the column: a LIKE on the quoted key is a
 * superset of "the key is set" (a null value still matches), which is the safe side for selecting files.
 */
export function mfaEventPredicate(columns: {eventSource: string; eventName: string; requestParameters: string}): string {
	const selection = mfaEventSelection();
	const parts = [`${columns.eventSource} IN (${sqlInList(selection.wholeSources)})`];
	for (const {source, names} of selection.bySource) {
		parts.push(`(${columns.eventSource} = ${sqlString(source)} AND ${columns.eventName} IN (${sqlInList(names)}))`);
	}
	for (const c of selection.conditional) {
		parts.push(
			`(${columns.eventSource} = ${sqlString(c.source)} AND ${columns.eventName} = ${sqlString(c.name)} AND ${columns.requestParameters} LIKE ${sqlString(`%"${c.requestParameter}"%`)})`,
		);
	}
	return `(${parts.join('\n  OR ')})`;
}
