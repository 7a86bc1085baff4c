/**
 * What the case file holds, for the overview, `mfatrail summary` and reports: the evidence
 * (sources with their SHA-256, time span, accounts, regions), the last verify outcome, and whether
 * the case is a scoped extract. Cheap at a million events: accounts and regions are read from the
 * distinct values the import keeps (db/021_pivot_value.sql), the span from the per-source first/last times.
 */
import {unreadableRows} from './unreadable.js';
import type {CaseFile} from './open.js';
import {allPivotValues, eventTotal} from './pivot-values.js';
import {caseScope, type CaseScope} from './scope.js';
import {lastVerify, type VerifyOutcome} from './verify-record.js';
import {decodeTime} from './source-row.js';

/** One scope of a scoped extract (issue 12's caseScope, source/db/scope.ts). */
export type ScopeEntry = CaseScope;

export interface SourceHash {
	id: number;
	path: string;
	member: string | null;
	format: string;
	status: string;
	/** SHA-256 of the bytes as read, and of the decompressed content. */
	sha256: string;
	contentSha256: string;
	records: number;
}

export interface CaseInventory {
	sources: {
		/** Source rows: files and archive members read (digests included). */
		total: number;
		digests: number;
		/** Sources holding only some fields (CSV exports). */
		partial: number;
	};
	imports: {runs: number; lastFinishedAt: string | null};
	events: number;
	rejections: number;
	/** MFA rows whose stored facts could not be read, so are not in the model (row ids; db/unreadable.ts). */
	unreadableModelRows: number[];
	span: {first: string | null; last: string | null};
	accounts: string[];
	regions: string[];
	/** Every source with its hashes, in import order. */
	hashes: SourceHash[];
	/** The last `mfatrail verify` whose outcome was recorded; null when none was. */
	verify: VerifyOutcome | null;
	/** Scoped extract: how the evidence was selected; empty for whole evidence. */
	scope: ScopeEntry[];
	scoped: boolean;
}

export interface InventoryOptions {
	/** Leave the per-source hash list out (it has one row per evidence file: 40k at a million events). */
	hashes?: boolean;
}

function tableExists(db: CaseFile, name: string): boolean {
	return Boolean(db.prepare(`SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?`).pluck().get(name));
}

/**
 * The distinct non-null values of an indexed column, by seeking past each value in turn: one index
 * lookup per distinct value instead of a scan of every row.
 */
export function distinctValues(db: CaseFile, table: string, column: string, where = '1', max = 10_000): string[] {
	const next = db.prepare(`SELECT min(${column}) FROM ${table} WHERE ${column} > ? AND (${where})`).pluck();
	const values: string[] = [];
	let value = db.prepare(`SELECT min(${column}) FROM ${table} WHERE ${column} IS NOT NULL AND (${where})`).pluck().get() as string | null;
	while (value !== null && values.length < max) {
		values.push(value);
		value = next.get(value) as string | null;
	}
	return values;
}

export function caseInventory(db: CaseFile, options: InventoryOptions = {}): CaseInventory {
	// From source_row itself (db/024_lean_source.sql): the view would decode every row's times and
	// status to aggregate them. Times are seconds there, or text where a time was not canonical: the
	// least and greatest of each kind are compared as the text they stand for.
	const span = db
		.prepare(`SELECT count(*) AS total, count(*) FILTER (WHERE status = (SELECT id FROM dict WHERE value = 'digest')) AS digests,
			count(*) FILTER (WHERE status = (SELECT id FROM dict WHERE value = 'partial')) AS partial,
			min(first_event_time) FILTER (WHERE typeof(first_event_time) = 'integer') AS firstSeconds, min(first_event_time) FILTER (WHERE typeof(first_event_time) = 'text') AS firstText,
			max(last_event_time) FILTER (WHERE typeof(last_event_time) = 'integer') AS lastSeconds, max(last_event_time) FILTER (WHERE typeof(last_event_time) = 'text') AS lastText
			FROM source_row`)
		.get() as {total: number; digests: number; partial: number; firstSeconds: number | null; firstText: string | null; lastSeconds: number | null; lastText: string | null};
	const times = (a: string | null, b: string | null) => [a, b].filter(t => t !== null) as string[];
	const first = times(decodeTime(span.firstSeconds), span.firstText).sort()[0] ?? null;
	const last = times(decodeTime(span.lastSeconds), span.lastText).sort().at(-1) ?? null;
	const runs = db.prepare(`SELECT count(*) AS runs, max(finished_at) AS lastFinishedAt FROM import_run WHERE status = 'done'`).get() as CaseInventory['imports'];
	// The total, accounts and regions the import keeps (db/021_pivot_value.sql): no pass over the events.
	const events = eventTotal(db);
	const rejections = db.prepare(`SELECT count(*) FROM rejection`).pluck().get() as number;
	const accounts = allPivotValues(db, 'account').map(v => v.value);
	const regions = allPivotValues(db, 'region').map(v => v.value);
	const hashes =
		options.hashes === false
			? []
			: (db
					.prepare(`SELECT id, path, member, format, status, sha256, content_sha256 AS contentSha256, record_count AS records FROM source ORDER BY id`)
					.all() as SourceHash[]);
	let scope: ScopeEntry[] = [];
	try {
		scope = caseScope(db);
	} catch (error) {
		// No scope table (a case file from before scoped extracts): whole evidence. Any other error is one.
		if (!/no such table: scope\b/.test((error as Error).message)) throw error;
	}
	return {
		sources: {total: span.total, digests: span.digests, partial: span.partial},
		imports: {runs: runs.runs, lastFinishedAt: runs.lastFinishedAt},
		events,
		rejections,
		unreadableModelRows: unreadableRows(db),
		span: {first, last},
		accounts,
		regions,
		hashes,
		verify: tableExists(db, 'verify_run') ? lastVerify(db) : null,
		scope,
		scoped: scope.length > 0,
	};
}
