/**
 * Loads the plain model data the rules read: one place where findings touch SQL besides
 * refresh/queries. The model tables carry each record's eventID, so the big event table is read
 * only for the few spans the bulletin rule asks for.
 */
import type {Statement} from 'better-sqlite3';
import type {CaseFile} from '../db/open.js';
import {deniedSql} from '../domain/denied.js';
import {eventTimeBound} from '../db/event-time.js';
import {formatUtc} from '../lib/time.js';
import {byTime} from './lib.js';
import {callSpans} from './rules/mfa-added-without-mfa-session.js';
import {countFactRows} from '../model/rows.js';
import type {LifecycleRecord, SignInRecord} from '../model/types.js';
import {defaultThresholds, type AccountEventEntry, type LifecycleEntry, type ModelData, type PrincipalCall, type PrincipalInfo, type SignInEntry, type Thresholds} from './types.js';

/** Calls loaded per principal around unprotected adds: enough to name what flipped, small enough to stay fast. */
const maxCallsPerPrincipal = 20_000;

/** Part of the model: the rows of some principals (their sign-ins, the lifecycle calls they made or own) and serials (rows naming them). */
export interface ModelScope {
	principals: Iterable<string>;
	serials: Iterable<string>;
}

const lifecycleColumns = `event_id AS eventId, event_name AS eventName, event_time AS eventTime, owner_arn AS ownerArn,
	actor_arn AS actorArn, serial_number AS serialNumber, device_id AS deviceId, access_key_id AS accessKeyId,
	credential, mfa_authenticated AS mfaAuthenticated, source_ip AS sourceIp, error_code AS errorCode,
	error_message AS errorMessage, applied, cli_command AS cliCommand, user_agent AS userAgent,
	assume_root_event AS assumeRootEvent, actor_note AS actorNote`;
const accountEventColumns = `event, event_id AS eventId, role, event_name AS eventName, event_time AS eventTime, actor_arn AS actorArn,
	target_arn AS targetArn, account_id AS accountId, access_key_id AS accessKeyId, credential, mfa_authenticated AS mfaAuthenticated,
	mfa_used AS mfaUsed, result, source_ip AS sourceIp, user_agent AS userAgent, error_code AS errorCode, error_message AS errorMessage,
	cli_command AS cliCommand, minted_key AS mintedKey, target_account AS targetAccount, task_policy AS taskPolicy, expires_at AS expiresAt,
	assume_root_event AS assumeRootEvent, actor_note AS actorNote`;
const signInColumns = `event_id AS eventId, event_name AS eventName, event_time AS eventTime, principal_arn AS principalArn,
	kind, result, mfa_used AS mfaUsed, mfa_identifier AS mfaIdentifier, device_id AS deviceId,
	mfa_type AS mfaType, failed_at_mfa AS failedAtMfa, source_ip AS sourceIp, error_message AS errorMessage, user_name AS userName, federation`;

/** Columns whose values repeat across rows (ARNs, serials, names, addresses): one string each is kept. */
const lifecycleShared = ['eventName', 'ownerArn', 'actorArn', 'serialNumber', 'accessKeyId', 'credential', 'sourceIp', 'errorCode', 'errorMessage', 'cliCommand', 'userAgent', 'actorNote'];
const signInShared = ['eventName', 'principalArn', 'kind', 'result', 'mfaUsed', 'mfaIdentifier', 'mfaType', 'sourceIp', 'errorMessage'];

/**
 * Every row of a statement, the repeated strings of the given columns shared: the driver makes a
 * new string per row and value, and the whole model's rows (a full refresh at a million events)
 * would otherwise hold each ARN and address hundreds of thousands of times.
 */
function sharedRows(statement: Statement, shared: Map<string, string>, columns: string[]): unknown[] {
	const rows: Record<string, unknown>[] = [];
	for (const row of statement.iterate() as IterableIterator<Record<string, unknown>>) {
		for (const column of columns) {
			const value = row[column];
			if (typeof value !== 'string') continue;
			const known = shared.get(value);
			if (known === undefined) shared.set(value, value);
			else row[column] = known;
		}
		rows.push(row);
	}
	return rows;
}

/**
 * Rows a ModelRowsCollector keeps at most. Held through the model rebuild, they add to its own peak
 * (page cache, index builds): on a 1M MFA-heavy case (345k rows) the model and findings stages
 * peaked at 802 MiB with them, 670 MiB reading them back, when the import must stay under 1 GiB
 * whole. A 200k case (69k rows) keeps them: the findings stage takes a third less CPU there.
 */
const maxHandedRows = 100_000;

/** The lifecycle calls and sign-ins of the whole model, as loadModel reads them from the case file. */
export interface ModelRows {
	lifecycle: LifecycleEntry[];
	signIns: SignInEntry[];
}

