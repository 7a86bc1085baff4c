/**
 * The distinct access keys, source IPs and user agents with their counts and first/last seen
 * (db/016_pivot_value.sql), kept by the import: after each import, one grouped pass over the new
 * rows' range of each covering index (event_access_key, event_source_ip, event_user_agent) is
 * merged in. Search reads this table, so no keystroke reads events.
 */
import type {CaseFile} from './open.js';

export const pivotValueKind = {key: 1, ip: 2, agent: 3} as const;
export type PivotValueKind = keyof typeof pivotValueKind;

/** The IPv4 integer of event_row back to its dotted text, as the view `event` spells it. */
const ipText = `CASE WHEN typeof(v) = 'integer' THEN ((v >> 24) & 255) || '.' || ((v >> 16) & 255) || '.' || ((v >> 8) & 255) || '.' || (v & 255) ELSE v END`;

/**
 * Per kind: the grouped pass over event_row. `+id` keeps the planner on the covering index (the
 * rowid is in it) instead of a rowid range plus a sort; the partial indexes' own condition is repeated so they apply.
 */
const passes: [number, string][] = [
	[
		pivotValueKind.key,
		`SELECT d.value, g.n, g.f, g.l FROM (SELECT access_key_id AS v, count(*) AS n, min(event_time) AS f, max(event_time) AS l FROM event_row
			WHERE access_key_id IS NOT NULL AND +id > :after GROUP BY access_key_id) g JOIN dict d ON d.id = g.v WHERE true`,
	],
	[
		pivotValueKind.ip,
		`SELECT ${ipText}, g.n, g.f, g.l FROM (SELECT source_ip AS v, count(*) AS n, min(event_time) AS f, max(event_time) AS l FROM event_row
			WHERE source_ip IS NOT NULL AND +id > :after GROUP BY source_ip) g WHERE true`,
	],
	[
		pivotValueKind.agent,
		`SELECT d.value, g.n, g.f, g.l FROM (SELECT user_agent AS v, count(*) AS n, min(event_time) AS f, max(event_time) AS l FROM event_row
			WHERE user_agent IS NOT NULL AND +id > :after GROUP BY user_agent) g JOIN dict d ON d.id = g.v WHERE true`,
	],
];

/** Merges the events added since the last refresh into pivot_value; nothing to do costs two lookups. */
export function refreshPivotValues(db: CaseFile): void {
	const maxId = (db.prepare('SELECT max(id) FROM event_row').pluck().get() as number | null) ?? 0;
	const covered = Number(db.prepare(`SELECT value FROM meta WHERE key = 'pivot_values'`).pluck().get() ?? 0);
	if (covered >= maxId) return;
	db.transaction(() => {
		for (const [kind, select] of passes) {
			db.prepare(
				`INSERT INTO pivot_value (kind, value, events, first_seen, last_seen) SELECT ${kind}, * FROM (${select}) WHERE true
				ON CONFLICT (kind, value) DO UPDATE SET events = events + excluded.events,
					first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`,
			).run({after: covered});
		}
		db.prepare(`INSERT INTO meta (key, value) VALUES ('pivot_values', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(String(maxId));
	}).immediate();
}

export interface PivotValue {
	value: string;
	events: number;
	firstSeen: string;
	lastSeen: string;
}

/** Values of a kind from `from` on, in text order, at most `limit`. */
export function pivotValuesFrom(db: CaseFile, kind: PivotValueKind, from: string, limit: number): PivotValue[] {
	return db
		.prepare(`SELECT value, events, first_seen AS firstSeen, last_seen AS lastSeen FROM pivot_value WHERE kind = ? AND value >= ? ORDER BY value LIMIT ?`)
		.all(pivotValueKind[kind], from, limit) as PivotValue[];
}

/** One value's counts, or undefined. */
export function pivotValue(db: CaseFile, kind: PivotValueKind, value: string): PivotValue | undefined {
	return db
		.prepare(`SELECT value, events, first_seen AS firstSeen, last_seen AS lastSeen FROM pivot_value WHERE kind = ? AND value = ?`)
		.get(pivotValueKind[kind], value) as PivotValue | undefined;
}
