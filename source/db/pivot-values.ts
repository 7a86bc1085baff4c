/**
 * The distinct access keys, source IPs and user agents with their counts and first/last seen
 * (db/021_pivot_value.sql), kept by the import, and likewise who used each user agent (agent_use).
 * The writer tallies each row it adds (PivotTally, in memory: values are thousands where rows are
 * millions) and the tally is merged in once after the load, so nothing reads the event rows again.
 * When a tally cannot vouch for exactly the rows added since the last refresh (an earlier import was
 * killed before its merge, a batch rolled back, a partial row was replaced), one grouped pass over
 * those rows' range of each covering index (event_access_key, event_source_ip) and of the rows
 * themselves is merged in instead. Search reads these tables, so no keystroke reads events.
 */
import type {CaseFile} from './open.js';
import {decodeEventTime, eventTimeSql} from './event-time.js';

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

/** What the writer knows of a row it adds: the strings pivot_value names values by. */
export interface TalliedEvent {
	accessKeyId: string | null;
	sourceIp: string | null;
	userAgent: string | null;
	identityArn: string | null;
	recipientAccountId: string | null;
	awsRegion: string | null;
}

interface Seen {
	text: string;
	events: number;
	/** timeKey()s of the first and last event_time. */
	first: number;
	last: number;
	/** The map it is counted in (one per user agent for agent_use). */
	map: Map<unknown, Seen>;
}

/**
 * A stored event_time as the tally keeps it: the integer event_row stores (source/db/event-time.ts),
 * whose order is time order and whose text decodeEventTime gives back; no string is kept per value
 * (keeping the texts made the writer's garbage collection the tally's main cost). -1 for a time
 * kept as text (outside 1970–9999, another spelling): those rows are counted from the rows.
 */
function timeKey(stored: unknown): number {
	return typeof stored === 'bigint' ? Number(stored) : typeof stored === 'number' ? stored : -1;
}

/** The event_row columns a tally reads, and the event field that spells each. */
const tallied = {
	time: 'event_time',
	key: 'access_key_id',
	ip: 'source_ip',
	agent: 'user_agent',
	principal: 'identity_arn',
	account: 'recipient_account_id',
	region: 'aws_region',
} as const;

/**
 * The counts of the rows one import adds, kept by the writer (source/db/store.ts) from each row's
 * stored values as it adds them. It stands for exactly the rows with ids above `after` only if
 * pivot_value covered every row when the import started, and nothing since (a rollback, a row
 * rewritten in place) made the rows counted differ from the rows committed: otherwise it is
 * spoilt and refreshPivotValues reads the rows.
 */
export class PivotTally {
	readonly after: number;
	private exact: boolean;
	private readonly at: Record<keyof typeof tallied, number>;
	/** By pivotValueKind: stored value → counts. */
	readonly values: Map<unknown, Seen>[] = Object.values(pivotValueKind).map(() => new Map());
	/** user_agent as stored → identity_arn as stored (0 for none) → counts. */
	readonly agentUse = new Map<unknown, Map<unknown, Seen>>();

	/** `columns`: event_row's columns in the order the writer's rows hold them. */
	constructor(db: CaseFile, columns: string[]) {
		this.after = (db.prepare('SELECT max(id) FROM event_row').pluck().get() as number | null) ?? 0;
		this.at = Object.fromEntries(Object.entries(tallied).map(([name, column]) => [name, columns.indexOf(column)])) as Record<keyof typeof tallied, number>;
		this.exact = coveredUpTo(db) === this.after && Object.values(this.at).every(i => i >= 0);
		tallies.set(db, this);
	}

	get usable(): boolean {
		return this.exact;
	}

	/** How many rows were counted. */
	get rows(): number {
		return this.values[pivotValueKind.all].get(0)?.events ?? 0;
	}

	/** The rows counted may not be the rows committed: count from the rows instead. */
	spoil(): void {
		this.exact = false;
	}

	/**
	 * Counts a row: its stored values from row[offset] on (in `columns` order), their texts from the
	 * event. Rows come in runs (a file holds one account and region, often one caller and agent), so
	 * each kind first tries the value it counted last: most rows then cost no map lookup at all.
	 */
	add(event: TalliedEvent, row: unknown[], offset: number): void {
		if (!this.exact) return;
		const at = this.at;
		const time = timeKey(row[offset + at.time]);
		if (time < 0) return this.spoil(); // not a time as the case file stores them: count from the rows
		this.see(pivotValueKind.all, this.values[pivotValueKind.all], 0, '', time);
		const key = row[offset + at.key];
		if (key !== null) this.see(pivotValueKind.key, this.values[pivotValueKind.key], key, event.accessKeyId!, time);
		const address = row[offset + at.ip];
		if (address !== null) this.see(pivotValueKind.ip, this.values[pivotValueKind.ip], typeof address === 'bigint' ? Number(address) : address, event.sourceIp!, time);
		const account = row[offset + at.account];
		if (account !== null) this.see(pivotValueKind.account, this.values[pivotValueKind.account], account, event.recipientAccountId!, time);
		const region = row[offset + at.region];
		if (region !== null) this.see(pivotValueKind.region, this.values[pivotValueKind.region], region, event.awsRegion!, time);
		const agent = row[offset + at.agent];
		if (agent !== null) {
			this.see(pivotValueKind.agent, this.values[pivotValueKind.agent], agent, event.userAgent!, time);
			let users = this.lastAgent === agent ? this.lastUsers : this.agentUse.get(agent);
			if (!users) this.agentUse.set(agent, (users = new Map()));
			this.lastAgent = agent;
			this.lastUsers = users;
			// The principal's slot in the cache: after the kinds of pivotValueKind.
			this.see(agentUseSlot, users, row[offset + at.principal] ?? 0, event.identityArn ?? '', time);
		}
	}

