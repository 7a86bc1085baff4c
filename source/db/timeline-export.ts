/**
 * The events a timeline export writes, in time order: all of them, a principal's, a time range,
 * or only the events that are evidence of findings. Read from event_row (through the indexes it
 * has: identity ARN, eventID) and the dictionary, never by decoding the original records.
 */
import type {CaseFile} from './open.js';
import {decodeEventId, encodeEventId} from './event-row.js';

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

const columns = `e.id, e.event_id, e.event_time, n.value, s.value, a.value, t.value, k.value,
	CASE WHEN typeof(e.source_ip) = 'integer' THEN ((e.source_ip >> 24) & 255) || '.' || ((e.source_ip >> 16) & 255) || '.' || ((e.source_ip >> 8) & 255) || '.' || (e.source_ip & 255) ELSE e.source_ip END,
	u.value, c.value, r.value, acc.value, CASE e.bits & 24 WHEN 8 THEN 0 WHEN 16 THEN 1 END`;
const joins = `LEFT JOIN dict n ON n.id = e.event_name LEFT JOIN dict s ON s.id = e.event_source LEFT JOIN dict a ON a.id = e.identity_arn
	LEFT JOIN dict t ON t.id = e.identity_type LEFT JOIN dict k ON k.id = e.access_key_id LEFT JOIN dict u ON u.id = e.user_agent
	LEFT JOIN dict c ON c.id = e.error_code LEFT JOIN dict r ON r.id = e.aws_region LEFT JOIN dict acc ON acc.id = e.recipient_account_id`;

function toEvent(row: unknown[]): ExportEvent {
	return {
		eventId: decodeEventId(row[1] as string | Buffer),
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
		where.push('e.identity_arn = (SELECT id FROM dict WHERE value = ?)');
		params.push(filter.principal);
	}
	if (filter.since) {
		where.push('e.event_time >= ?');
		params.push(filter.since);
	}
	if (filter.until) {
		where.push('e.event_time <= ?');
		params.push(filter.until);
	}
	const seen = new Set<string>();
	if (filter.eventIds) {
		const one = db.prepare(`SELECT ${columns} FROM event_row e ${joins} WHERE e.event_id = ? ${where.map(w => `AND ${w}`).join(' ')} ORDER BY e.id LIMIT 1`).raw();
		const events: ExportEvent[] = [];
		for (const id of new Set(filter.eventIds)) {
			const row = one.get(encodeEventId(id), ...params) as unknown[] | undefined;
			if (row) events.push(toEvent(row));
		}
		events.sort((a, b) => a.eventTime.localeCompare(b.eventTime) || a.eventId.localeCompare(b.eventId));
		yield* events;
		return;
	}
	const statement = db.prepare(`SELECT ${columns} FROM event_row e ${joins} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY e.event_time, e.id`).raw();
	for (const row of statement.iterate(...params) as IterableIterator<unknown[]>) {
		const event = toEvent(row);
		if (seen.has(event.eventId)) continue;
		seen.add(event.eventId);
		yield event;
	}
}
