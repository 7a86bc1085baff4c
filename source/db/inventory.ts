/**
 * The case inventory: what evidence the case file holds (sources, time span, accounts, regions,
 * SHA-256 of every source) and what is known of its integrity (the last verify result, a scoped
 * extract). Read by the report; the overview screen shows the same.
 * (Minimal version written by issue14; issue13 owns this module and replaces it at merge.)
 */
import type {CaseFile} from './open.js';
import {caseScope} from './scope.js';

export interface InventorySource {
	path: string;
	member: string | null;
	format: string;
	sha256: string;
	records: number;
	status: string;
}

export interface CaseInventory {
	/** Evidence sources read (files and archive members), digests included. */
	sources: number;
	events: number;
	firstEventTime: string | null;
	lastEventTime: string | null;
	accounts: string[];
	regions: string[];
	/** Every source with its SHA-256, in path order. */
	files: InventorySource[];
	/** When the last import finished (or started, if it never finished); null before any import. */
	lastImport: string | null;
	/** The last `mfatrail verify` result, when the case file records one. */
	lastVerify: {at: string; ok: boolean; summary: string} | null;
	/** The case holds a scoped extract (source/db/scope.ts). */
	scoped: boolean;
}

export function caseInventory(db: CaseFile): CaseInventory {
	const span = db.prepare('SELECT count(*) AS events, min(event_time) AS first, max(event_time) AS last FROM event').get() as {events: number; first: string | null; last: string | null};
	const accounts = db.prepare('SELECT DISTINCT recipient_account_id FROM event WHERE recipient_account_id IS NOT NULL ORDER BY 1').pluck().all() as string[];
	const regions = db.prepare('SELECT DISTINCT aws_region FROM event WHERE aws_region IS NOT NULL ORDER BY 1').pluck().all() as string[];
	const files = db
		.prepare(`SELECT path, member, format, sha256, record_count AS records, status FROM source ORDER BY path, coalesce(member, ''), id`)
		.all() as InventorySource[];
	const lastImport = db.prepare('SELECT max(coalesce(finished_at, started_at)) FROM import_run').pluck().get() as string | null;
	return {
		sources: files.length,
		events: span.events,
		firstEventTime: span.first,
		lastEventTime: span.last,
		accounts,
		regions,
		files,
		lastImport,
		lastVerify: null,
		scoped: caseScope(db).length > 0,
	};
}
