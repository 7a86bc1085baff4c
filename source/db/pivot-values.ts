/**
 * The distinct access keys, source IPs and user agents with their counts and first/last seen
 * (db/021_pivot_value.sql), kept by the import: after each import, one grouped pass over the new
 * rows' range of each covering index (event_access_key, event_source_ip) and of the rows themselves is
 * merged in, and likewise who used each user agent (agent_use). Search reads these tables, so no
 * keystroke reads events.
 */
import type {CaseFile} from './open.js';
import {eventTimeSql} from './event-time.js';

export const pivotValueKind = {all: 0, key: 1, ip: 2, agent: 3, account: 4, region: 5} as const;
export type PivotValueKind = keyof typeof pivotValueKind;

/** The IPv4 integer of event_row back to its dotted text, as the view `event` spells it. */
const ipText = `CASE WHEN typeof(v) = 'integer' THEN ((v >> 24) & 255) || '.' || ((v >> 16) & 255) || '.' || ((v >> 8) & 255) || '.' || (v & 255) ELSE v END`;

/** First and last seen of a group of event_row, as text (source/db/event-time.ts). */
const firstLast = `${eventTimeSql('min(event_time)')} AS f, ${eventTimeSql('max(event_time)')} AS l`;

/**
 * Per kind: the grouped pass over event_row. `+id` keeps the planner on the covering index (the
 * rowid is in it) instead of a rowid range plus a sort; the partial indexes' own condition is repeated so they apply.
 */
const passes: [number, string][] = [
	[
		pivotValueKind.key,
		`SELECT d.value, g.n, g.f, g.l FROM (SELECT access_key_id AS v, count(*) AS n, ${firstLast} FROM event_row
			WHERE access_key_id IS NOT NULL AND +id > :after GROUP BY access_key_id) g JOIN dict d ON d.id = g.v WHERE true`,
	],
	[
		pivotValueKind.ip,
		`SELECT ${ipText}, g.n, g.f, g.l FROM (SELECT source_ip AS v, count(*) AS n, ${firstLast} FROM event_row
			WHERE source_ip IS NOT NULL AND +id > :after GROUP BY source_ip) g WHERE true`,
	],
];

const merge = `ON CONFLICT (kind, value) DO UPDATE SET events = events + excluded.events,
	first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`;

/** Merges the events added since the last refresh into pivot_value; nothing to do costs two lookups. */
export function refreshPivotValues(db: CaseFile): void {
	const maxId = (db.prepare('SELECT max(id) FROM event_row').pluck().get() as number | null) ?? 0;
	const covered = Number(db.prepare(`SELECT value FROM meta WHERE key = 'pivot_values'`).pluck().get() ?? 0);
	if (covered >= maxId) return;
	db.transaction(() => {
		for (const [kind, select] of passes) {
			db.prepare(
				`INSERT INTO pivot_value (kind, value, events, first_seen, last_seen) SELECT ${kind}, * FROM (${select}) WHERE true ${merge}`,
			).run({after: covered});
		}
		// User agents: one grouped pass by (agent, principal) into agent_use, and the agents' own
		// totals summed from those groups (there is no user-agent index to walk: these tables replace it).
		db.exec('DROP TABLE IF EXISTS temp.agent_groups');
		db.prepare(
			`CREATE TEMP TABLE agent_groups AS SELECT user_agent AS ua, identity_arn AS a, count(*) AS n, ${firstLast}
			FROM event_row WHERE user_agent IS NOT NULL AND id > ? GROUP BY user_agent, identity_arn`,
		).run(covered);
		db.exec(`INSERT INTO agent_use (user_agent, principal, events, first_seen, last_seen)
			SELECT g.ua, coalesce(d.value, ''), g.n, g.f, g.l FROM temp.agent_groups g LEFT JOIN dict d ON d.id = g.a WHERE true
			ON CONFLICT (user_agent, principal) DO UPDATE SET events = events + excluded.events,
				first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`);
		db.exec(`INSERT INTO pivot_value (kind, value, events, first_seen, last_seen)
			SELECT ${pivotValueKind.agent}, d.value, sum(g.n), min(g.f), max(g.l) FROM temp.agent_groups g JOIN dict d ON d.id = g.ua GROUP BY g.ua ${merge}`);
		db.exec('DROP TABLE temp.agent_groups');
		// Accounts, regions and the total: one pass over the new rows (a rowid range), grouped in a
		// temporary B-tree into a few hundred groups, summed here. An (account, region) index saved
		// about 0.2 µs per event here and cost more than that to build, and 2 % of the case file.
		const upsert = db.prepare(`INSERT INTO pivot_value (kind, value, events, first_seen, last_seen) VALUES (?, ?, ?, ?, ?) ${merge}`);
		const sums = new Map<string, [kind: number, value: string, events: number, first: string, last: string]>();
		const add = (kind: number, value: string | null, events: number, first: string, last: string) => {
			if (value === null) return;
			const key = `${kind}\u0000${value}`;
			const seen = sums.get(key);
			if (!seen) sums.set(key, [kind, value, events, first, last]);
			else [seen[2], seen[3], seen[4]] = [seen[2] + events, first < seen[3] ? first : seen[3], last > seen[4] ? last : seen[4]];
		};
		const groups = db
			.prepare(`SELECT da.value, dr.value, g.n, g.f, g.l FROM (SELECT recipient_account_id AS a, aws_region AS r, count(*) AS n, ${firstLast}
				FROM event_row WHERE id > ? GROUP BY recipient_account_id, aws_region) g LEFT JOIN dict da ON da.id = g.a LEFT JOIN dict dr ON dr.id = g.r`)
			.raw()
			.all(covered) as [string | null, string | null, number, string, string][];
		for (const [account, region, events, first, last] of groups) {
			add(pivotValueKind.all, '', events, first, last);
			add(pivotValueKind.account, account, events, first, last);
			add(pivotValueKind.region, region, events, first, last);
		}
		for (const row of sums.values()) upsert.run(...row);
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

/** Every value of a kind in text order (accounts, regions: a handful). */
export function allPivotValues(db: CaseFile, kind: PivotValueKind): PivotValue[] {
	return db
		.prepare(`SELECT value, events, first_seen AS firstSeen, last_seen AS lastSeen FROM pivot_value WHERE kind = ? ORDER BY value`)
		.all(pivotValueKind[kind]) as PivotValue[];
}

/** How many events the case holds, from the import's total (no count over the events). */
export function eventTotal(db: CaseFile): number {
	return pivotValue(db, 'all', '')?.events ?? 0;
}
