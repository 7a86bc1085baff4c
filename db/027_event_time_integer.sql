-- Schema version 27 (issue 21): event_row.event_time as an INTEGER where it can be one. The ISO text took
-- 20 bytes in the table and again in each of the four indexes that end in the time (event_identity,
-- event_source_ip, event_access_key, event_facts); the integer takes 6. The value is milliseconds since
-- the epoch (UTC) times two, plus 1 when the text was written with milliseconds ('…:SS.sssZ'), so the
-- text comes back byte for byte from the value alone (source/db/event-time.ts, the one definition).
-- A time it cannot represent (before 1970, after 9999, another spelling) stays its text.
-- The view `event` gives event_time back as the text, so SQL written against the view reads the same.
-- STRICT tables cannot change a column's type: the table is rebuilt under its name, keeping its rows'
-- ids. Runs with foreign keys off (source/db/migrate.ts): sighting, lifecycle_event, sign_in and
-- account_event keep referring to "event_row", which is the new table after the rename.

DROP VIEW event;

CREATE TABLE event_row_new (
  id                    INTEGER PRIMARY KEY,
  event_id              ANY NOT NULL,        -- BLOB(16) for a lowercase canonical UUID, else TEXT
  bits                  INTEGER NOT NULL,    -- 1 event_id_derived, 2 conflict, 4 partial,
                                             -- 8/16 mfa_authenticated false/true, 32/64 read_only false/true (neither: NULL)
  event_time            ANY NOT NULL,        -- INTEGER ms since the epoch × 2 (+1: written with ms), else the text
                                             -- (source/db/event-time.ts)
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
  facts                 TEXT,                -- MFA-relevant fields (source/db/facts-codec.ts); NULL otherwise
  flags                 INTEGER,
  source_id             INTEGER NOT NULL REFERENCES "source_row"(id),
  position              INTEGER NOT NULL,
  raw_block             INTEGER NOT NULL REFERENCES raw_block(id),
  raw_offset            INTEGER NOT NULL,
  raw_length            INTEGER NOT NULL,
  minted_key            INTEGER
) STRICT;

INSERT INTO event_row_new
SELECT id, event_id, bits,
  CASE
    WHEN length(event_time) = 20 AND event_time >= '1970' AND strftime('%Y-%m-%dT%H:%M:%SZ', event_time) = event_time
      THEN unixepoch(event_time) * 2000
    WHEN length(event_time) = 24 AND event_time >= '1970' AND strftime('%Y-%m-%dT%H:%M:%fZ', event_time) = event_time
      THEN (unixepoch(event_time) * 1000 + CAST(substr(event_time, 21, 3) AS INTEGER)) * 2 + 1
    ELSE event_time END,
  event_version, event_source, event_name, event_type, recipient_account_id, aws_region, identity_type, identity_arn,
  identity_user_name, identity_principal_id, identity_account_id, access_key_id, invoked_by, source_ip, user_agent, error_code,
  error_message, facts, flags, source_id, position, raw_block, raw_offset, raw_length, minted_key
FROM event_row;

DROP TABLE event_row;
ALTER TABLE event_row_new RENAME TO event_row;

-- The indexes as db/005, 013, 020 and 023 left them (dropped with the old table). A bulk load that
-- died with its indexes dropped (meta 'event_indexes_dropped') finds them here; restoring skips them.
CREATE INDEX event_event_id ON event_row(event_id);
CREATE INDEX event_facts ON event_row(event_time) WHERE facts IS NOT NULL;
CREATE INDEX event_identity ON event_row(identity_arn, event_time);
CREATE INDEX event_access_key ON event_row(access_key_id, event_time) WHERE access_key_id IS NOT NULL;
CREATE INDEX event_source_ip ON event_row(source_ip, identity_arn, event_time) WHERE source_ip IS NOT NULL;
CREATE INDEX event_minted_key ON event_row(minted_key) WHERE minted_key IS NOT NULL;

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
  CASE WHEN typeof(e.event_time) = 'integer' THEN
    strftime(CASE WHEN e.event_time & 1 THEN '%Y-%m-%dT%H:%M:%fZ' ELSE '%Y-%m-%dT%H:%M:%SZ' END, (e.event_time >> 1) / 1000.0, 'unixepoch')
  ELSE e.event_time END AS event_time,
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