/**
 * The lifecycle calls and sign-ins a full model rebuild writes, kept as the findings read them
 * (source/model/refresh.ts RecordsListener), so that the findings of the same run need not read
 * back the rows just written (~70k on a 200k MFA-heavy case). rows() is called after the model
 * refresh, linking included: the few columns linkModel updates in place (a sign-in's kind and MFA
 * use, a lifecycle call's AssumeRoot and actor note) are read back from the case file for every
 * row that has one; the rows come in loadModel's order (time, then eventID). The same rows and
 * values as loadModel reads (the records also carry a few fields the rules do not read).
 */
export class ModelRowsCollector {
	private lifecycle: LifecycleRecord[] = [];
	private signIns: SignInRecord[] = [];
	/** Over maxHandedRows: nothing is kept, the findings read the rows. */
	private over = false;

	/**
	 * limit: rows kept at most (tests lower it). A case with more MFA-relevant rows than that is
	 * told at once: rows kept and then let go would still have raised the peak.
	 */
	constructor(db: CaseFile, private readonly limit = maxHandedRows) {
		this.over = countFactRows(db) > limit;
	}

	readonly add = (lifecycle: LifecycleRecord[], signIns: SignInRecord[]): void => {
		if (this.over) return;
		if (this.lifecycle.length + this.signIns.length + lifecycle.length + signIns.length > this.limit) {
			this.over = true;
			this.lifecycle = [];
			this.signIns = [];
			return;
		}
		for (const l of lifecycle) this.lifecycle.push(l);
		for (const r of signIns) {
			// Not read by the rules, and a long text of its own per sign-in.
			r.loginTo = null;
			this.signIns.push(r);
		}
	};

	/** The rows, or undefined when there were too many to keep (maxHandedRows). */
	rows(db: CaseFile): ModelRows | undefined {
		if (this.over) return undefined;
		const linked = new Map(
			(db.prepare(`SELECT event, assume_root_event, actor_note FROM lifecycle_row WHERE assume_root_event IS NOT NULL OR actor_note IS NOT NULL`).raw().all() as [number, number | null, string | null][]).map(
				([event, ...values]) => [event, values] as const,
			),
		);
		const kinds = new Map(
			(db.prepare(`SELECT event, kind, mfa_used FROM sign_in_row WHERE kind IN ('workspaces', 'transfer-family')`).raw().all() as [number, SignInRecord['kind'], SignInRecord['mfaUsed']][]).map(
				([event, ...values]) => [event, values] as const,
			),
		);
		// The records become the entries in place (the flags as loadModel converts them): a copy of
		// each would cost more than the findings save by not reading them.
		for (const entry of this.lifecycle) {
			const values = linked.get(entry.event);
			entry.assumeRootEvent = values?.[0] ?? null;
			entry.actorNote = values?.[1] ?? null;
			(entry as unknown as LifecycleEntry).applied = entry.applied === 1;
		}
		for (const entry of this.signIns) {
			const values = kinds.get(entry.event);
			if (values) [entry.kind, entry.mfaUsed] = values;
			(entry as unknown as SignInEntry).failedAtMfa = entry.failedAtMfa === 1;
		}
		// Derived in (time, row) order; the findings read in (time, eventID) order. Mostly in order
		// already, which the sort is quick to find.
		const order = (a: {eventTime: string; eventId: string}, b: {eventTime: string; eventId: string}) =>
			a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
		return {lifecycle: this.lifecycle.sort(order) as unknown as LifecycleEntry[], signIns: this.signIns.sort(order) as unknown as SignInEntry[]};
	}
}

/**
 * The whole model, or (with a scope) the part of it the findings of those principals and serials
 * are computed from; `rows` (the whole model's, ModelRowsCollector) are used instead of reading them.
 */
