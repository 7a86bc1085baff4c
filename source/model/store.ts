import type {CaseFile} from '../db/open.js';
import {encodeEventId} from '../db/event-row.js';
import type {AccountEventRecord, DeviceIncarnation, LifecycleRecord, SignInRecord} from './types.js';

/** SQL parameter for `IN (SELECT value FROM json_each(?))`: any number of keys in one statement. */
export function jsonList(values: Iterable<string | number>): string {
	return JSON.stringify([...values]);
}

/** Writes derived device, lifecycle and sign-in rows (the full and the incremental refresh share it). */
export function insertModelRows(
	db: CaseFile,
	devices: DeviceIncarnation[],
	lifecycle: LifecycleRecord[],
	signIns: SignInRecord[],
	accountEvents: AccountEventRecord[] = [],
): void {
	modelRowWriter(db)(devices, lifecycle, signIns, accountEvents);
}

type RowWriter = (devices: DeviceIncarnation[], lifecycle: LifecycleRecord[], signIns: SignInRecord[], accountEvents?: AccountEventRecord[]) => void;

/**
 * The model's dictionary (model_value, db/025_compact_model.sql): a sign-in's user agent (~100 bytes,
 * a handful of distinct values) stored once, rows holding its id. The known values are read once per
 * writer; new ones are inserted as they come.
 */
function modelValues(db: CaseFile): (value: string | null) => number | null {
	const ids = new Map<string, number>();
	for (const [id, value] of db.prepare('SELECT id, value FROM model_value').raw().iterate() as Iterable<[number, string]>) ids.set(value, id);
	let next = ((db.prepare('SELECT max(id) FROM model_value').pluck().get() as number | null) ?? 0) + 1;
	const insert = db.prepare('INSERT INTO model_value (id, value) VALUES (?, ?)');
	return value => {
		if (value === null || value === undefined) return null;
		let id = ids.get(value);
		if (id === undefined) {
			id = next++;
			insert.run(id, value);
			ids.set(value, id);
		}
		return id;
	};
}

