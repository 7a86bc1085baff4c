import type {CaseFile} from './open.js';

/**
 * The row ids whose stored facts could not be read, kept in meta 'model_unreadable_rows' (a JSON
 * array): summary and verify show them, so nothing leaves the model silently.
 */
export function unreadableRows(db: CaseFile): number[] {
	const value = db.prepare(`SELECT value FROM meta WHERE key = 'model_unreadable_rows'`).pluck().get() as string | undefined;
	return value ? (JSON.parse(value) as number[]) : [];
}

/** Records unreadable rows: replacing the list after a full rebuild, adding to it otherwise. */
export function recordUnreadableRows(db: CaseFile, ids: Iterable<number>, replace: boolean): void {
	const all = new Set(replace ? [] : unreadableRows(db));
	for (const id of ids) all.add(id);
	db.prepare(`INSERT INTO meta (key, value) VALUES ('model_unreadable_rows', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(
		JSON.stringify([...all].sort((a, b) => a - b)),
	);
}
