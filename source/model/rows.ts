import {encodeEventTime} from '../db/event-time.js';
import {decodeFacts} from '../db/facts-codec.js';
import type {CaseFile} from '../db/open.js';
import type {Facts} from './facts.js';
import type {FactRow} from './types.js';
import {jsonList} from './store.js';

interface RawFactRow extends Omit<FactRow, 'facts'> {
	facts: string;
}

/** The event columns the derivation reads. */
const factColumns = `id, event_id AS eventId, event_time AS eventTime, event_source AS eventSource, event_name AS eventName,
	recipient_account_id AS recipientAccountId, aws_region AS awsRegion, identity_type AS identityType,
	identity_arn AS identityArn, identity_user_name AS identityUserName,
	identity_account_id AS identityAccountId, access_key_id AS accessKeyId, mfa_authenticated AS mfaAuthenticated,
	source_ip AS sourceIp, user_agent AS userAgent, error_code AS errorCode, error_message AS errorMessage, facts`;

function* parsed(rows: Iterable<RawFactRow>, unreadable?: number[]): Generator<FactRow> {
	for (const row of rows) {
		let facts: Facts;
		try {
			facts = decodeFacts(row.facts) as Facts;
		} catch {
			// Written by this program: unreadable facts mean a damaged row, not evidence to model. Counted.
			unreadable?.push(row.id);
			continue;
		}
		(row as unknown as FactRow).facts = facts;
		yield row as unknown as FactRow;
	}
}

/**
 * Every MFA-relevant row in event-time order (ties by row id), `size` rows at a time: a sequential
 * scan of the partial index event_facts, resumed after the last row of each batch. Batches rather than one
 * iterator, because the connection cannot write while a statement iterates, and the full rebuild
 * writes each batch's model rows before reading the next.
 */
export function* factRowBatches(db: CaseFile, size: number, unreadable?: number[]): Generator<FactRow[]> {
	// The partial index event_facts (event_row's MFA rows by time) drives the scan: its cost follows
	// the MFA rows, never all events. The view then reads each row and its strings by id.
	const first = db.prepare(`SELECT ${factColumns} FROM event WHERE id IN (SELECT id FROM event_row INDEXED BY event_facts
		WHERE facts IS NOT NULL ORDER BY event_time, id LIMIT ?) ORDER BY event_time, id`);
	const next = db.prepare(`SELECT ${factColumns} FROM event WHERE id IN (SELECT id FROM event_row INDEXED BY event_facts
		WHERE facts IS NOT NULL AND (event_time, id) > (?, ?) ORDER BY event_time, id LIMIT ?) ORDER BY event_time, id`);
	let raw = first.all(size) as RawFactRow[];
	while (raw.length > 0) {
		const last = raw[raw.length - 1];
		const after = [encodeEventTime(last.eventTime), last.id] as const;
		yield [...parsed(raw, unreadable)];
		if (raw.length < size) return;
		raw = next.all(after[0], after[1], size) as RawFactRow[];
	}
}

/**
 * MFA-relevant rows added after row `after`, in row order (deriveModel sorts). NOT INDEXED keeps
 * this a range of the rowid: the planner would otherwise scan every MFA row in the covering index.
 */
export function factRowsAfter(db: CaseFile, after: number, unreadable?: number[]): FactRow[] {
	const sql = `SELECT ${factColumns} FROM event WHERE id IN (SELECT id FROM event_row NOT INDEXED WHERE id > ? AND facts IS NOT NULL)`;
	return [...parsed(db.prepare(sql).all(after) as RawFactRow[], unreadable)];
}

/** The MFA-relevant rows with the given row ids. */
export function factRowsById(db: CaseFile, ids: Iterable<number>): FactRow[] {
	const sql = `SELECT ${factColumns} FROM event WHERE id IN (SELECT value FROM json_each(?)) AND facts IS NOT NULL`;
	return [...parsed(db.prepare(sql).all(jsonList(ids)) as RawFactRow[])];
}

/** How many MFA-relevant rows there are (a count over the partial index event_facts). */
export function countFactRows(db: CaseFile): number {
	return db.prepare('SELECT count(*) FROM event_row INDEXED BY event_facts WHERE facts IS NOT NULL').pluck().get() as number;
}
