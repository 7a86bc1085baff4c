import {eventTimeSql} from '../db/event-time.js';
import type {CaseFile} from '../db/open.js';
import {ModelDerivation} from './derive.js';
import {refreshIncrementally} from './incremental.js';
import {principalFromArn} from './principals.js';
import {recordUnreadableRows} from '../db/unreadable.js';
import {factRowBatches} from './rows.js';
import {linkModel} from './links.js';
import {countAllPrincipals, modelRowWriter} from './store.js';
import type {AccountEventRecord, LifecycleRecord, Model, SignInRecord} from './types.js';

/** Bump when the derivation changes, so existing case files get their model rebuilt. */
/** 4: sign_in.federation (issue 20). */
const modelVersion = 4;

export interface ModelRefresh {
	/** full: every model table rebuilt; incremental: only what the new events touched. */
	mode: 'full' | 'incremental';
	/** MFA-relevant events derived again (all of them, or the histories the new ones belong to). */
	rows: number;
	/** Device serials and principal sign-in sequences derived again (incremental), or all devices (full). */
	serials: number;
	principals: number;
}

/**
 * Brings the MFA model (principals, devices, lifecycles, sign-ins) up to date with the imported
 * events. Events are only ever added, so meta 'model_refreshed' (model version and the highest
 * event row the model covers) says what is new: nothing (re-importing the same evidence costs
 * nothing), some rows (an incremental refresh: source/model/incremental.ts), or everything (a new
 * case file, a newer derivation, or force). Both write the same tables. What changed is left in
 * refresh_pending for the findings refresh. batchRows: rows per batch of a full rebuild (tests vary
 * it; the result never depends on it).
 */
export function refreshModel(db: CaseFile, options: {force?: boolean; batchRows?: number; onRecords?: RecordsListener} = {}): ModelRefresh | undefined {
	const maxId = (db.prepare('SELECT max(id) FROM event').pluck().get() as number | null) ?? 0;
	const previous = db.prepare(`SELECT value FROM meta WHERE key = 'model_refreshed'`).pluck().get() as string | undefined;
	const [version, covered] = (previous ?? '').split(':').map(Number);
	if (!options.force && version === modelVersion && covered === maxId) return undefined;
	if (!options.force && version === modelVersion && covered < maxId) {
		const result = db.transaction(() => {
			const done = refreshIncrementally(db, covered);
			if (done) {
				const pending = db.prepare(`INSERT OR IGNORE INTO refresh_pending (kind, key) VALUES ('principal', ?)`);
				for (const arn of linkModel(db)) pending.run(arn);
				markRefreshed(db, maxId);
			}
			return done;
		}).immediate();
		if (result) return result;
	}
	return rebuildModel(db, maxId, Math.max(1, Math.trunc(options.batchRows ?? rebuildBatch)), options.onRecords);
}

/**
 * Told each batch of lifecycle records and sign-ins a full rebuild writes, in derivation order (as
 * derived: linkModel then updates a few stored rows). The pipeline hands them to the findings, which
 * would otherwise read back the rows just written.
 */
export type RecordsListener = (lifecycle: LifecycleRecord[], signIns: SignInRecord[]) => void;

