/**
 * Read-only questions over the MFA model (source/model/refresh.ts): the contract shared by the
 * query commands and the explorer. All SQL for them lives here.
 */
import type {CaseFile} from './open.js';
import {encodeEventId} from './event-row.js';
import {signInLoginTo} from './facts-codec.js';
import {RawReader} from './raw.js';
import {fidoLabel} from '../domain/fido.js';
import {deviceStateAfter} from '../domain/mfa-events.js';

/** How a call was authenticated: a long-term access key, temporary credentials, the console. */
export type Credential = 'long-term' | 'temporary' | 'console' | 'unknown';

export interface PrincipalRow {
	arn: string;
	type: string;
	name: string | null;
	/** Identity Center users: the name they sign in with (additionalEventData.UserName), beside the id in the ARN. */
	displayName: string | null;
	accountId: string | null;
	deviceCount: number;
	signInCount: number;
	failedSignIns: number;
	lastSignIn: string | null;
	findingCount: number;
	eventCount: number;
	firstSeen: string | null;
	lastSeen: string | null;
}

export interface LifecycleEntry {
	eventName: string;
	eventTime: string;
	eventId: string;
	actor: string | null;
	accessKeyId: string | null;
	credential: Credential;
	mfaAuthenticated: boolean | null;
	sourceIPAddress: string | null;
	userAgent: string | null;
	errorCode: string | null;
	errorMessage: string | null;
	applied: boolean;
	serialNumber: string | null;
	cliCommand: string | null;
	ownerArn: string | null;
	deviceId: number | null;
	/** The actor in words when the record alone misleads: 'root session via AssumeRoot by CALLER (task …)'. */
	actorNote: string | null;
	/** The AssumeRoot caller behind a root session, when its call is in the evidence. */
	assumeRootCaller: string | null;
	/** event row id: orders ties and pages. */
	event: number;
}

export interface SignInEntry {
	eventTime: string;
	eventName: string;
	kind: string;
	result: 'Success' | 'Failure' | null;
	mfaUsed: 'Yes' | 'No' | null;
	mfaIdentifier: string | null;
	failedAtMfa: boolean;
	mfaType: string | null;
	sourceIPAddress: string | null;
	userAgent: string | null;
	errorMessage: string | null;
	loginTo: string | null;
	/** The user name the step carries (Identity Center UserName or the typed name). */
	userName: string | null;
	/** A federated console sign-in (domain/sign-in-mfa.ts): its MFA happened at the identity provider. */
	federation: string | null;
	eventId: string;
	principalArn: string;
	deviceId: number | null;
	/** event row id: orders ties and pages (afterEvent). */
	event: number;
}

/** What every view of a device incarnation states: which one it is and when its state changed. */
export interface DeviceState {
	serialNumber: string;
	incarnation: number;
	name: string | null;
	type: string;
	state: string;
	createdAt: string | null;
	enabledAt: string | null;
	deactivatedAt: string | null;
	deletedAt: string | null;
	lastUsed: string | null;
}

/** A device as the views state it, its kind in words ('FIDO (passkey or security key)', …). */
export interface DeviceStateView extends DeviceState {
	typeLabel: string;
}

export interface DeviceRow extends DeviceState {
	id: number;
	accountId: string | null;
	ownerArn: string | null;
	creatorArn: string | null;
	firstSeen: string | null;
	lastSeen: string | null;
	useCount: number;
	findingCount: number;
}

export interface UserDevice extends DeviceStateView {
	id: number;
	deviceId: number;
	lifecycle: LifecycleEntry[];
}

export interface UserView {
	principal: {arn: string; type: string; name: string | null; displayName: string | null; accountId: string | null};
	devices: UserDevice[];
	logins: SignInEntry[];
	/** Lifecycle calls by or for this principal that name no known device (denied calls log no serial). */
	attempts: LifecycleEntry[];
}

export interface DeviceView extends DeviceStateView {
	id: number;
	owner: string | null;
	creator: string | null;
	lifecycle: LifecycleEntry[];
	/** Console sign-ins naming the device. */
	logins: SignInEntry[];
	/** STS calls made with the device (GetSessionToken/AssumeRole serialNumber). */
	mfaUses: SignInEntry[];
	/** Other incarnations of the same serial (a name reused after deletion). */
	otherIncarnations: {id: number; incarnation: number; state: string; createdAt: string | null; deletedAt: string | null}[];
}

