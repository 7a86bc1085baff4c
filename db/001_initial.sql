-- mfatrail case file, schema version 1.
-- Applied by source/db/migrate.ts inside one transaction; PRAGMA user_version records the version.
-- Forward migrations live beside this file as NNN_name.sql and run in order.

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- One row per `mfatrail import` invocation: the run is documented in the case file itself.
CREATE TABLE import_run (
  id           INTEGER PRIMARY KEY,
  started_at   TEXT NOT NULL,
  finished_at  TEXT,
  tool_version TEXT NOT NULL,
  argv         TEXT NOT NULL,               -- JSON array
  host         TEXT,
  user         TEXT,
  status       TEXT NOT NULL DEFAULT 'running', -- running | done | interrupted
  summary      TEXT                          -- JSON import summary
) STRICT;

-- Provenance: one row per file or archive member read.
CREATE TABLE source (
  id               INTEGER PRIMARY KEY,
  run_id           INTEGER NOT NULL REFERENCES import_run(id),
  path             TEXT NOT NULL,            -- the file as given (resolved), or '-' for stdin
  member           TEXT,                     -- path inside an archive; NULL for a plain file
  format           TEXT NOT NULL,            -- cloudtrail-log | digest | lookup-events | jsonl | record-array | single-record | eventbridge | event-history-csv | sentinel-csv
  byte_size        INTEGER NOT NULL,         -- bytes as read (compressed)
  sha256           TEXT NOT NULL,            -- SHA-256 of the bytes as read
  content_size     INTEGER NOT NULL,         -- bytes after decompression
  content_sha256   TEXT NOT NULL,            -- SHA-256 of the decompressed content (what CloudTrail digests hash)
  record_count     INTEGER NOT NULL DEFAULT 0,
  inserted         INTEGER NOT NULL DEFAULT 0,
  duplicates       INTEGER NOT NULL DEFAULT 0,
  conflicts        INTEGER NOT NULL DEFAULT 0,
  rejected         INTEGER NOT NULL DEFAULT 0,
  first_event_time TEXT,
  last_event_time  TEXT,
  imported_at      TEXT NOT NULL,
  status           TEXT NOT NULL,            -- imported | partial | digest
  notes            TEXT                      -- JSON array of notes (gzip members, BOM, NextToken, ...)
) STRICT;
CREATE INDEX source_content ON source(content_sha256);
CREATE INDEX source_location ON source(path, member);

-- CloudTrail digest files, kept for offline validation (mfatrail verify).
CREATE TABLE digest (
  source_id          INTEGER PRIMARY KEY REFERENCES source(id),
  account_id         TEXT,
  region             TEXT,
  digest_start_time  TEXT,
  digest_end_time    TEXT,
  s3_bucket          TEXT,
  s3_object          TEXT,
  previous_hash      TEXT,
  body               TEXT NOT NULL            -- the digest JSON as read
) STRICT;

-- Original record texts, exactly as they were in the evidence, packed per source (source/db/raw.ts):
-- compressing a few hundred records together costs a tenth of compressing each alone.
CREATE TABLE raw_block (
  id    INTEGER PRIMARY KEY,
  data  BLOB NOT NULL
) STRICT;

-- One row per distinct record. eventID is the identity; the same eventID with other content is a
-- second version with conflict = 1 on both, never a silent merge.
CREATE TABLE event (
  id                    INTEGER PRIMARY KEY,
  event_id              TEXT NOT NULL,
  event_id_derived      INTEGER NOT NULL DEFAULT 0,   -- no eventID in the record: derived from content
  raw_sha256            BLOB NOT NULL,                -- SHA-256 of the original record text
  conflict              INTEGER NOT NULL DEFAULT 0,
  partial               INTEGER NOT NULL DEFAULT 0,   -- from an export that holds only some fields (CSV)
  event_time            TEXT NOT NULL,                -- UTC, 'YYYY-MM-DDTHH:MM:SS[.sss]Z'
  event_version         TEXT,
  event_source          TEXT,
  event_name            TEXT,
  event_type            TEXT,                         -- normalised spelling (AwsConsoleSignIn, ...)
  recipient_account_id  TEXT,
  aws_region            TEXT,
  identity_type         TEXT,
  identity_arn          TEXT,
  identity_user_name    TEXT,
  identity_principal_id TEXT,
  identity_account_id   TEXT,
  access_key_id         TEXT,
  mfa_authenticated     INTEGER,                      -- sessionContext.attributes.mfaAuthenticated: 1, 0 or NULL (absent)
  invoked_by            TEXT,
  source_ip             TEXT,
  user_agent            TEXT,
  error_code            TEXT,                         -- without the 'Exception' suffix
  error_message         TEXT,
  read_only             INTEGER,
  facts                 TEXT,                         -- JSON of MFA-relevant fields (source/model/facts.ts); NULL otherwise
  flags                 TEXT,                         -- comma-separated notes about the record (derived-id, time-normalised, ...)
  source_id             INTEGER NOT NULL REFERENCES source(id),
  position              INTEGER NOT NULL,             -- record index inside the source (0-based)
  raw_block             INTEGER NOT NULL REFERENCES raw_block(id), -- where the original record text is kept
  raw_offset            INTEGER NOT NULL,             -- byte offset of the record's UTF-8 text in the unpacked block
  raw_length            INTEGER NOT NULL              -- its length in bytes
) STRICT;
CREATE INDEX event_event_id ON event(event_id);
CREATE INDEX event_facts ON event(event_time) WHERE facts IS NOT NULL;

-- Further sightings of an event already stored (same eventID, same content), for provenance.
CREATE TABLE sighting (
  event     INTEGER NOT NULL REFERENCES event(id),
  source_id INTEGER NOT NULL REFERENCES source(id),
  position  INTEGER NOT NULL
) STRICT;
CREATE INDEX sighting_event ON sighting(event);

-- Inputs and records that could not be imported, with the reason.
CREATE TABLE rejection (
  id        INTEGER PRIMARY KEY,
  run_id    INTEGER NOT NULL REFERENCES import_run(id),
  path      TEXT NOT NULL,
  member    TEXT,
  position  TEXT,                -- 'record 12', 'line 40', 'byte 1234', ...
  reason    TEXT NOT NULL
) STRICT;
