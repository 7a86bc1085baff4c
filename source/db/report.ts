/**
 * The queries the case report reads (source/report/model.ts), batched: a report covers every
 * finding and every principal with findings at once, where the explorer's queries (queries.ts)
 * answer one at a time.
 */
import {encodeEventId} from './event-row.js';
import type {CaseFile} from './open.js';

export interface EvidenceRow {
	eventId: string;
	/** False when the eventID is not in this case file (then the other fields are null). */
	present: boolean;
	eventTime: string | null;
	eventName: string | null;
	actor: string | null;
	sourceIp: string | null;
	/** Sign-ins: Success / Failure (at the MFA step when known); other calls: the error code, else Success. */
	result: string | null;
}

/** Rows per statement: json_each of a few thousand values stays one quick statement. */
const chunk = 5_000;

function* chunks<T>(values: T[]): Generator<T[]> {
	for (let i = 0; i < values.length; i += chunk) yield values.slice(i, i + chunk);
}

/**
 * The evidence rows of many eventIDs, by eventID. An eventID held in several versions (a conflict)
 * gives its first stored version; a sign-in's result comes from the model, any other call's from
 * its error code. EventIDs not in the case file are absent from the map.
 */
export function evidenceRows(db: CaseFile, eventIds: Iterable<string>): Map<string, EvidenceRow> {
	const rows = new Map<string, EvidenceRow>();
	const statements = new Map<number, ReturnType<CaseFile['prepare']>>();
	// Looked up through event_row's eventID index (the view's event_id is computed: comparing it
	// reads every event), with the eventIDs encoded as event_row stores them.
	for (const part of chunks([...new Set(eventIds)])) {
		let query = statements.get(part.length);
		if (!query) {
			query = db.prepare(
				`SELECT e.event_id AS eventId, e.event_time AS eventTime, e.event_name AS eventName,
				        coalesce(e.identity_arn, e.identity_user_name, e.identity_principal_id) AS actor, e.source_ip AS sourceIp,
				        CASE WHEN s.result = 'Failure' AND s.failed_at_mfa = 1 THEN 'Failure at MFA'
				             WHEN s.result IS NOT NULL THEN s.result
				             WHEN e.error_code IS NOT NULL THEN e.error_code
				             ELSE 'Success' END AS result
				 FROM event e LEFT JOIN sign_in s ON s.event = e.id
				 WHERE e.id IN (SELECT id FROM event_row WHERE event_id IN (${part.map(() => '?').join(', ')}))
				 ORDER BY e.id`,
			);
			statements.set(part.length, query);
		}
		for (const row of (query as unknown as {all(...values: unknown[]): unknown[]}).all(...part.map(encodeEventId)) as Omit<EvidenceRow, 'present'>[]) if (!rows.has(row.eventId)) rows.set(row.eventId, {...row, present: true});
	}
	return rows;
}

export function missingEvidence(eventId: string): EvidenceRow {
	return {eventId, present: false, eventTime: null, eventName: null, actor: null, sourceIp: null, result: null};
}

export interface ActivityDevice {
	id: number;
	ownerArn: string | null;
	creatorArn: string | null;
	serialNumber: string;
	incarnation: number;
	name: string | null;
	state: string;
	createdAt: string | null;
	enabledAt: string | null;
	deactivatedAt: string | null;
	deletedAt: string | null;
	firstSeen: string | null;
}

export interface ActivitySignIn {
	principalArn: string;
	eventTime: string;
	eventId: string;
	eventName: string;
	result: string | null;
	failedAtMfa: boolean;
	deviceId: number | null;
}

export interface PrincipalActivity {
	principal: {arn: string; type: string; name: string | null};
	/** Its devices, and those it created that were never enabled for anyone (as `mfatrail user` lists them). */
	devices: ActivityDevice[];
	/** Its sign-ins and MFA uses, in time order. */
	signIns: ActivitySignIn[];
}

/** Principals with their devices and sign-ins, by ARN, in a few statements whatever their number. */
export function principalActivity(db: CaseFile, arns: string[]): Map<string, PrincipalActivity> {
	const out = new Map<string, PrincipalActivity>();
	const principals = db.prepare('SELECT arn, type, name FROM principal WHERE arn IN (SELECT value FROM json_each(?))');
	const devices = db.prepare(
		`SELECT id, owner_arn AS ownerArn, creator_arn AS creatorArn, serial_number AS serialNumber, incarnation, name, state,
		        created_at AS createdAt, enabled_at AS enabledAt, deactivated_at AS deactivatedAt, deleted_at AS deletedAt, first_seen AS firstSeen
		 FROM device WHERE owner_arn IN (SELECT value FROM json_each(@arns))
		    OR (owner_arn IS NULL AND creator_arn IN (SELECT value FROM json_each(@arns)))
		 ORDER BY coalesce(created_at, enabled_at, first_seen), id`,
	);
	const signIns = db.prepare(
		`SELECT principal_arn AS principalArn, event_time AS eventTime, event_id AS eventId, event_name AS eventName, result,
		        failed_at_mfa AS failedAtMfa, device_id AS deviceId
		 FROM sign_in WHERE principal_arn IN (SELECT value FROM json_each(?)) ORDER BY event_time, event`,
	);
	for (const part of chunks(arns)) {
		const list = JSON.stringify(part);
		for (const p of principals.all(list) as PrincipalActivity['principal'][]) out.set(p.arn, {principal: p, devices: [], signIns: []});
		for (const d of devices.all({arns: list}) as ActivityDevice[]) out.get(d.ownerArn ?? d.creatorArn ?? '')?.devices.push(d);
		for (const s of signIns.all(list) as (Omit<ActivitySignIn, 'failedAtMfa'> & {failedAtMfa: number})[]) out.get(s.principalArn)?.signIns.push({...s, failedAtMfa: s.failedAtMfa === 1});
	}
	return out;
}
