/**
 * What pivot_value and agent_use (db/021_pivot_value.sql) must say, counted by test-side SQL over
 * the `event` view, beside what the case file stores: a test expects the two to be equal.
 */
import type Database from 'better-sqlite3';

type Row = [value: string | number, principal: string | null, events: number, first: string, last: string];

/** Kind by kind (db/021's numbering), the stored rows and the rows counted from the events. */
export function pivotCounts(db: Database.Database): {stored: Record<string, Row[]>; counted: Record<string, Row[]>} {
	const rows = (sql: string) => db.prepare(sql).raw().all() as Row[];
	const stored = (kind: number) => rows(`SELECT value, NULL, events, first_seen, last_seen FROM pivot_value WHERE kind = ${kind} ORDER BY value`);
	const counted = (column: string) =>
		rows(`SELECT ${column}, NULL, count(*), min(event_time), max(event_time) FROM event WHERE ${column} IS NOT NULL GROUP BY ${column} ORDER BY ${column}`);
	return {
		stored: {
			all: stored(0),
			key: stored(1),
			ip: stored(2),
			agent: stored(3),
			account: stored(4),
			region: stored(5),
			agentUse: rows(`SELECT d.value, a.principal, a.events, a.first_seen, a.last_seen FROM agent_use a JOIN dict d ON d.id = a.user_agent ORDER BY 1, 2`),
		},
		counted: {
			all: rows(`SELECT '', NULL, count(*), min(event_time), max(event_time) FROM event HAVING count(*) > 0`),
			key: counted('access_key_id'),
			ip: counted('source_ip'),
			agent: counted('user_agent'),
			account: counted('recipient_account_id'),
			region: counted('aws_region'),
			agentUse: rows(`SELECT user_agent, coalesce(identity_arn, ''), count(*), min(event_time), max(event_time) FROM event WHERE user_agent IS NOT NULL
				GROUP BY user_agent, coalesce(identity_arn, '') ORDER BY 1, 2`),
		},
	};
}
