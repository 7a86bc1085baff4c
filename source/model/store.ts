import type {CaseFile} from '../db/open.js';
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

/** insertModelRows with its statements prepared once, for writing the model in many batches. */
export function modelRowWriter(db: CaseFile): RowWriter {
	const insertDevice = db.prepare(`INSERT INTO device (id, serial_number, incarnation, name, type, account_id, owner_arn,
		creator_arn, state, created_at, enabled_at, deactivated_at, deleted_at, first_seen, last_seen, last_used, use_count)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
	const insertLifecycle = db.prepare(`INSERT INTO lifecycle_event (event, event_id, device_id, owner_arn, actor_arn, event_name, event_time,
		serial_number, access_key_id, credential, mfa_authenticated, source_ip, user_agent, error_code, error_message, applied,
		cli_command, assume_root_event, actor_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
	const insertSignIn = db.prepare(`INSERT INTO sign_in (event, event_id, principal_arn, account_id, event_name, event_time, kind, result,
		mfa_used, mfa_identifier, device_id, mfa_type, failed_at_mfa, source_ip, user_agent, error_message, login_to, auth_workflow_id, user_name, federation)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
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
			insertLifecycle.run(l.event, l.eventId, l.deviceId, l.ownerArn, l.actorArn, l.eventName, l.eventTime, l.serialNumber, l.accessKeyId,
				l.credential, l.mfaAuthenticated, l.sourceIp, l.userAgent, l.errorCode, l.errorMessage, l.applied, l.cliCommand, l.assumeRootEvent, l.actorNote);
		}
		for (const s of signIns) {
			insertSignIn.run(s.event, s.eventId, s.principalArn, s.accountId, s.eventName, s.eventTime, s.kind, s.result, s.mfaUsed,
				s.mfaIdentifier, s.deviceId, s.mfaType, s.failedAtMfa, s.sourceIp, s.userAgent, s.errorMessage, s.loginTo, s.authWorkflowId, s.userName, s.federation);
		}
		for (const a of accountEvents) {
			insertAccountEvent.run(a.event, a.eventId, a.role, a.eventName, a.eventTime, a.actorArn, a.targetArn, a.accountId, a.accessKeyId,
				a.credential, a.mfaAuthenticated, a.mfaUsed, a.result, a.sourceIp, a.userAgent, a.errorCode, a.errorMessage, a.cliCommand,
				a.mintedKey, a.targetAccount, a.taskPolicy, a.expiresAt, a.assumeRootEvent, a.actorNote);
		}
	};
}

/** Sign-in counters and device count of a principal, from the stored sign_in and device rows. */
const principalCounters = `
	sign_in_count = (SELECT count(*) FROM sign_in s WHERE s.principal_arn = principal.arn
		AND s.event_name IN ('ConsoleLogin', 'UserAuthentication')),
	failed_sign_ins = (SELECT count(*) FROM sign_in s WHERE s.principal_arn = principal.arn
		AND s.kind != 'sts-mfa' AND s.result = 'Failure'),
	last_sign_in = (SELECT max(event_time) FROM sign_in s WHERE s.principal_arn = principal.arn
		AND s.event_name IN ('ConsoleLogin', 'UserAuthentication') AND s.result = 'Success'),
	device_count = (SELECT count(*) FROM device d WHERE d.owner_arn = principal.arn)`;

/** Counters of every principal that has sign-ins or devices (the others keep the defaults: 0 and NULL). */
export function countAllPrincipals(db: CaseFile): void {
	db.exec(`UPDATE principal SET ${principalCounters}
		WHERE arn IN (SELECT principal_arn FROM sign_in UNION SELECT owner_arn FROM device WHERE owner_arn IS NOT NULL)`);
}

/** Counters of the given principals only. */
export function countPrincipals(db: CaseFile, arns: Iterable<string>): void {
	db.prepare(`UPDATE principal SET ${principalCounters} WHERE arn IN (SELECT value FROM json_each(?))`).run(jsonList(arns));
}
