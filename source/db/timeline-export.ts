/**
 * The events a timeline export writes, in time order: all of them, a principal's, a time range,
 * or only the events that are evidence of findings. Read through the view `event` (the indexes of
 * event_row for a principal or an eventID), never by decoding the original records.
 */
import type {CaseFile} from './open.js';
import {encodeEventId} from './event-row.js';

export interface ExportEvent {
	eventId: string;
	eventTime: string;
	eventName: string | null;
	eventSource: string | null;
	principal: string | null;
	identityType: string | null;
	accessKeyId: string | null;
	sourceIp: string | null;
	userAgent: string | null;
	errorCode: string | null;
	awsRegion: string | null;
	account: string | null;
	mfaAuthenticated: 0 | 1 | null;
}

export interface ExportFilter {
	principal?: string;
	since?: string;
	until?: string;
	/** Only these events (eventIDs), e.g. the evidence of findings. */
	eventIds?: string[];
}

/** Through the view `event` (db/005_lean_event.sql), which decodes each column once, the same way for everyone. */
const columns = `id, event_id, event_time, event_name, event_source, identity_arn, identity_type, access_key_id, source_ip, user_agent,
	error_code, aws_region, recipient_account_id, mfa_authenticated, conflict`;

function toEvent(row: unknown[]): ExportEvent {
	return {
		eventId: row[1] as string,
		eventTime: row[2] as string,
		eventName: row[3] as string | null,
		eventSource: row[4] as string | null,
		principal: row[5] as string | null,
		identityType: row[6] as string | null,
		accessKeyId: row[7] as string | null,
		sourceIp: row[8] === null ? null : String(row[8]),
		userAgent: row[9] as string | null,
		errorCode: row[10] as string | null,
		awsRegion: row[11] as string | null,
		account: row[12] as string | null,
		mfaAuthenticated: row[13] as 0 | 1 | null,
	};
}

/** The events, oldest first (ties in import order). A re-imported eventID stored twice is written once. */
export function* exportEvents(db: CaseFile, filter: ExportFilter = {}): Generator<ExportEvent> {
	const where: string[] = [];
	const params: unknown[] = [];
	if (filter.principal !== undefined) {
		where.push('id IN (SELECT id FROM event_row WHERE identity_arn = (SELECT id FROM dict WHERE value = ?))');
		params.push(filter.principal);
	}
	if (filter.since) {
		where.push('event_time >= ?');
		params.push(filter.since);
	}
	if (filter.until) {
		where.push('event_time <= ?');
		params.push(filter.until);
	}
	// Only conflicting versions share an eventID (an identical re-import is a sighting, not a row):
	// remembering those alone keeps memory to the conflicts, not to every event of the case.
	const seen = new Set<string>();
	if (filter.eventIds) {
		const one = db.prepare(`SELECT ${columns} FROM event WHERE id = (SELECT min(id) FROM event_row WHERE event_id = ?) ${where.map(w => `AND ${w}`).join(' ')}`).raw();
		const events: ExportEvent[] = [];
		for (const id of new Set(filter.eventIds)) {
			const row = one.get(encodeEventId(id), ...params) as unknown[] | undefined;
			if (row) events.push(toEvent(row));
		}
		events.sort((a, b) => a.eventTime.localeCompare(b.eventTime) || a.eventId.localeCompare(b.eventId));
		yield* events;
		return;
	}
	const statement = db.prepare(`SELECT ${columns} FROM event ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY event_time, id`).raw();
	for (const row of statement.iterate(...params) as IterableIterator<unknown[]>) {
		const event = toEvent(row);
		if (row[14] === 1) {
			if (seen.has(event.eventId)) continue;
			seen.add(event.eventId);
		}
		yield event;
	}
}