function markRefreshed(db: CaseFile, maxId: number): void {
	db.prepare(`INSERT INTO meta(key, value) VALUES ('model_refreshed', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(
		`${modelVersion}:${maxId}`,
	);
}

/**
 * MFA-relevant rows derived and written at a time by the full rebuild (refreshModel's batchRows):
 * bounds its memory, never its result. Small enough that a batch's rows die young in V8's new
 * space instead of being promoted and collected by the costly old-space collector.
 */
const rebuildBatch = 1_000;

/**
 * Rebuilds the whole model in one transaction: derivation is a pass over the MFA-relevant rows in
 * event-time order (source/model/derive.ts), read and written a batch at a time, since every
 * lifecycle record and sign-in is final as soon as its row is derived; only the principals and
 * devices (written last) are held to the end. Principal counters over all events come from one
 * aggregate over the event_identity index (db/005_lean_event.sql).
 */
function rebuildModel(db: CaseFile, maxId: number, batchRows: number, onRecords?: RecordsListener): ModelRefresh {
	let rows = 0;
	let principals = 0;
	let serials = 0;
	const write = db.transaction(() => {
		db.exec('DELETE FROM sign_in_row; DELETE FROM lifecycle_row; DELETE FROM model_value; DELETE FROM account_event; DELETE FROM identity_center_name; DELETE FROM device; DELETE FROM principal;');
		// Building each secondary index once over the written rows costs a fraction of keeping it
		// up to date row by row (most are in ARN or serial order, not the time order rows come in).
		const indexes = db
			.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
				AND tbl_name IN ('principal', 'device', 'lifecycle_row', 'sign_in_row', 'account_event', 'model_value')`)
			.all() as {name: string; sql: string}[];
		for (const index of indexes) db.exec(`DROP INDEX "${index.name.replaceAll('"', '""')}"`);
		const derivation = new ModelDerivation();
		const writeRows = modelRowWriter(db);
		const unreadable: number[] = [];
		for (const batch of factRowBatches(db, batchRows, unreadable)) {
			const lifecycle: LifecycleRecord[] = [];
			const signIns: SignInRecord[] = [];
			const accountEvents: AccountEventRecord[] = [];
			for (const row of batch) derivation.add(row, lifecycle, signIns, accountEvents);
			writeRows([], lifecycle, signIns, accountEvents);
			onRecords?.(lifecycle, signIns);
			rows += lifecycle.length + signIns.length + accountEvents.length;
		}
		derivation.finish();
		writeRows(derivation.devices, [], []);
		storePrincipals(db, derivation.principals);
		principals = derivation.principals.size;
		serials = derivation.devices.length;
		for (const index of indexes) db.exec(index.sql);
		linkModel(db);
		countAllPrincipals(db);
		recordUnreadableRows(db, unreadable, true);
		// Every finding may have changed: the findings refresh recomputes them all.
		db.exec(`DELETE FROM refresh_pending; INSERT INTO refresh_pending (kind, key) VALUES ('all', '')`);
		markRefreshed(db, maxId);
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
	return {mode: 'full', rows, serials, principals};
}

/**
 * Principals: every identity ARN in the events (aggregated in SQL, so the non-MFA majority of
 * events is never read row by row), merged with those the derivation keyed (records without an
 * ARN, device owners).
 */
function storePrincipals(db: CaseFile, keyed: Model['principals']): void {
	const insert = db.prepare(`INSERT INTO principal (arn, type, name, account_id, first_seen, last_seen, event_count)
		VALUES (?, ?, ?, ?, ?, ?, ?)`);
	// Grouped by the dictionary id on the event_identity index (identity_arn, event_time): a scan of
	// the index, the ARN text read once per principal.
	const aggregates = db.prepare(`SELECT d.value AS arn, a.events, ${eventTimeSql('a.firstSeen')} AS firstSeen, ${eventTimeSql('a.lastSeen')} AS lastSeen FROM (
		SELECT identity_arn AS arn, count(*) AS events, min(event_time) AS firstSeen, max(event_time) AS lastSeen
		FROM event_row INDEXED BY event_identity WHERE identity_arn IS NOT NULL GROUP BY identity_arn) a JOIN dict d ON d.id = a.arn`);
	const stored = new Set<string>();
	for (const row of aggregates.all() as Array<{arn: string; events: number; firstSeen: string; lastSeen: string}>) {
		if (row.arn === '') continue;
		const known = keyed.get(row.arn);
		const info = known ?? principalFromArn(row.arn);
		const firstSeen = known?.firstSeen && known.firstSeen < row.firstSeen ? known.firstSeen : row.firstSeen;
		const lastSeen = known?.lastSeen && known.lastSeen > row.lastSeen ? known.lastSeen : row.lastSeen;
		insert.run(info.arn, info.type, info.name, info.accountId, firstSeen, lastSeen, row.events + (known?.events ?? 0));
		stored.add(row.arn);
	}
	for (const p of keyed.values()) {
		if (!stored.has(p.arn)) insert.run(p.arn, p.type, p.name, p.accountId, p.firstSeen, p.lastSeen, p.events);
	}
}
