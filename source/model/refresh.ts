import type {CaseFile} from '../db/open.js';
import {deriveModel} from './derive.js';
import type {Facts} from './facts.js';
import {principalFromArn} from './principals.js';
import type {FactRow, Model} from './types.js';

/** Bump when the derivation changes, so existing case files get their model rebuilt. */
const modelVersion = 1;

interface RawFactRow extends Omit<FactRow, 'facts'> {
	facts: string;
}

/** MFA-relevant rows in event-time order (the covering event_model index, db/003). */
const factRowsSql = `SELECT id, event_id AS eventId, event_time AS eventTime, event_source AS eventSource, event_name AS eventName,
	recipient_account_id AS recipientAccountId, aws_region AS awsRegion, identity_type AS identityType,
	identity_arn AS identityArn, identity_user_name AS identityUserName,
	identity_account_id AS identityAccountId, access_key_id AS accessKeyId, mfa_authenticated AS mfaAuthenticated,
	source_ip AS sourceIp, user_agent AS userAgent, error_code AS errorCode, error_message AS errorMessage, facts
	FROM event INDEXED BY event_model WHERE facts IS NOT NULL ORDER BY event_time, id`;

function* factRows(db: CaseFile): Generator<FactRow> {
	for (const row of db.prepare(factRowsSql).iterate() as IterableIterator<RawFactRow>) {
		let facts: Facts;
		try {
			facts = JSON.parse(row.facts) as Facts;
		} catch {
			continue; // written by this program; unreadable facts mean a damaged row, not evidence to model
		}
		yield {...row, facts};
	}
}

/**
 * Rebuilds the MFA model (principals, devices, lifecycles, sign-ins) from the imported events, in
 * one transaction: derivation is a pure pass over the MFA-relevant rows (source/model/derive.ts);
 * principal counters over all events come from one aggregate over the event_identity index.
 */