/** insertModelRows with its statements prepared once, for writing the model in many batches. */
export function modelRowWriter(db: CaseFile): RowWriter {
	const id = modelValues(db);
	const insertDevice = db.prepare(`INSERT INTO device (id, serial_number, incarnation, name, type, account_id, owner_arn,
		creator_arn, state, created_at, enabled_at, deactivated_at, deleted_at, first_seen, last_seen, last_used, use_count)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
	const insertLifecycle = db.prepare(`INSERT INTO lifecycle_row (event, event_id, device_id, owner_arn, actor_arn, event_name, event_time,
		serial_number, access_key_id, credential, mfa_authenticated, source_ip, user_agent, error_code, error_message, applied,
		cli_command, assume_root_event, actor_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
	const insertSignIn = db.prepare(`INSERT INTO sign_in_row (event, event_id, principal_arn, account_id, event_name, event_time, kind, result,
		mfa_used, mfa_identifier, device_id, mfa_type, failed_at_mfa, source_ip, user_agent, error_message, auth_workflow_id, user_name, federation)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
	const insertAccountEvent = db.prepare(`INSERT OR REPLACE INTO account_event (event, event_id, role, event_name, event_time, actor_arn, target_arn,
		account_id, access_key_id, credential, mfa_authenticated, mfa_used, result, source_ip, user_agent, error_code, error_message, cli_command,
		minted_key, target_account, task_policy, expires_at, assume_root_event, actor_note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
	return (devices, lifecycle, signIns, accountEvents = []) => {
		for (const d of devices) {
			insertDevice.run(d.id, d.serialNumber, d.incarnation, d.name, d.type, d.accountId, d.ownerArn, d.creatorArn, d.state,
				d.createdAt, d.enabledAt, d.deactivatedAt, d.deletedAt, d.firstSeen, d.lastSeen, d.lastUsed, d.useCount);
		}
		for (const l of lifecycle) {
			insertLifecycle.run(l.event, encodeEventId(l.eventId), l.deviceId, l.ownerArn, l.actorArn, l.eventName, l.eventTime, l.serialNumber, l.accessKeyId,
				l.credential, l.mfaAuthenticated, l.sourceIp, l.userAgent, l.errorCode, l.errorMessage, l.applied, l.cliCommand, l.assumeRootEvent, l.actorNote);
		}
		for (const s of signIns) {
			insertSignIn.run(s.event, encodeEventId(s.eventId), s.principalArn, s.accountId, s.eventName, s.eventTime, s.kind, s.result, s.mfaUsed,
				s.mfaIdentifier, s.deviceId, s.mfaType, s.failedAtMfa, s.sourceIp, id(s.userAgent), s.errorMessage, s.authWorkflowId, s.userName, s.federation);
		}
		for (const a of accountEvents) {
			insertAccountEvent.run(a.event, a.eventId, a.role, a.eventName, a.eventTime, a.actorArn, a.targetArn, a.accountId, a.accessKeyId,
				a.credential, a.mfaAuthenticated, a.mfaUsed, a.result, a.sourceIp, a.userAgent, a.errorCode, a.errorMessage, a.cliCommand,
				a.mintedKey, a.targetAccount, a.taskPolicy, a.expiresAt, a.assumeRootEvent, a.actorNote);
		}
	};
}

/**
 * Sign-in counters and device count of principals, from the stored sign_in and device rows: one
 * grouped pass over sign_in_row by principal (no correlated subqueries per principal), for
 * every principal (`arns` undefined) or for the given ones, whose counters are reset first (a
 * principal may have lost its last sign-in to a re-derivation).
 */
function count(db: CaseFile, arns?: Iterable<string>): void {
	const list = arns === undefined ? undefined : jsonList(arns);
	if (list !== undefined) {
		db.prepare(`UPDATE principal SET sign_in_count = 0, failed_sign_ins = 0, last_sign_in = NULL, device_count = 0
			WHERE arn IN (SELECT value FROM json_each(?))`).run(list);
	}
	const signInFilter = list === undefined ? '' : 'WHERE s.principal_arn IN (SELECT value FROM json_each(@list))';
	const deviceFilter = list === undefined ? '' : 'AND owner_arn IN (SELECT value FROM json_each(@list))';
	db.prepare(`UPDATE principal SET sign_in_count = c.signIns, failed_sign_ins = c.failed, last_sign_in = c.lastSignIn, device_count = c.devices
		FROM (SELECT arn, sum(signIns) AS signIns, sum(failed) AS failed, max(lastSignIn) AS lastSignIn, sum(devices) AS devices FROM (
			SELECT s.principal_arn AS arn,
				count(*) FILTER (WHERE s.event_name IN ('ConsoleLogin', 'UserAuthentication')) AS signIns,
				count(*) FILTER (WHERE s.kind != 'sts-mfa' AND s.result = 'Failure') AS failed,
				max(s.event_time) FILTER (WHERE s.event_name IN ('ConsoleLogin', 'UserAuthentication') AND s.result = 'Success') AS lastSignIn,
				0 AS devices
			FROM sign_in_row s ${signInFilter} GROUP BY s.principal_arn
			UNION ALL
			SELECT owner_arn, 0, 0, NULL, count(*) FROM device WHERE owner_arn IS NOT NULL ${deviceFilter} GROUP BY owner_arn
		) GROUP BY arn) c
		WHERE principal.arn = c.arn`).run(list === undefined ? {} : {list});
}

/** Counters of every principal that has sign-ins or devices (the others keep the defaults: 0 and NULL). */
export function countAllPrincipals(db: CaseFile): void {
	count(db);
}

/** Counters of the given principals only. */
export function countPrincipals(db: CaseFile, arns: Iterable<string>): void {
	count(db, arns);
}
