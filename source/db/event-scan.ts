/**
 * Reading the records a set of detections may match, without decoding the others. A record's
 * eventName, eventSource, user agent, identity type and ARN, access key, account and region are
 * dictionary ids in event_row (db/005_lean_event.sql): each detection's necessary tests on those
 * fields are run once per distinct value, the rows whose ids pass are selected in SQL, and only
 * their original texts are unpacked from the zstd blocks. A detection with no such test reads
 * every record.
 */
import {decodeEventTime} from './event-time.js';
import type {CaseFile} from './open.js';
import {decodeEventId} from './event-row.js';
import {RawReader} from './raw.js';

/** Record fields (as dotted paths) stored verbatim as dictionary ids, and their event_row columns. */
export const indexedFields: ReadonlyMap<string, string> = new Map([
	['eventName', 'event_name'],
	['eventSource', 'event_source'],
	['awsRegion', 'aws_region'],
	['recipientAccountId', 'recipient_account_id'],
	['userIdentity.type', 'identity_type'],
	['userIdentity.arn', 'identity_arn'],
	['userIdentity.accessKeyId', 'access_key_id'],
	['userAgent', 'user_agent'],
]);

/** Per detection: field → the test any record it matches passes on that field; empty means no such test. */
export type CandidateFilter = ReadonlyMap<string, (text: string) => boolean>;

export interface ScannedEvent {
	/** event_row id. */
	row: number;
	eventId: string;
	eventTime: string;
	identityArn: string | null;
	accessKeyId: string | null;
	/** The original record text. */
	text: string;
}

export interface ScanStats {
	events: number;
	candidates: number;
}

/**
 * Calls visit with each record some filter admits, and the indexes of the filters that admit it.
 */
export function scanCandidates(
	db: CaseFile,
	filters: CandidateFilter[],
	visit: (event: ScannedEvent, admitted: number[]) => void,
): ScanStats {
	const columns = [...new Set(filters.flatMap(f => [...f.keys()]).map(field => indexedFields.get(field)!))];
	// Distinct values of each column the filters test, read once.
	const values = new Map<string, [number, string][]>();
	for (const column of columns) {
		values.set(column, db.prepare(`SELECT id, value FROM dict WHERE id IN (SELECT DISTINCT ${column} FROM event_row)`).raw().all() as [number, string][]);
	}
	const admitted: (Map<string, Set<number>> | null)[] = filters.map(filter => {
		if (filter.size === 0) return null;
		const sets = new Map<string, Set<number>>();
		for (const [field, test] of filter) {
			const column = indexedFields.get(field)!;
			sets.set(column, new Set(values.get(column)!.filter(([, v]) => test(v)).map(([id]) => id)));
		}
		return sets;
	});
	const readAll = admitted.some(a => a === null);
	const live = admitted.filter((a): a is Map<string, Set<number>> => a !== null && [...a.values()].every(s => s.size > 0));
	const stats: ScanStats = {events: db.prepare('SELECT count(*) FROM event_row').pluck().get() as number, candidates: 0};
	if (!readAll && live.length === 0) return stats;
	// SQL selects a superset cheaply: each filter's most selective column, its ids merged per column
	// (one IN list per column, not one term per filter); each row is then checked exactly below.
	const primary = new Map<string, Set<number>>();
	for (const sets of live) {
		const [column, ids] = [...sets].sort((a, b) => a[1].size - b[1].size)[0]!;
		const merged = primary.get(column) ?? new Set<number>();
		for (const id of ids) merged.add(id);
		primary.set(column, merged);
	}
	const params = readAll ? [] : [...primary.values()].map(ids => JSON.stringify([...ids]));
	const where = readAll ? '' : `WHERE ${[...primary.keys()].map(column => `${column} IN (SELECT value FROM json_each(?))`).join(' OR ')}`;
	const sql = `SELECT id, event_id, event_time, raw_block, raw_offset, raw_length, ${['identity_arn', 'access_key_id', ...columns.filter(c => c !== 'identity_arn' && c !== 'access_key_id')].join(', ')}
		FROM event_row ${where}`;
	const statement = db.prepare(sql);
	const names = statement.columns().map(c => c.name);
	const at = new Map(names.map((n, i) => [n, i]));
	const dict = db.prepare('SELECT value FROM dict WHERE id = ?').pluck();
	const text = new Map<number, string | null>();
	const decode = (id: number | null) => {
		if (id === null) return null;
		if (!text.has(id)) text.set(id, dict.get(id) as string | null);
		return text.get(id)!;
	};
	const raw = new RawReader(db);
	// Per filter, [column position, admitted ids] pairs: the exact check, without allocating per row.
	const checks = admitted.map(sets => (sets === null ? [] : [...sets].map(([column, ids]) => [at.get(column)!, ids] as const)));
	const which: number[] = [];
	for (const row of statement.raw().iterate(...params) as IterableIterator<unknown[]>) {
		which.length = 0;
		for (let i = 0; i < checks.length; i++) {
			const check = checks[i]!;
			let ok = true;
			for (let j = 0; j < check.length && ok; j++) ok = check[j]![1].has(row[check[j]![0]] as number);
			if (ok) which.push(i);
		}
		if (which.length === 0) continue;
		stats.candidates++;
		visit(
			{
				row: row[0] as number,
				eventId: decodeEventId(row[1] as string | Buffer),
				eventTime: decodeEventTime(row[2] as number | string),
				identityArn: decode(row[at.get('identity_arn')!] as number | null),
				accessKeyId: decode(row[at.get('access_key_id')!] as number | null),
				text: raw.text(row[3] as number, row[4] as number, row[5] as number),
			},
			[...which],
		);
	}
	return stats;
}
