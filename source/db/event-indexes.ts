import type Database from 'better-sqlite3';

/**
 * Bulk loading: every index on `event_row`, and dict's unique index on its values, is dropped before
 * a large import and built again after it (CREATE INDEX over the loaded table is several times
 * cheaper than maintaining the indexes row by row; dict_value's random inserts cost the writer more
 * than the event rows, db/028_dict_value_index.sql). The writer's in-memory dictionary keeps the
 * values unique meanwhile (source/db/store.ts). The definitions stay in db/*.sql: they are read from sqlite_master just before the
 * drop, kept in meta 'event_indexes_dropped' in the same transaction, and that same SQL is run
 * again to restore them. An import that dies in between leaves the key behind; the next
 * writable open (source/db/open.ts) or import restores the indexes, so the case file stays usable.
 */
const metaKey = 'event_indexes_dropped';

interface IndexDefinition {
	name: string;
	sql: string;
}

/** The tables whose indexes a bulk load drops. */
const bulkTables = `'event_row', 'dict'`;

/** Drops the indexes of the event and dict tables, remembering their SQL; returns how many were dropped. */
export function dropEventIndexes(db: Database.Database): number {
	return db.transaction(() => {
		const indexes = db
			.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN (${bulkTables}) AND sql IS NOT NULL ORDER BY name`)
			.all() as IndexDefinition[];
		if (indexes.length === 0) return 0;
		// Indexes left dropped by an earlier run are still owed: keep their SQL along with these.
		const owed = pendingIndexes(db).filter(p => !indexes.some(i => i.name === p.name));
		db.prepare(`INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)`).run(metaKey, JSON.stringify([...owed, ...indexes]));
		for (const index of indexes) db.exec(`DROP INDEX ${quote(index.name)}`);
		return indexes.length;
	}).immediate();
}

/** Indexes dropped for a bulk load and not yet rebuilt. */
export function pendingIndexes(db: Database.Database): IndexDefinition[] {
	const value = db.prepare(`SELECT value FROM meta WHERE key = ?`).pluck().get(metaKey) as string | undefined;
	return value ? (JSON.parse(value) as IndexDefinition[]) : [];
}

/** Builds the dropped indexes again (a no-op when none are owed); returns how many were built. */
export function restoreEventIndexes(db: Database.Database): number {
	// Sorting for CREATE INDEX spills to temp files by default; memory is much faster here.
	const tempStore = db.pragma('temp_store', {simple: true});
	db.pragma('temp_store = MEMORY');
	try {
		return db.transaction(() => {
			const owed = pendingIndexes(db);
			const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?`).pluck();
			let built = 0;
			for (const index of owed) {
				if (exists.get(index.name)) continue;
				db.exec(index.sql);
				built++;
			}
			db.prepare(`DELETE FROM meta WHERE key = ?`).run(metaKey);
			return built;
		}).immediate();
	} finally {
		db.pragma(`temp_store = ${Number(tempStore)}`);
	}
}

/** True when the case file has a meta table (schema version ≥ 1) and owes rebuilt indexes. */
export function indexesOwed(db: Database.Database): boolean {
	const hasMeta = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).pluck().get();
	return Boolean(hasMeta) && pendingIndexes(db).length > 0;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