export interface SignInFilter {
	principalArn?: string;
	deviceSerial?: string;
	failedOnly?: boolean;
	/** Sign-ins from these source IPs (the IP pivot). */
	sourceIPs?: string[];
	since?: string;
	until?: string;
	limit?: number;
	/** Keyset paging: entries strictly after (afterTime, afterEvent) in time order. */
	afterTime?: string;
	afterEvent?: number;
}

export type TimelineEntry =
	| ({kind: 'lifecycle'; principalArn: string | null} & LifecycleEntry)
	| ({kind: 'sign-in'; signInKind: string} & Omit<SignInEntry, 'kind'>);

export interface Provenance {
	path: string;
	member: string | null;
	format: string;
	sha256: string;
	contentSha256: string;
	position: number;
}

export interface EventRecord {
	eventId: string;
	versions: {record: string; conflict: boolean; partial: boolean; derived: boolean; eventTime: string; flags: string | null; provenance: Provenance[]}[];
}

const principalColumns = `p.arn, p.type, p.name, p.display_name AS displayName, p.account_id AS accountId, p.device_count AS deviceCount,
	p.sign_in_count AS signInCount, p.failed_sign_ins AS failedSignIns, p.last_sign_in AS lastSignIn,
	p.event_count AS eventCount, p.first_seen AS firstSeen, p.last_seen AS lastSeen,
	(SELECT count(*) FROM finding f WHERE f.principal_arn = p.arn) AS findingCount`;

/** Exact ARN, else exact name (or Identity Center sign-in name), else case-insensitive name. */
export function findPrincipals(db: CaseFile, nameOrArn: string): PrincipalRow[] {
	const byArn = db.prepare(`SELECT ${principalColumns} FROM principal p WHERE p.arn = ?`).all(nameOrArn) as PrincipalRow[];
	if (byArn.length > 0) return byArn;
	const byName = db
		.prepare(`SELECT ${principalColumns} FROM principal p WHERE p.name = @n
			OR p.arn IN (SELECT principal_arn FROM identity_center_name WHERE user_name = @n) ORDER BY p.account_id, p.arn`)
		.all({n: nameOrArn}) as PrincipalRow[];
	if (byName.length > 0) return byName;
	return db
		.prepare(`SELECT ${principalColumns} FROM principal p WHERE p.name = @n COLLATE NOCASE
			OR p.arn IN (SELECT principal_arn FROM identity_center_name WHERE user_name = @n COLLATE NOCASE) ORDER BY p.account_id, p.arn`)
		.all({n: nameOrArn}) as PrincipalRow[];
}

const lifecycleSelect = `SELECT l.event_name AS eventName, l.event_time AS eventTime, l.event_id AS eventId, l.actor_arn AS actor,
	l.access_key_id AS accessKeyId, l.credential, l.mfa_authenticated AS mfaAuthenticated, l.source_ip AS sourceIPAddress,
	l.user_agent AS userAgent, l.error_code AS errorCode, l.error_message AS errorMessage, l.applied,
	l.serial_number AS serialNumber, l.cli_command AS cliCommand, l.owner_arn AS ownerArn, l.device_id AS deviceId,
	l.actor_note AS actorNote, (SELECT a.actor_arn FROM account_event a WHERE a.event = l.assume_root_event) AS assumeRootCaller, l.event
	FROM lifecycle_event l`;

const signInSelect = `SELECT s.event_time AS eventTime, s.event_name AS eventName, s.kind, s.result, s.mfa_used AS mfaUsed,
	s.mfa_identifier AS mfaIdentifier, s.failed_at_mfa AS failedAtMfa, s.mfa_type AS mfaType, s.source_ip AS sourceIPAddress,
	s.user_agent AS userAgent, s.error_message AS errorMessage, (SELECT f.facts FROM event_row f WHERE f.id = s.event) AS facts, s.user_name AS userName, s.federation, s.event_id AS eventId,
	s.principal_arn AS principalArn, s.device_id AS deviceId, s.event
	FROM sign_in s`;

type Row = Record<string, unknown>;

function lifecycleEntry(row: Row): LifecycleEntry {
	return {
		...(row as unknown as LifecycleEntry),
		mfaAuthenticated: row.mfaAuthenticated === null ? null : row.mfaAuthenticated === 1,
		applied: row.applied === 1,
	};
}

