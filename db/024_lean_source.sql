-- Schema version 24 (issue 21): lean source rows. A realistic S3 trail is one source per handful of
-- events (40k sources for 200k events), and a source row was ~420 bytes: the whole path (~150),
-- two SHA-256s as 64-character hex (128), times and words repeated on every row. Now:
--   - the path is its folder (a dict id), the day folders of an S3 trail, the file name's
--     ACCOUNT_CloudTrail_REGION_ (a dict id) and the rest (source/db/source-row.ts splitPath); rows
--     converted here keep the whole folder up to the last '/' and the file name;
--   - SHA-256s are their 32 bytes (any other text, such as '' for a part not yet finished, stays text);
--     content_sha256 is NULL when it equals sha256 (a file read as it is, not decompressed);
--   - format and status are dict ids; imported_at is milliseconds since the epoch, and the first and
--     last event times seconds (source/db/source-row.ts encodeTime).
-- The view `source` gives every column back under its old name and in its old form (hex in lower
-- case, the whole path), so everything that reads sources (verify, the inventory, the report's
-- sources, resume, re-import's known sources) reads the same values. The store writes source_row.
-- Runs with foreign keys off (source/db/migrate.ts): the rename below carries the references of
-- digest, sighting and event_row over to source_row, and the rows keep their ids.

ALTER TABLE source RENAME TO source_row;

INSERT INTO dict(value)
SELECT DISTINCT v FROM (
  SELECT substr(path, 1, length(rtrim(path, replace(path, '/', '')))) AS v FROM source_row WHERE instr(path, '/') > 0
  UNION SELECT format FROM source_row
  UNION SELECT status FROM source_row)
WHERE v NOT IN (SELECT value FROM dict);

CREATE TABLE source_lean (
  id               INTEGER PRIMARY KEY,
  run_id           INTEGER NOT NULL REFERENCES import_run(id),
  folder           INTEGER,                  -- dict id of the path's folder (source/db/source-row.ts); NULL when it has none ('-')
  dirs             TEXT,                     -- the digit-only folders that end it (an S3 trail's YYYY/MM/DD/)
  stem             INTEGER,                  -- dict id of a CloudTrail file name's ACCOUNT_CloudTrail_REGION_
  name             TEXT NOT NULL,            -- the rest: folder || dirs || stem || name is the path
  member           TEXT,
  format           INTEGER NOT NULL,         -- dict id
  byte_size        INTEGER NOT NULL,
  sha256           ANY NOT NULL,             -- BLOB(32) for a lowercase hex SHA-256, else TEXT
  content_size     INTEGER NOT NULL,
  content_sha256   ANY,                      -- likewise; NULL: the same as sha256
  record_count     INTEGER NOT NULL DEFAULT 0,
  inserted         INTEGER NOT NULL DEFAULT 0,
  duplicates       INTEGER NOT NULL DEFAULT 0,
  conflicts        INTEGER NOT NULL DEFAULT 0,
  rejected         INTEGER NOT NULL DEFAULT 0,
  first_event_time ANY,                      -- INTEGER seconds since the epoch for 'YYYY-MM-DDTHH:MM:SSZ', else the text
  last_event_time  ANY,
  imported_at      ANY NOT NULL,             -- INTEGER milliseconds since the epoch, else the text as written
  status           INTEGER NOT NULL,         -- dict id
  notes            TEXT,
  resume_offset    INTEGER,
  resume_position  INTEGER,
  resume_state     TEXT
) STRICT;

INSERT INTO source_lean
SELECT s.id, s.run_id, f.id, NULL, NULL, substr(s.path, length(rtrim(s.path, replace(s.path, '/', ''))) + 1), s.member,
  (SELECT id FROM dict WHERE value = s.format), s.byte_size,
  CASE WHEN length(s.sha256) = 64 AND NOT s.sha256 GLOB '*[^0-9a-f]*' THEN unhex(s.sha256) ELSE s.sha256 END,
  s.content_size,
  CASE WHEN s.content_sha256 = s.sha256 THEN NULL
       WHEN length(s.content_sha256) = 64 AND NOT s.content_sha256 GLOB '*[^0-9a-f]*' THEN unhex(s.content_sha256)
       ELSE s.content_sha256 END,
  s.record_count, s.inserted, s.duplicates, s.conflicts, s.rejected,
  CASE WHEN s.first_event_time GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z'
            AND strftime('%Y-%m-%dT%H:%M:%SZ', s.first_event_time) = s.first_event_time AND s.first_event_time >= '1970'
       THEN unixepoch(s.first_event_time) ELSE s.first_event_time END,
  CASE WHEN s.last_event_time GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z'
            AND strftime('%Y-%m-%dT%H:%M:%SZ', s.last_event_time) = s.last_event_time AND s.last_event_time >= '1970'
       THEN unixepoch(s.last_event_time) ELSE s.last_event_time END,
  CASE WHEN s.imported_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
            AND strftime('%Y-%m-%dT%H:%M:%fZ', s.imported_at) = s.imported_at
       THEN CAST(round((julianday(s.imported_at) - 2440587.5) * 86400000.0) AS INTEGER) ELSE s.imported_at END,
  (SELECT id FROM dict WHERE value = s.status), s.notes, s.resume_offset, s.resume_position, s.resume_state
FROM source_row s
LEFT JOIN dict f ON instr(s.path, '/') > 0 AND f.value = substr(s.path, 1, length(rtrim(s.path, replace(s.path, '/', ''))));

DROP TABLE source_row;
ALTER TABLE source_lean RENAME TO source_row;

CREATE VIEW source AS
SELECT
  s.id AS id,
  s.run_id AS run_id,
  coalesce(f.value, '') || coalesce(s.dirs, '') || coalesce(d_stem.value, '') || s.name AS path,
  s.member AS member,
  d_format.value AS format,
  s.byte_size AS byte_size,
  CASE WHEN typeof(s.sha256) = 'blob' THEN lower(hex(s.sha256)) ELSE s.sha256 END AS sha256,
  s.content_size AS content_size,
  CASE WHEN s.content_sha256 IS NULL THEN (CASE WHEN typeof(s.sha256) = 'blob' THEN lower(hex(s.sha256)) ELSE s.sha256 END)
       WHEN typeof(s.content_sha256) = 'blob' THEN lower(hex(s.content_sha256)) ELSE s.content_sha256 END AS content_sha256,
  s.record_count AS record_count,
  s.inserted AS inserted,
  s.duplicates AS duplicates,
  s.conflicts AS conflicts,
  s.rejected AS rejected,
  CASE WHEN typeof(s.first_event_time) = 'integer' THEN strftime('%Y-%m-%dT%H:%M:%SZ', s.first_event_time, 'unixepoch') ELSE s.first_event_time END AS first_event_time,
  CASE WHEN typeof(s.last_event_time) = 'integer' THEN strftime('%Y-%m-%dT%H:%M:%SZ', s.last_event_time, 'unixepoch') ELSE s.last_event_time END AS last_event_time,
  CASE WHEN typeof(s.imported_at) = 'integer' THEN
    strftime('%Y-%m-%dT%H:%M:%S', s.imported_at / 1000, 'unixepoch') || printf('.%03dZ', s.imported_at % 1000)
  ELSE s.imported_at END AS imported_at,
  d_status.value AS status,
  s.notes AS notes,
  s.resume_offset AS resume_offset,
  s.resume_position AS resume_position,
  s.resume_state AS resume_state
FROM source_row s
LEFT JOIN dict f ON f.id = s.folder
LEFT JOIN dict d_stem ON d_stem.id = s.stem
LEFT JOIN dict d_format ON d_format.id = s.format
LEFT JOIN dict d_status ON d_status.id = s.status;