export function loadModel(db: CaseFile, scope?: ModelScope, thresholds: Thresholds = defaultThresholds, rows?: ModelRows): ModelData {
	const order = 'ORDER BY event_time, event_id';
	let lifecycleRows: unknown[];
	let signInRows: unknown[];
	let accountRows: AccountEventEntry[];
	const principals = new Map<string, PrincipalInfo>();
	if (scope) {
		const arns = JSON.stringify([...scope.principals]);
		const serials = JSON.stringify([...scope.serials]);
		lifecycleRows = db
			.prepare(
				`SELECT ${lifecycleColumns} FROM lifecycle_event WHERE event IN (
					SELECT event FROM lifecycle_event WHERE serial_number IN (SELECT value FROM json_each(@serials))
					UNION SELECT event FROM lifecycle_event WHERE owner_arn IN (SELECT value FROM json_each(@arns))
					UNION SELECT event FROM lifecycle_event WHERE actor_arn IN (SELECT value FROM json_each(@arns))) ${order}`,
			)
			.all({serials, arns});
		signInRows = db
			.prepare(
				`SELECT ${signInColumns} FROM sign_in WHERE event IN (
					SELECT event FROM sign_in WHERE mfa_identifier IN (SELECT value FROM json_each(@serials))
					UNION SELECT event FROM sign_in WHERE principal_arn IN (SELECT value FROM json_each(@arns))) ${order}`,
			)
			.all({serials, arns});
		accountRows = db
			.prepare(
				`SELECT ${accountEventColumns} FROM account_event WHERE event IN (
					SELECT event FROM account_event WHERE actor_arn IN (SELECT value FROM json_each(@arns))
					UNION SELECT event FROM account_event WHERE target_arn IN (SELECT value FROM json_each(@arns))) ${order}`,
			)
			.all({arns}) as AccountEventEntry[];
		// The AssumeRoot calls behind those rows: another principal's, in another account.
		const have = new Set(accountRows.map(a => a.event));
		const wanted = [...(lifecycleRows as LifecycleEntry[]), ...accountRows].map(r => r.assumeRootEvent).filter((e): e is number => e !== null && !have.has(e));
		if (wanted.length > 0) {
			const calls = db.prepare(`SELECT ${accountEventColumns} FROM account_event WHERE event IN (SELECT value FROM json_each(?))`).all(JSON.stringify(wanted)) as AccountEventEntry[];
			accountRows = [...accountRows, ...calls].sort(byTime);
		}
		const get = db.prepare('SELECT arn, type, name FROM principal WHERE arn = ?');
		const describe = (arn: string | null) => {
			if (!arn || principals.has(arn)) return;
			const p = get.get(arn) as PrincipalInfo | undefined;
			if (p) principals.set(arn, p);
		};
		for (const row of signInRows as SignInEntry[]) describe(row.principalArn);
		for (const row of lifecycleRows as LifecycleEntry[]) {
			describe(row.ownerArn);
			describe(row.actorArn);
		}
		for (const row of accountRows) {
			describe(row.actorArn);
			describe(row.targetArn);
		}
	} else {
		const shared = new Map<string, string>();
		for (const p of sharedRows(db.prepare('SELECT arn, type, name FROM principal'), shared, ['arn', 'type']) as PrincipalInfo[]) {
			principals.set(p.arn, p);
		}
		lifecycleRows = rows ? rows.lifecycle : sharedRows(db.prepare(`SELECT ${lifecycleColumns} FROM lifecycle_event ${order}`), shared, lifecycleShared);
		signInRows = rows ? rows.signIns : sharedRows(db.prepare(`SELECT ${signInColumns} FROM sign_in ${order}`), shared, signInShared);
		accountRows = db.prepare(`SELECT ${accountEventColumns} FROM account_event ${order}`).all() as AccountEventEntry[];
	}
	// Flags converted in place: a copy of every row would double the memory of a full refresh.
	if (!rows || scope) {
		for (const row of lifecycleRows as {applied: number | boolean}[]) row.applied = row.applied === 1;
		for (const row of signInRows as {failedAtMfa: number | boolean}[]) row.failedAtMfa = row.failedAtMfa === 1;
	}
	const lifecycle = lifecycleRows as LifecycleEntry[];
	const signIns = signInRows as SignInEntry[];

	const model: ModelData = {principals, lifecycle, signIns, calls: new Map(), accountEvents: accountRows};
	model.calls = loadCalls(db, callSpans(model, thresholds));
	return model;
}

/** Every failed console and Identity Center sign-in step: all the rules over the whole case (home 'global') read. */
export function loadFailedSignIns(db: CaseFile): ModelData {
	const rows = sharedRows(
		db.prepare(`SELECT ${signInColumns} FROM sign_in WHERE result = 'Failure' AND kind IN ('console-login', 'identity-center') ORDER BY event_time, event_id`),
		new Map(),
		signInShared,
	) as {failedAtMfa: number | boolean}[];
	for (const row of rows) row.failedAtMfa = row.failedAtMfa === 1;
	return {principals: new Map(), lifecycle: [], signIns: rows as SignInEntry[], calls: new Map(), accountEvents: []};
}

/**
 * The calls the bulletin rule needs to say what followed an add (denied before, allowed with MFA
 * after), only for the principals and spans it asks for: few, even in a large case
 * (the model's index event_identity, db/003_model_indexes.sql, serves these lookups).
 */
function loadCalls(db: CaseFile, spans: Map<string, {from: number; to: number}>): Map<string, PrincipalCall[]> {
	const query = db.prepare(
		`SELECT event_id AS eventId, event_time AS eventTime, event_source AS eventSource, event_name AS eventName,
		        access_key_id AS accessKeyId, error_code AS errorCode, mfa_authenticated AS mfaAuthenticated
		   FROM event
		  WHERE id IN (SELECT id FROM event_row WHERE identity_arn = (SELECT id FROM dict WHERE value = ?) AND event_time >= ? AND event_time <= ?)
		    AND (${deniedSql('error_code')} OR (error_code IS NULL AND mfa_authenticated = 1))
		  ORDER BY event_time
		  LIMIT ${maxCallsPerPrincipal}`,
	);
	const calls = new Map<string, PrincipalCall[]>();
	for (const [principal, span] of spans) {
		// Widened by a second, as the calls were read when times were compared as text.
		const from = eventTimeBound(formatUtc(span.from - 1000), 'from');
		const to = eventTimeBound(formatUtc(span.to + 1000), 'to');
		calls.set(principal, query.all(principal, from, to) as PrincipalCall[]);
	}
	return calls;
}