	/** The value each kind counted last (slot = kind; agentUseSlot for agent_use's principal), and its counts. */
	private readonly lastStored: unknown[] = [];
	private readonly lastSeen: (Seen | undefined)[] = [];
	private lastAgent: unknown;
	private lastUsers: Map<unknown, Seen> | undefined;

	private see(slot: number, map: Map<unknown, Seen>, stored: unknown, text: string, time: number): void {
		let seen = this.lastStored[slot] === stored && this.lastSeen[slot]?.map === map ? this.lastSeen[slot] : undefined;
		if (!seen) {
			seen = map.get(stored);
			if (!seen) map.set(stored, (seen = {text, events: 0, first: time, last: time, map}));
			this.lastStored[slot] = stored;
			this.lastSeen[slot] = seen;
		}
		seen.events++;
		if (time < seen.first) seen.first = time;
		else if (time > seen.last) seen.last = time;
	}
}

/** agent_use's cache slot in PivotTally.see, after pivotValueKind's. */
const agentUseSlot = Object.keys(pivotValueKind).length;

/** The tally of the import running on a case file, until refreshPivotValues merges it. */
const tallies = new WeakMap<CaseFile, PivotTally>();

/** The highest event_row id pivot_value covers. */
function coveredUpTo(db: CaseFile): number {
	return Number(db.prepare(`SELECT value FROM meta WHERE key = 'pivot_values'`).pluck().get() ?? 0);
}

/**
 * Merges the events added since the last refresh into pivot_value: from the import's tally when it
 * stands for exactly those rows, else from the rows. Nothing to do costs two lookups. Says which it did.
 */
export function refreshPivotValues(db: CaseFile): 'none' | 'tally' | 'rows' {
	const tally = tallies.get(db);
	tallies.delete(db);
	const maxId = (db.prepare('SELECT max(id) FROM event_row').pluck().get() as number | null) ?? 0;
	const covered = coveredUpTo(db);
	if (covered >= maxId) return 'none';
	// Rows get the next ids in turn, so a tally of every row added counts maxId - covered of them
	// (fewer: another process imported into the case file meanwhile).
	if (tally?.usable && tally.after === covered && tally.rows === maxId - covered) {
		mergeTally(db, tally, maxId);
		return 'tally';
	}
	countRows(db, covered, maxId);
	return 'rows';
}

/** Rows per statement when writing a tally: one statement per row cost twice as much (80k values, MFA-heavy 200k). */
const rowsPerUpsert = 64;

/** Upserts [key, value, events, first, last] rows into pivot_value or agent_use, many per statement. */
function upsertAll(db: CaseFile, table: 'pivot_value' | 'agent_use', rows: unknown[][]): void {
	const key = table === 'pivot_value' ? 'kind, value' : 'user_agent, principal';
	const sql = (n: number) =>
		`INSERT INTO ${table} (${key}, events, first_seen, last_seen) VALUES ${Array(n).fill('(?, ?, ?, ?, ?)').join(', ')} ON CONFLICT DO UPDATE SET events = events + excluded.events,
			first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`;
	const many = db.prepare(sql(rowsPerUpsert));
	let at = 0;
	for (; at + rowsPerUpsert <= rows.length; at += rowsPerUpsert) many.run(rows.slice(at, at + rowsPerUpsert).flat());
	if (at < rows.length) db.prepare(sql(rows.length - at)).run(rows.slice(at).flat());
}

/** Writes a tally (values in key order: the B-trees fill in order). */
function mergeTally(db: CaseFile, tally: PivotTally, maxId: number): void {
	const byText = (a: Seen, b: Seen) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0);
	db.transaction(() => {
		upsertAll(
			db,
			'pivot_value',
			tally.values.flatMap((values, kind) => [...values.values()].sort(byText).map(seen => [kind, seen.text, seen.events, decodeEventTime(seen.first), decodeEventTime(seen.last)])),
		);
		upsertAll(
			db,
			'agent_use',
			[...tally.agentUse].flatMap(([agent, users]) => [...users.values()].sort(byText).map(seen => [agent, seen.text, seen.events, decodeEventTime(seen.first), decodeEventTime(seen.last)])),
		);
		setCovered(db, maxId);
	}).immediate();
}

function setCovered(db: CaseFile, maxId: number): void {
	db.prepare(`INSERT INTO meta (key, value) VALUES ('pivot_values', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(String(maxId));
}

/** Merges the rows with ids above `covered` by grouped passes over them. */
function countRows(db: CaseFile, covered: number, maxId: number): void {
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
		setCovered(db, maxId);
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
