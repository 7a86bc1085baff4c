-- Schema version 21 (issue 17, within a keystroke at a million events): the distinct access keys,
-- source IPs and user agents of the evidence, each with how many events carry it and when it was
-- first and last seen. Search (the explorer's `/`, `mfatrail search`) answers from here and never
-- from the events: values are thousands where events are millions. The overview and `summary`
-- read the event total, the span, the accounts and the regions here too. The import keeps it up to date
-- (source/db/pivot-values.ts) over the rows added since meta 'pivot_values' (the highest
-- event_row id it covers); a case file from before this version is filled in on its first
-- writable open.
CREATE TABLE pivot_value (
	kind        INTEGER NOT NULL,  -- 0 all events (value ''), 1 access key, 2 source IP (text, as CloudTrail
	                               -- wrote it), 3 user agent, 4 recipient account, 5 region
	value       TEXT NOT NULL,
	events      INTEGER NOT NULL,
	first_seen  TEXT NOT NULL,
	last_seen   TEXT NOT NULL,
	PRIMARY KEY (kind, value)
) WITHOUT ROWID, STRICT;

-- Who used each user agent, and when: one row per (user agent, principal) with its count, so the
-- agent screen lists AWS Internal's principals (half the events of a case) without counting them.
-- The user agent is a dict id; the principal its ARN ('' for calls without one), so a page of
-- principals in ARN order is one range of the key. Kept by the same refresh.
CREATE TABLE agent_use (
	user_agent  INTEGER NOT NULL,
	principal   TEXT NOT NULL,
	events      INTEGER NOT NULL,
	first_seen  TEXT NOT NULL,
	last_seen   TEXT NOT NULL,
	PRIMARY KEY (user_agent, principal)
) WITHOUT ROWID, STRICT;

-- The user-agent index of db/013_explorer.sql served the agent screen and the search's distinct
-- agents; both read the two tables above now. Dropping it gives back the space they take.
DROP INDEX IF EXISTS event_user_agent;
