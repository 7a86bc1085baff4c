-- Schema version 16 (issue 17, within a keystroke at a million events): the distinct access keys,
-- source IPs and user agents of the evidence, each with how many events carry it and when it was
-- first and last seen. Search (the explorer's `/`, `mfatrail search`) answers from here and never
-- from the events: values are thousands where events are millions. The import keeps it up to date
-- (source/db/pivot-values.ts) over the rows added since meta 'pivot_values' (the highest
-- event_row id it covers); a case file from before this version is filled in on its first
-- writable open.
CREATE TABLE pivot_value (
	kind        INTEGER NOT NULL,  -- 1 access key, 2 source IP (text, as CloudTrail wrote it), 3 user agent
	value       TEXT NOT NULL,
	events      INTEGER NOT NULL,
	first_seen  TEXT NOT NULL,
	last_seen   TEXT NOT NULL,
	PRIMARY KEY (kind, value)
) WITHOUT ROWID, STRICT;