function signInEntry(row: Row): SignInEntry {
	const {facts, ...rest} = row;
	return {...(rest as unknown as SignInEntry), loginTo: signInLoginTo(facts), failedAtMfa: row.failedAtMfa === 1};
}

const deviceColumns = `d.id, d.serial_number AS serialNumber, d.incarnation, d.name, d.type, d.account_id AS accountId,
	d.owner_arn AS ownerArn, d.creator_arn AS creatorArn, d.state, d.created_at AS createdAt, d.enabled_at AS enabledAt,
	d.deactivated_at AS deactivatedAt, d.deleted_at AS deletedAt, d.first_seen AS firstSeen, d.last_seen AS lastSeen,
	d.last_used AS lastUsed, d.use_count AS useCount,
	(SELECT count(*) FROM finding f WHERE f.serial_number = d.serial_number) AS findingCount`;

/** The `mfatrail user` view: the principal, each device it owned with its lifecycle, its sign-ins. */
export function userView(db: CaseFile, arn: string): UserView | undefined {
	const principal = db.prepare(`SELECT arn, type, name, display_name AS displayName, account_id AS accountId FROM principal WHERE arn = ?`).get(arn) as
		| UserView['principal']
		| undefined;
	if (!principal) return undefined;
	// Its devices, and those it created that were never enabled for anyone (half-created devices).
	const devices = db
		.prepare(`SELECT ${deviceColumns} FROM device d WHERE d.owner_arn = ? OR (d.owner_arn IS NULL AND d.creator_arn = ?)
			ORDER BY coalesce(d.created_at, d.enabled_at, d.first_seen), d.id`)
		.all(arn, arn) as DeviceRow[];
	const lifecycleOf = db.prepare(`${lifecycleSelect} WHERE l.device_id = ? ORDER BY l.event_time, l.event`);
	const attempts = db
		.prepare(`${lifecycleSelect} WHERE l.device_id IS NULL AND (l.owner_arn = ? OR l.actor_arn = ?) ORDER BY l.event_time, l.event`)
		.all(arn, arn) as Row[];
	return {
		principal,
		devices: devices.map(d => ({
			id: d.id,
			deviceId: d.id,
			...deviceState(d),
			lifecycle: (lifecycleOf.all(d.id) as Row[]).map(r => lifecycleEntry(r)),
		})),
		logins: listSignIns(db, {principalArn: arn}),
		attempts: attempts.map(r => lifecycleEntry(r)),
	};
}

const typeLabels: Record<string, string> = {
	virtual: 'virtual (authenticator app)',
	hardware: 'hardware TOTP token',
	'identity-center': 'Identity Center device',
	unknown: 'unknown',
};

/** The device's kind in words: FIDO serials say passkey or security key only as a guess from the name. */
export function deviceTypeLabel(type: string, serialNumber: string): string {
	if (type === 'fido') return fidoLabel(serialNumber);
	return typeLabels[type] ?? type;
}

function deviceState(d: DeviceState): DeviceStateView {
	const {serialNumber, incarnation, name, type, state, createdAt, enabledAt, deactivatedAt, deletedAt, lastUsed} = d;
	return {serialNumber, incarnation, name, type, typeLabel: deviceTypeLabel(type, serialNumber), state, createdAt, enabledAt, deactivatedAt, deletedAt, lastUsed};
}

/** Devices by exact serial, else exact name, else case-insensitive name or serial; every incarnation. */
export function findDevices(db: CaseFile, serialOrName: string): DeviceRow[] {
	const order = 'ORDER BY d.serial_number, d.incarnation';
	const bySerial = db.prepare(`SELECT ${deviceColumns} FROM device d WHERE d.serial_number = ? ${order}`).all(serialOrName) as DeviceRow[];
	if (bySerial.length > 0) return bySerial;
	const byName = db.prepare(`SELECT ${deviceColumns} FROM device d WHERE d.name = ? ${order}`).all(serialOrName) as DeviceRow[];
	if (byName.length > 0) return byName;
	return db
		.prepare(`SELECT ${deviceColumns} FROM device d WHERE d.name = ? COLLATE NOCASE OR d.serial_number = ? COLLATE NOCASE ${order}`)
		.all(serialOrName, serialOrName) as DeviceRow[];
}

