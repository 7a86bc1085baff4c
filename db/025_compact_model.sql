-- Schema version 25: compact model storage (issue 21). Sign-ins were the largest model table (on an
-- MFA-heavy case ~420 B a row): each repeated its user agent (~100 B), its LoginTo (a URL with a
-- per-sign-in token, ~120 B) and its eventID as 36 characters. Now:
-- - the eventID is stored as event_row stores it (source/db/event-row.ts encodeEventId: a lowercase
--   canonical UUID as its 16 bytes, anything else as text), in sign-ins and lifecycle calls;
-- - a sign-in's user agent is an id into model_value, the model's own dictionary (not the event
--   store's dict: the model is derived and rebuilt wholesale, and a rebuild empties model_value with it);
-- - a sign-in's LoginTo is not stored: the view reads it from the event's facts, where the derivation took it.
-- The views sign_in and lifecycle_event give every column back under its old name and value, so
-- readers are unchanged; the model writes sign_in_row and lifecycle_row (source/model/store.ts).
-- The views have no joins, only expressions: SQLite flattens them into any query (a view with joins
-- on the right of a LEFT JOIN is materialised whole), an unread column costs nothing, and filters on
-- the ARN, serial and address columns (kept as text for that) use the indexes as before.
-- The rows already in the case file are converted here, so an upgraded case opens with its model.

CREATE TABLE model_value (
  id     INTEGER PRIMARY KEY,
  value  TEXT NOT NULL
) STRICT;
INSERT INTO model_value (value) SELECT DISTINCT user_agent FROM sign_in WHERE user_agent IS NOT NULL;
-- A named index, not a constraint, so the full rebuild can drop it and build it once over the
-- written values (source/model/refresh.ts), as it does the tables' indexes.
CREATE UNIQUE INDEX model_value_value ON model_value(value);

CREATE TABLE sign_in_row (
  event            INTEGER PRIMARY KEY REFERENCES event_row(id),
  event_id         ANY NOT NULL,         -- as event_row stores it
  principal_arn    TEXT NOT NULL,
  account_id       TEXT,
  event_name       TEXT NOT NULL,
  event_time       TEXT NOT NULL,
  kind             TEXT NOT NULL,
  result           TEXT,
  mfa_used         TEXT,
  mfa_identifier   TEXT,
  device_id        INTEGER REFERENCES device(id),
  mfa_type         TEXT,
  failed_at_mfa    INTEGER NOT NULL DEFAULT 0,
  source_ip        TEXT,
  user_agent       INTEGER,              -- model_value id
  error_message    TEXT,
  auth_workflow_id TEXT,
  user_name        TEXT,
  federation       TEXT
) STRICT;

INSERT INTO sign_in_row
  SELECT s.event,
    CASE WHEN s.event_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'
      THEN unhex(replace(s.event_id, '-', '')) ELSE s.event_id END,
    s.principal_arn, s.account_id, s.event_name, s.event_time, s.kind, s.result, s.mfa_used, s.mfa_identifier, s.device_id, s.mfa_type,
    s.failed_at_mfa, s.source_ip, (SELECT v.id FROM model_value v WHERE v.value = s.user_agent), s.error_message, s.auth_workflow_id,
    s.user_name, s.federation
  FROM sign_in s;

CREATE TABLE lifecycle_row (
  event             INTEGER PRIMARY KEY REFERENCES event_row(id),
  event_id          ANY NOT NULL,        -- as event_row stores it
  device_id         INTEGER REFERENCES device(id),
  owner_arn         TEXT,
  actor_arn         TEXT,
  event_name        TEXT NOT NULL,
  event_time        TEXT NOT NULL,
  serial_number     TEXT,
  access_key_id     TEXT,
  credential        TEXT NOT NULL,
  mfa_authenticated INTEGER,
  source_ip         TEXT,
  user_agent        TEXT,
  error_code        TEXT,
  error_message     TEXT,
  applied           INTEGER NOT NULL,
  cli_command       TEXT,
  assume_root_event INTEGER,
  actor_note        TEXT
) STRICT;

INSERT INTO lifecycle_row
  SELECT l.event,
    CASE WHEN l.event_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'
      THEN unhex(replace(l.event_id, '-', '')) ELSE l.event_id END,
    l.device_id, l.owner_arn, l.actor_arn, l.event_name, l.event_time, l.serial_number, l.access_key_id, l.credential, l.mfa_authenticated,
    l.source_ip, l.user_agent, l.error_code, l.error_message, l.applied, l.cli_command, l.assume_root_event, l.actor_note
  FROM lifecycle_event l;

DROP TABLE sign_in;
DROP TABLE lifecycle_event;

-- The eventID is decoded as the view `event` decodes event_row's (db/005_lean_event.sql).
-- LoginTo is not stored twice: it is in the event's facts, which the readers decode
-- (source/db/facts-codec.ts signInLoginTo). The view reads model tables only, so that a later
-- rebuild of event_row (db/027) never breaks it.
CREATE VIEW sign_in AS
SELECT
  s.event AS event,
  CASE WHEN typeof(s.event_id) = 'blob' THEN
    lower(substr(hex(s.event_id), 1, 8) || '-' || substr(hex(s.event_id), 9, 4) || '-' || substr(hex(s.event_id), 13, 4) || '-' ||
          substr(hex(s.event_id), 17, 4) || '-' || substr(hex(s.event_id), 21, 12))
  ELSE s.event_id END AS event_id,
  s.principal_arn AS principal_arn,
  s.account_id AS account_id,
  s.event_name AS event_name,
  s.event_time AS event_time,
  s.kind AS kind,
  s.result AS result,
  s.mfa_used AS mfa_used,
  s.mfa_identifier AS mfa_identifier,
  s.device_id AS device_id,
  s.mfa_type AS mfa_type,
  s.failed_at_mfa AS failed_at_mfa,
  s.source_ip AS source_ip,
  (SELECT v.value FROM model_value v WHERE v.id = s.user_agent) AS user_agent,
  s.error_message AS error_message,
  s.auth_workflow_id AS auth_workflow_id,
  s.user_name AS user_name,
  s.federation AS federation
FROM sign_in_row s;

CREATE VIEW lifecycle_event AS
SELECT
  l.event AS event,
  CASE WHEN typeof(l.event_id) = 'blob' THEN
    lower(substr(hex(l.event_id), 1, 8) || '-' || substr(hex(l.event_id), 9, 4) || '-' || substr(hex(l.event_id), 13, 4) || '-' ||
          substr(hex(l.event_id), 17, 4) || '-' || substr(hex(l.event_id), 21, 12))
  ELSE l.event_id END AS event_id,
  l.device_id AS device_id,
  l.owner_arn AS owner_arn,
  l.actor_arn AS actor_arn,
  l.event_name AS event_name,
  l.event_time AS event_time,
  l.serial_number AS serial_number,
  l.access_key_id AS access_key_id,
  l.credential AS credential,
  l.mfa_authenticated AS mfa_authenticated,
  l.source_ip AS source_ip,
  l.user_agent AS user_agent,
  l.error_code AS error_code,
  l.error_message AS error_message,
  l.applied AS applied,
  l.cli_command AS cli_command,
  l.assume_root_event AS assume_root_event,
  l.actor_note AS actor_note
FROM lifecycle_row l;

-- The indexes the tables had (db/002, 003, 004, 010, 013), by the same names: every reader's plan is
-- unchanged. Device ids and serials are partial (NULL for denied calls and sign-ins without MFA).
CREATE INDEX sign_in_principal ON sign_in_row(principal_arn, event_time);
CREATE INDEX sign_in_device ON sign_in_row(device_id, event_time) WHERE device_id IS NOT NULL;
CREATE INDEX sign_in_time ON sign_in_row(event_time);
CREATE INDEX sign_in_identifier ON sign_in_row(mfa_identifier, event_time) WHERE mfa_identifier IS NOT NULL;
CREATE INDEX sign_in_source_ip ON sign_in_row(source_ip, event_time) WHERE source_ip IS NOT NULL;
CREATE INDEX sign_in_activity ON sign_in_row(event_name, event_time, result, failed_at_mfa);
CREATE INDEX sign_in_workflow ON sign_in_row(auth_workflow_id) WHERE auth_workflow_id IS NOT NULL;
CREATE INDEX lifecycle_device ON lifecycle_row(device_id, event_time) WHERE device_id IS NOT NULL;
CREATE INDEX lifecycle_owner ON lifecycle_row(owner_arn, event_time);
CREATE INDEX lifecycle_actor ON lifecycle_row(actor_arn, event_time);
CREATE INDEX lifecycle_serial ON lifecycle_row(serial_number) WHERE serial_number IS NOT NULL;
