-- Schema version 26 (issue 21): findings stored compactly, shown exactly as before.
-- event_ids holds a finding's eventIDs (at most 200, oldest first): as one BLOB of 16 bytes per
-- eventID when every one is a canonical lowercase UUID (as CloudTrail writes them, and as
-- event_row stores them: source/db/event-row.ts), else as the JSON array of their text
-- (source/findings/stored-ids.ts reads and writes both). On an MFA-heavy case of 200k events that
-- is 0.27 MB where the JSON took 0.67 MB. A STRICT column cannot change its type in place: the
-- table is rebuilt, each row keeping its id (what `mfatrail triage` takes) and its key.
CREATE TABLE finding_compact (
  id             INTEGER PRIMARY KEY,
  rule           TEXT NOT NULL,
  severity       TEXT NOT NULL,          -- high | medium | low | info
  principal_arn  TEXT,
  serial_number  TEXT,
  first_seen     TEXT NOT NULL,
  last_seen      TEXT NOT NULL,
  event_ids      ANY NOT NULL,           -- BLOB of 16-byte UUIDs, or TEXT: a JSON array of eventIDs (see above)
  summary        TEXT NOT NULL,
  key            TEXT NOT NULL UNIQUE,   -- rule-specific identity, so a re-run extends rather than duplicates
  event_count    INTEGER                 -- how many events the finding rests on (db/020)
) STRICT;

INSERT INTO finding_compact (id, rule, severity, principal_arn, serial_number, first_seen, last_seen, event_ids, summary, key, event_count)
SELECT f.id, f.rule, f.severity, f.principal_arn, f.serial_number, f.first_seen, f.last_seen,
       CASE WHEN json_valid(f.event_ids) AND json_type(f.event_ids) = 'array' AND json_array_length(f.event_ids) > 0 AND NOT EXISTS (
              SELECT 1 FROM json_each(f.event_ids) j
               WHERE j.type <> 'text' OR j.value NOT GLOB
                 '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]')
            THEN (SELECT unhex(group_concat(replace(j.value, '-', ''), '' ORDER BY j.key)) FROM json_each(f.event_ids) j)
            ELSE f.event_ids END,
       f.summary, f.key, f.event_count
  FROM finding f;

DROP TABLE finding;
ALTER TABLE finding_compact RENAME TO finding;

-- The indexes as before, less finding_principal: finding_principal_rank (principal_arn first, every
-- row with a principal) serves the same lookups.
CREATE INDEX finding_serial ON finding(serial_number);
CREATE INDEX finding_rank ON finding(CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END, first_seen, rule, id);
CREATE INDEX finding_principal_rank ON finding(principal_arn, CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END) WHERE principal_arn IS NOT NULL;
CREATE INDEX finding_severity ON finding(severity);
