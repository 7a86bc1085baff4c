-- Schema version 5: lean event storage (issue 10). Events live in `event_row`, with repeated
-- strings (ARNs, user agents, event names and sources, regions, accounts) stored once in `dict`,
-- IPv4 addresses as integers, canonical eventIDs as 16-byte blobs and flags in one integer.
-- The view `event` gives every column back under its old name and in its old form, so SQL written
-- against the old table still reads the same values (it cannot write through it: the store does).
-- Original texts are zstd blocks of ~1 MiB spanning sources (meta raw_codec 'zstd-blocks-1').
-- A case file with events written by schema ≤ 4 is refused before this runs (source/db/migrate.ts):
-- re-import the evidence. So the old tables are empty here, and are replaced, not converted.

DROP INDEX IF EXISTS event_model;
DROP INDEX IF EXISTS event_identity;
DROP INDEX IF EXISTS event_event_id;
DROP INDEX IF EXISTS event_facts;
-- Renaming first rewrites the foreign keys of sighting, lifecycle_event and sign_in to event_row.
ALTER TABLE event RENAME TO event_row;
DROP TABLE event_row;
DELETE FROM raw_block;
DELETE FROM meta WHERE key IN ('raw_codec', 'model_refreshed');

-- Distinct strings of the event columns, each once. The writer keeps a map of it in memory.
CREATE TABLE dict (
  id     INTEGER PRIMARY KEY,
  value  TEXT NOT NULL UNIQUE
) STRICT;

-- The dictionary columns below hold dict ids; they are not declared as foreign keys on purpose:
-- checking seventeen references per inserted row cost more than the rest of the insert.
CREATE TABLE event_row (
  id                    INTEGER PRIMARY KEY,
  event_id              ANY NOT NULL,        -- BLOB(16) for a lowercase canonical UUID, else TEXT
  bits                  INTEGER NOT NULL,    -- 1 event_id_derived, 2 conflict, 4 partial,
                                             -- 8/16 mfa_authenticated false/true, 32/64 read_only false/true (neither: NULL)
  event_time            TEXT NOT NULL,       -- UTC, 'YYYY-MM-DDTHH:MM:SS[.sss]Z'
  event_version         INTEGER,
  event_source          INTEGER,
  event_name            INTEGER,
  event_type            INTEGER,
  recipient_account_id  INTEGER,
  aws_region            INTEGER,
  identity_type         INTEGER,
  identity_arn          INTEGER,
  identity_user_name    INTEGER,
  identity_principal_id INTEGER,
  identity_account_id   INTEGER,
  access_key_id         INTEGER,
  invoked_by            INTEGER,
  source_ip             ANY,                 -- INTEGER for a dotted-quad IPv4 address, else TEXT
  user_agent            INTEGER,
  error_code            INTEGER,
  error_message         INTEGER,
  facts                 TEXT,                -- JSON of MFA-relevant fields; NULL otherwise
  flags                 INTEGER,
  source_id             INTEGER NOT NULL REFERENCES source(id),
  position              INTEGER NOT NULL,
  raw_block             INTEGER NOT NULL REFERENCES raw_block(id),
  raw_offset            INTEGER NOT NULL,
  raw_length            INTEGER NOT NULL
) STRICT;
-- Dropped during a bulk load and rebuilt after it (source/db/event-indexes.ts).
CREATE INDEX event_event_id ON event_row(event_id);
CREATE INDEX event_facts ON event_row(event_time) WHERE facts IS NOT NULL;
CREATE INDEX event_identity ON event_row(identity_arn, event_time);

CREATE VIEW event AS
SELECT
  e.id AS id,
  CASE WHEN typeof(e.event_id) = 'blob' THEN
    lower(substr(hex(e.event_id), 1, 8) || '-' || substr(hex(e.event_id), 9, 4) || '-' || substr(hex(e.event_id), 13, 4) || '-' ||
          substr(hex(e.event_id), 17, 4) || '-' || substr(hex(e.event_id), 21, 12))
  ELSE e.event_id END AS event_id,
  e.bits & 1 AS event_id_derived,
  (e.bits >> 1) & 1 AS conflict,
  (e.bits >> 2) & 1 AS partial,
  e.event_time AS event_time,
  d_version.value AS event_version,
  d_source.value AS event_source,
  d_name.value AS event_name,
  d_type.value AS event_type,
  d_recipient.value AS recipient_account_id,
  d_region.value AS aws_region,
  d_itype.value AS identity_type,
  d_arn.value AS identity_arn,
  d_user.value AS identity_user_name,
  d_principal.value AS identity_principal_id,
  d_account.value AS identity_account_id,
  d_key.value AS access_key_id,
  CASE e.bits & 24 WHEN 8 THEN 0 WHEN 16 THEN 1 END AS mfa_authenticated,
  d_invoked.value AS invoked_by,
  CASE WHEN typeof(e.source_ip) = 'integer' THEN
    ((e.source_ip >> 24) & 255) || '.' || ((e.source_ip >> 16) & 255) || '.' || ((e.source_ip >> 8) & 255) || '.' || (e.source_ip & 255)
  ELSE e.source_ip END AS source_ip,
  d_agent.value AS user_agent,
  d_error.value AS error_code,
  d_message.value AS error_message,
  CASE e.bits & 96 WHEN 32 THEN 0 WHEN 64 THEN 1 END AS read_only,
  e.facts AS facts,
  d_flags.value AS flags,
  e.source_id AS source_id,
  e.position AS position,
  e.raw_block AS raw_block,
  e.raw_offset AS raw_offset,
  e.raw_length AS raw_length
FROM event_row e
LEFT JOIN dict d_version ON d_version.id = e.event_version
LEFT JOIN dict d_source ON d_source.id = e.event_source
LEFT JOIN dict d_name ON d_name.id = e.event_name
LEFT JOIN dict d_type ON d_type.id = e.event_type
LEFT JOIN dict d_recipient ON d_recipient.id = e.recipient_account_id
LEFT JOIN dict d_region ON d_region.id = e.aws_region
LEFT JOIN dict d_itype ON d_itype.id = e.identity_type
LEFT JOIN dict d_arn ON d_arn.id = e.identity_arn
LEFT JOIN dict d_user ON d_user.id = e.identity_user_name
LEFT JOIN dict d_principal ON d_principal.id = e.identity_principal_id
LEFT JOIN dict d_account ON d_account.id = e.identity_account_id
LEFT JOIN dict d_key ON d_key.id = e.access_key_id
LEFT JOIN dict d_invoked ON d_invoked.id = e.invoked_by
LEFT JOIN dict d_agent ON d_agent.id = e.user_agent
LEFT JOIN dict d_error ON d_error.id = e.error_code
LEFT JOIN dict d_message ON d_message.id = e.error_message
LEFT JOIN dict d_flags ON d_flags.id = e.flags;