export function refreshModel(db: CaseFile, options: {force?: boolean} = {}): Model | undefined {
	// Events are only ever added, so the newest row id says whether anything changed since the
	// last refresh (re-importing the same evidence then costs nothing). The model version is part
	// of the mark, so a newer mfatrail rebuilds a case file's model once.
	const mark = `${modelVersion}:${(db.prepare('SELECT max(id) FROM event').pluck().get() as number | null) ?? 0}`;
	const previous = db.prepare(`SELECT value FROM meta WHERE key = 'model_refreshed'`).pluck().get() as string | undefined;
	if (!options.force && previous === mark) return undefined;
	const model = deriveModel(factRows(db));
	const write = db.transaction(() => {
		db.exec('DELETE FROM sign_in; DELETE FROM lifecycle_event; DELETE FROM device; DELETE FROM principal;');
		storePrincipals(db, model);
		const insertDevice = db.prepare(`INSERT INTO device (id, serial_number, incarnation, name, type, account_id, owner_arn,
			creator_arn, state, created_at, enabled_at, deactivated_at, deleted_at, first_seen, last_seen, last_used, use_count)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
		for (const d of model.devices) {
			insertDevice.run(d.id, d.serialNumber, d.incarnation, d.name, d.type, d.accountId, d.ownerArn, d.creatorArn, d.state,
				d.createdAt, d.enabledAt, d.deactivatedAt, d.deletedAt, d.firstSeen, d.lastSeen, d.lastUsed, d.useCount);
		}
		const insertLifecycle = db.prepare(`INSERT INTO lifecycle_event (event, event_id, device_id, owner_arn, actor_arn, event_name, event_time,
			serial_number, access_key_id, credential, mfa_authenticated, source_ip, user_agent, error_code, error_message, applied,
			cli_command) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
		for (const l of model.lifecycle) {
			insertLifecycle.run(l.event, l.eventId, l.deviceId, l.ownerArn, l.actorArn, l.eventName, l.eventTime, l.serialNumber, l.accessKeyId,
				l.credential, l.mfaAuthenticated, l.sourceIp, l.userAgent, l.errorCode, l.errorMessage, l.applied, l.cliCommand);
		}
		const insertSignIn = db.prepare(`INSERT INTO sign_in (event, event_id, principal_arn, account_id, event_name, event_time, kind, result,
			mfa_used, mfa_identifier, device_id, mfa_type, failed_at_mfa, source_ip, user_agent, error_message, login_to)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
		for (const s of model.signIns) {
			insertSignIn.run(s.event, s.eventId, s.principalArn, s.accountId, s.eventName, s.eventTime, s.kind, s.result, s.mfaUsed,
				s.mfaIdentifier, s.deviceId, s.mfaType, s.failedAtMfa, s.sourceIp, s.userAgent, s.errorMessage, s.loginTo);
		}
		db.exec(`
			UPDATE principal SET
				sign_in_count = (SELECT count(*) FROM sign_in s WHERE s.principal_arn = principal.arn
					AND s.event_name IN ('ConsoleLogin', 'UserAuthentication')),
				failed_sign_ins = (SELECT count(*) FROM sign_in s WHERE s.principal_arn = principal.arn
					AND s.kind != 'sts-mfa' AND s.result = 'Failure'),
				last_sign_in = (SELECT max(event_time) FROM sign_in s WHERE s.principal_arn = principal.arn
					AND s.event_name IN ('ConsoleLogin', 'UserAuthentication') AND s.result = 'Success'),
				device_count = (SELECT count(*) FROM device d WHERE d.owner_arn = principal.arn)
			WHERE arn IN (SELECT principal_arn FROM sign_in UNION SELECT owner_arn FROM device WHERE owner_arn IS NOT NULL)`);
		db.prepare(`INSERT INTO meta(key, value) VALUES ('model_refreshed', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(mark);
	});
	// The model is consistent by construction; checking each row's foreign keys (and losing
	// SQLite's fast whole-table delete to those checks) would double the cost of a refresh.
	const foreignKeys = db.pragma('foreign_keys', {simple: true}) as number;
	if (foreignKeys) db.pragma('foreign_keys = OFF');
	try {
		write.immediate();
	} finally {
		if (foreignKeys) db.pragma('foreign_keys = ON');
	}
	return model;
}

/**
 * Principals: every identity ARN in the events (aggregated in SQL, so the non-MFA majority of
 * events is never read row by row), merged with those the derivation keyed (records without an
 * ARN, device owners).
 */
function storePrincipals(db: CaseFile, model: Model): void {
	const insert = db.prepare(`INSERT INTO principal (arn, type, name, account_id, first_seen, last_seen, event_count)
		VALUES (?, ?, ?, ?, ?, ?, ?)`);
	const aggregates = db.prepare(`SELECT identity_arn AS arn, count(*) AS events, min(event_time) AS firstSeen, max(event_time) AS lastSeen
		FROM event INDEXED BY event_identity WHERE identity_arn IS NOT NULL GROUP BY identity_arn`);
	const stored = new Set<string>();
	for (const row of aggregates.all() as Array<{arn: string; events: number; firstSeen: string; lastSeen: string}>) {
		if (row.arn === '') continue;
		const known = model.principals.get(row.arn);
		const info = known ?? principalFromArn(row.arn);
		const firstSeen = known?.firstSeen && known.firstSeen < row.firstSeen ? known.firstSeen : row.firstSeen;
		const lastSeen = known?.lastSeen && known.lastSeen > row.lastSeen ? known.lastSeen : row.lastSeen;
		insert.run(info.arn, info.type, info.name, info.accountId, firstSeen, lastSeen, row.events + (known?.events ?? 0));
		stored.add(row.arn);
	}
	for (const p of model.principals.values()) {
		if (!stored.has(p.arn)) insert.run(p.arn, p.type, p.name, p.accountId, p.firstSeen, p.lastSeen, p.events);
	}
}