/** The `mfatrail device` view of one incarnation. */
export function deviceView(db: CaseFile, deviceId: number): DeviceView | undefined {
	const d = db.prepare(`SELECT ${deviceColumns} FROM device d WHERE d.id = ?`).get(deviceId) as DeviceRow | undefined;
	if (!d) return undefined;
	const lifecycle = (db.prepare(`${lifecycleSelect} WHERE l.device_id = ? ORDER BY l.event_time, l.event`).all(deviceId) as Row[]).map(
		r => lifecycleEntry(r),
	);
	const uses = (db.prepare(`${signInSelect} WHERE s.device_id = ? ORDER BY s.event_time, s.event`).all(deviceId) as Row[]).map(
		r => signInEntry(r),
	);
	const others = db
		.prepare(`SELECT id, incarnation, state, created_at AS createdAt, deleted_at AS deletedAt FROM device WHERE serial_number = ? AND id != ? ORDER BY incarnation`)
		.all(d.serialNumber, deviceId) as DeviceView['otherIncarnations'];
	return {
		id: d.id,
		...deviceState(d),
		owner: d.ownerArn,
		creator: d.creatorArn,
		lifecycle,
		logins: uses.filter(u => u.kind !== 'sts-mfa'),
		mfaUses: uses.filter(u => u.kind === 'sts-mfa'),
		otherIncarnations: others,
	};
}

/** Sign-in attempts and MFA uses in time order, filtered; keyset paging by (eventTime, row). */
export function listSignIns(db: CaseFile, filter: SignInFilter = {}): SignInEntry[] {
	const where: string[] = [];
	const args: unknown[] = [];
	if (filter.principalArn) {
		where.push('s.principal_arn = ?');
		args.push(filter.principalArn);
	}
	if (filter.deviceSerial) {
		where.push('s.mfa_identifier = ?');
		args.push(filter.deviceSerial);
	}
	if (filter.failedOnly) where.push(`(s.result = 'Failure' OR s.failed_at_mfa = 1)`);
	if (filter.sourceIPs) {
		where.push(`s.source_ip IN (${filter.sourceIPs.map(() => '?').join(', ') || 'NULL'})`);
		args.push(...filter.sourceIPs);
	}
	if (filter.since) {
		where.push('s.event_time >= ?');
		args.push(filter.since);
	}
	if (filter.until) {
		where.push('s.event_time <= ?');
		args.push(filter.until);
	}
	if (filter.afterTime !== undefined) {
		where.push('(s.event_time > ? OR (s.event_time = ? AND s.event > ?))');
		args.push(filter.afterTime, filter.afterTime, filter.afterEvent ?? 0);
	}
	const limit = filter.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(filter.limit))}` : '';
	const sql = `${signInSelect}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY s.event_time, s.event${limit}`;
	return (db.prepare(sql).all(...args) as Row[]).map(r => signInEntry(r));
}

/** Lifecycle calls and sign-ins merged in time order (ties by event row). */
export function timeline(
	db: CaseFile,
	options: {principalArn?: string; deviceSerial?: string; since?: string; until?: string; limit?: number} = {},
): TimelineEntry[] {
	const lifeWhere: string[] = [];
	const lifeArgs: unknown[] = [];
	if (options.principalArn) {
		lifeWhere.push('(l.owner_arn = ? OR l.actor_arn = ?)');
		lifeArgs.push(options.principalArn, options.principalArn);
	}
	if (options.deviceSerial) {
		lifeWhere.push('l.serial_number = ?');
		lifeArgs.push(options.deviceSerial);
	}
	if (options.since) {
		lifeWhere.push('l.event_time >= ?');
		lifeArgs.push(options.since);
	}
	if (options.until) {
		lifeWhere.push('l.event_time <= ?');
		lifeArgs.push(options.until);
	}
	const limit = options.limit !== undefined ? Math.max(0, Math.floor(options.limit)) : undefined;
	const life = (
		db.prepare(`${lifecycleSelect}${lifeWhere.length > 0 ? ` WHERE ${lifeWhere.join(' AND ')}` : ''} ORDER BY l.event_time, l.event${limit !== undefined ? ` LIMIT ${limit}` : ''}`).all(...lifeArgs) as Row[]
	).map(r => ({...lifecycleEntry(r), kind: 'lifecycle' as const, principalArn: (r.ownerArn as string | null) ?? (r.actor as string | null)}));
	const signIns = listSignIns(db, {principalArn: options.principalArn, deviceSerial: options.deviceSerial, since: options.since, until: options.until, limit}).map(
		s => ({...s, kind: 'sign-in' as const, signInKind: s.kind}),
	);
	const merged: TimelineEntry[] = [...life, ...signIns].sort((a, b) =>
		a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : a.event - b.event,
	);
	return limit !== undefined ? merged.slice(0, limit) : merged;
}

/** One event by eventID: every stored version, verbatim, with where each was seen. */
export function eventRecord(db: CaseFile, eventId: string): EventRecord | undefined {
	const rows = db
		.prepare(`SELECT e.id, e.raw_block AS rawBlock, e.raw_offset AS rawOffset, e.raw_length AS rawLength, e.conflict, e.partial, e.event_id_derived AS derived, e.event_time AS eventTime, e.flags,
			e.source_id AS sourceId, e.position FROM event e WHERE e.id IN (SELECT id FROM event_row WHERE event_id = ?) ORDER BY e.id`)
		.all(encodeEventId(eventId)) as {id: number; rawBlock: number; rawOffset: number; rawLength: number; conflict: number; partial: number; derived: number; eventTime: string; flags: string | null; sourceId: number; position: number}[];
	if (rows.length === 0) return undefined;
	const source = db.prepare(`SELECT path, member, format, sha256, content_sha256 AS contentSha256 FROM source WHERE id = ?`);
	const sightings = db.prepare(`SELECT source_id AS sourceId, position FROM sighting WHERE event = ? ORDER BY rowid`);
	const raw = new RawReader(db);
	const provenance = (sourceId: number, position: number): Provenance => ({...(source.get(sourceId) as Omit<Provenance, 'position'>), position});
	return {
		eventId,
		versions: rows.map(row => ({
			record: raw.text(row.rawBlock, row.rawOffset, row.rawLength),
			conflict: row.conflict === 1,
			partial: row.partial === 1,
			derived: row.derived === 1,
			eventTime: row.eventTime,
			flags: row.flags,
			provenance: [
				provenance(row.sourceId, row.position),
				...(sightings.all(row.id) as {sourceId: number; position: number}[]).map(s => provenance(s.sourceId, s.position)),
			],
		})),
	};
}

/** A device's state at time T, from its applied lifecycle calls up to T. */
export interface DeviceAt extends DeviceRow {
	stateAt: 'enabled' | 'in-use' | 'start-unknown';
}


/**
 * The devices a principal had (assigned: enabled, or known only from use) at time T. A device
 * whose first recorded call is not its creation existed before the evidence: before that call it
 * counts as 'start-unknown'. Devices seen only in sign-ins count from their first use.
 */
export function devicesAt(db: CaseFile, principalArn: string, time: string): DeviceAt[] {
	const devices = db.prepare(`SELECT ${deviceColumns} FROM device d WHERE d.owner_arn = ? ORDER BY d.serial_number, d.incarnation`).all(principalArn) as DeviceRow[];
	const lastApplied = db.prepare(`SELECT event_name AS eventName FROM lifecycle_event WHERE device_id = ? AND applied = 1 AND event_time <= ?
		ORDER BY event_time DESC, event DESC LIMIT 1`);
	const anyApplied = db.prepare(`SELECT 1 FROM lifecycle_event WHERE device_id = ? AND applied = 1 LIMIT 1`);
	const result: DeviceAt[] = [];
	for (const d of devices) {
		const last = lastApplied.get(d.id, time) as {eventName: string} | undefined;
		if (last) {
			if (deviceStateAfter(last.eventName) === 'enabled') result.push({...d, stateAt: 'enabled'});
			continue;
		}
		if (!anyApplied.get(d.id)) {
			if (d.firstSeen && d.firstSeen <= time) result.push({...d, stateAt: 'in-use'});
			continue;
		}
		if (d.createdAt === null) result.push({...d, stateAt: 'start-unknown'});
	}
	return result;
}

/** Device incarnations per state (created, enabled, deactivated, deleted, in-use). */
export function devicesByState(db: CaseFile): {total: number; byState: Record<string, number>} {
	const rows = db.prepare(`SELECT state, count(*) AS n FROM device GROUP BY state ORDER BY state`).all() as {state: string; n: number}[];
	return {total: rows.reduce((sum, r) => sum + r.n, 0), byState: Object.fromEntries(rows.map(r => [r.state, r.n]))};
}

/** The device incarnations in one state, by serial (the overview's "devices by state" lines open these). */
export function devicesInState(db: CaseFile, state: string, limit = 1000): DeviceRow[] {
	return db
		.prepare(`SELECT ${deviceColumns} FROM device d WHERE d.state = ? ORDER BY d.serial_number, d.incarnation LIMIT ?`)
		.all(state, Math.max(0, Math.floor(limit))) as DeviceRow[];
}

export interface ActivityBucket {
	start: string;
	end: string;
	success: number;
	failure: number;
}

/**
 * Sign-in attempts over [first, last] in `buckets` equal slices. An attempt is a ConsoleLogin, an
 * Identity Center UserAuthentication, or a failed Identity Center CredentialVerification (a
 * sign-in that failed before UserAuthentication); it fails when its result is Failure or it failed
 * at the MFA step.
 */
export function signInActivity(db: CaseFile, first: string, last: string, buckets = 60): {total: number; success: number; failure: number; buckets: ActivityBucket[]} {
	const n = Math.max(1, Math.floor(buckets));
	const start = Date.parse(first);
	const end = Date.parse(last);
	const width = Math.max(1000, Math.ceil((end - start + 1) / n));
	const slices: ActivityBucket[] = Array.from({length: n}, (_, i) => ({
		start: new Date(start + i * width).toISOString().replace('.000Z', 'Z'),
		end: new Date(Math.min(end, start + (i + 1) * width - 1)).toISOString().replace('.000Z', 'Z'),
		success: 0,
		failure: 0,
	}));
	// One range count per slice and step name over the covering index sign_in_activity: counting
	// index entries is cheap, computing a bucket per row (julianday) for 150k rows is not.
	const count = db.prepare(`SELECT count(*) AS n, count(*) FILTER (WHERE result = 'Failure' OR failed_at_mfa = 1) AS failed
		FROM sign_in WHERE event_name = ? AND event_time >= ? AND event_time < ?`);
	const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
	let success = 0;
	let failure = 0;
	slices.forEach((slice, i) => {
		const from = i === 0 ? first : iso(start + i * width);
		// The last slice takes everything up to `last`, whatever its sub-second part.
		const to = i === n - 1 ? `${last}\u{10FFFF}` : iso(start + (i + 1) * width);
		for (const name of ['ConsoleLogin', 'UserAuthentication', 'CredentialVerification']) {
			const r = count.get(name, from, to) as {n: number; failed: number};
			const ok = name === 'CredentialVerification' ? 0 : r.n - r.failed;
			slice.success += ok;
			slice.failure += r.failed;
			success += ok;
			failure += r.failed;
		}
	});
	return {total: success + failure, success, failure, buckets: slices};
}

/** What a finding's evidence list shows of one event, read from its columns (never its original text). */
export interface EvidenceRow {
	eventId: string;
	eventTime: string;
	eventName: string | null;
	/** The error code, or a console sign-in's result. */
	result: string | null;
	actor: string | null;
	accessKeyId: string | null;
	sourceIPAddress: string | null;
	userAgent: string | null;
	errorCode: string | null;
}

/** The first stored version of each eventID (eventRecord's versions[0]); absent ones are left out. */
export function evidenceRows(db: CaseFile, eventIds: string[]): Map<string, EvidenceRow> {
	const one = db.prepare(`SELECT e.event_id AS eventId, e.event_time AS eventTime, e.event_name AS eventName, e.error_code AS errorCode,
		coalesce(e.error_code, CASE WHEN e.event_name = 'ConsoleLogin' THEN s.result END) AS result, e.identity_arn AS actor, e.access_key_id AS accessKeyId,
		e.source_ip AS sourceIPAddress, e.user_agent AS userAgent
		FROM event e LEFT JOIN sign_in s ON s.event = e.id WHERE e.id IN (SELECT id FROM event_row WHERE event_id = ?) ORDER BY e.id LIMIT 1`);
	const rows = new Map<string, EvidenceRow>();
	for (const eventId of new Set(eventIds)) {
		const row = one.get(encodeEventId(eventId)) as EvidenceRow | undefined;
		if (row) rows.set(eventId, row);
	}
	return rows;
}
