-- Schema version 25: compact model storage (issue 21). Sign-ins and lifecycle calls were the largest
-- model tables (on an MFA-heavy case ~420 B per sign-in): every row repeated its ARNs, serial, user
-- agent and address as text and its eventID as a 36-character string. Now:
-- - repeated strings are ids into model_value, the model's own dictionary (not the event store's
--   dict: the model is derived and rebuilt wholesale, and a rebuild empties model_value with it);
-- - the eventID is not stored: the views read it from the event row (`event` decodes it);
-- - the views sign_in and lifecycle_event give every column back under its old name and value, so
--   readers are unchanged; the model writes sign_in_row and lifecycle_row (source/model/store.ts).
-- The rows already in the case file are converted here, so an upgraded case opens with its model.

-- Id 0 is the absent value (NULL): every column holds an id, so the views join model_value with inner
-- joins, and a filter on a value (`serial_number IN (…)`) drives the plan from the unique index on it.
-- The unique index on the value is a named index, not a constraint, so the full rebuild can drop it and
-- build it once over the written values (source/model/refresh.ts), as it does the tables' indexes.
CREATE TABLE model_value (
  id     INTEGER PRIMARY KEY,
  value  TEXT
) STRICT;
INSERT INTO model_value (id, value) VALUES (0, NULL);

INSERT INTO model_value (value)
  SELECT principal_arn FROM sign_in
  UNION SELECT account_id FROM sign_in WHERE account_id IS NOT NULL
  UNION SELECT mfa_identifier FROM sign_in WHERE mfa_identifier IS NOT NULL
  UNION SELECT source_ip FROM sign_in WHERE source_ip IS NOT NULL
  UNION SELECT user_agent FROM sign_in WHERE user_agent IS NOT NULL
  UNION SELECT owner_arn FROM lifecycle_event WHERE owner_arn IS NOT NULL
  UNION SELECT actor_arn FROM lifecycle_event WHERE actor_arn IS NOT NULL
  UNION SELECT serial_number FROM lifecycle_event WHERE serial_number IS NOT NULL
  UNION SELECT source_ip FROM lifecycle_event WHERE source_ip IS NOT NULL
  UNION SELECT user_agent FROM lifecycle_event WHERE user_agent IS NOT NULL;
CREATE UNIQUE INDEX model_value_value ON model_value(value);

-- Columns marked "id" hold model_value ids. Short values that queries compare with literals (event
-- names, kinds, results) stay text, as do values most rows have their own (workflow ids, the
-- temporary access keys of lifecycle calls). A sign-in's LoginTo (a URL with a per-sign-in token,
-- ~120 bytes) is not stored: the view reads it from the event's facts, where the derivation took it.
CREATE TABLE sign_in_row (
  event            INTEGER PRIMARY KEY REFERENCES event_row(id),
  principal_arn    INTEGER NOT NULL,     -- id
  account_id       INTEGER NOT NULL,     -- id
  event_name       TEXT NOT NULL,
  event_time       TEXT NOT NULL,
  kind             TEXT NOT NULL,
  result           TEXT,
  mfa_used         TEXT,
  mfa_identifier   INTEGER NOT NULL,     -- id
  device_id        INTEGER REFERENCES device(id),
  mfa_type         TEXT,
  failed_at_mfa    INTEGER NOT NULL DEFAULT 0,
  source_ip        INTEGER NOT NULL,     -- id
  user_agent       INTEGER NOT NULL,     -- id
  error_message    TEXT,
  auth_workflow_id TEXT,
  user_name        TEXT,
  federation       TEXT
) STRICT;

INSERT INTO sign_in_row
  SELECT s.event, p.id, coalesce(a.id, 0), s.event_name, s.event_time, s.kind, s.result, s.mfa_used, coalesce(m.id, 0), s.device_id, s.mfa_type,
    s.failed_at_mfa, coalesce(ip.id, 0), coalesce(ua.id, 0), s.error_message, s.auth_workflow_id, s.user_name, s.federation
  FROM sign_in s
  JOIN model_value p ON p.value = s.principal_arn
  LEFT JOIN model_value a ON a.value = s.account_id
  LEFT JOIN model_value m ON m.value = s.mfa_identifier
  LEFT JOIN model_value ip ON ip.value = s.source_ip
  LEFT JOIN model_value ua ON ua.value = s.user_agent;

CREATE TABLE lifecycle_row (
  event             INTEGER PRIMARY KEY REFERENCES event_row(id),
  device_id         INTEGER REFERENCES device(id),
  owner_arn         INTEGER NOT NULL,    -- id
  actor_arn         INTEGER NOT NULL,    -- id
  event_name        TEXT NOT NULL,
  event_time        TEXT NOT NULL,
  serial_number     INTEGER NOT NULL,    -- id
  access_key_id     TEXT,
  credential        TEXT NOT NULL,
  mfa_authenticated INTEGER,
  source_ip         INTEGER NOT NULL,    -- id
  user_agent        INTEGER NOT NULL,    -- id
  error_code        TEXT,
  error_message     TEXT,
  applied           INTEGER NOT NULL,
  cli_command       TEXT,
  assume_root_event INTEGER,
  actor_note        TEXT
) STRICT;

INSERT INTO lifecycle_row
  SELECT l.event, l.device_id, coalesce(o.id, 0), coalesce(a.id, 0), l.event_name, l.event_time, coalesce(s.id, 0), l.access_key_id, l.credential, l.mfa_authenticated,
    coalesce(ip.id, 0), coalesce(ua.id, 0), l.error_code, l.error_message, l.applied, l.cli_command, l.assume_root_event, l.actor_note
  FROM lifecycle_event l
  LEFT JOIN model_value o ON o.value = l.owner_arn
  LEFT JOIN model_value a ON a.value = l.actor_arn
  LEFT JOIN model_value s ON s.value = l.serial_number
  LEFT JOIN model_value ip ON ip.value = l.source_ip
  LEFT JOIN model_value ua ON ua.value = l.user_agent;

DROP TABLE sign_in;
DROP TABLE lifecycle_event;

-- The eventID is decoded from event_row as the view `event` does (db/005_lean_event.sql); joining that
-- view instead would make SQLite materialise it whole inside the LEFT JOIN. That join is on the
-- row id, so SQLite leaves it out when a query does not read the eventID.
CREATE VIEW sign_in AS
SELECT
  s.event AS event,
  CASE WHEN typeof(e.event_id) = 'blob' THEN
    lower(substr(hex(e.event_id), 1, 8) || '-' || substr(hex(e.event_id), 9, 4) || '-' || substr(hex(e.event_id), 13, 4) || '-' ||
          substr(hex(e.event_id), 17, 4) || '-' || substr(hex(e.event_id), 21, 12))
  ELSE e.event_id END AS event_id,
  p.value AS principal_arn,
  a.value AS account_id,
  s.event_name AS event_name,
  s.event_time AS event_time,
  s.kind AS kind,
  s.result AS result,
  s.mfa_used AS mfa_used,
  m.value AS mfa_identifier,
  s.device_id AS device_id,
  s.mfa_type AS mfa_type,
  s.failed_at_mfa AS failed_at_mfa,
  ip.value AS source_ip,
  ua.value AS user_agent,
  s.error_message AS error_message,
  (SELECT json_extract(f.facts, '$.loginTo') FROM event f WHERE f.id = s.event) AS login_to,
  s.auth_workflow_id AS auth_workflow_id,
  s.user_name AS user_name,
  s.federation AS federation
FROM sign_in_row s
LEFT JOIN event_row e ON e.id = s.event
JOIN model_value p ON p.id = s.principal_arn
JOIN model_value a ON a.id = s.account_id
JOIN model_value m ON m.id = s.mfa_identifier
JOIN model_value ip ON ip.id = s.source_ip
JOIN model_value ua ON ua.id = s.user_agent;

CREATE VIEW lifecycle_event AS
SELECT
  l.event AS event,
  CASE WHEN typeof(e.event_id) = 'blob' THEN
    lower(substr(hex(e.event_id), 1, 8) || '-' || substr(hex(e.event_id), 9, 4) || '-' || substr(hex(e.event_id), 13, 4) || '-' ||
          substr(hex(e.event_id), 17, 4) || '-' || substr(hex(e.event_id), 21, 12))
  ELSE e.event_id END AS event_id,
  l.device_id AS device_id,
  o.value AS owner_arn,
  a.value AS actor_arn,
  l.event_name AS event_name,
  l.event_time AS event_time,
  s.value AS serial_number,
  l.access_key_id AS access_key_id,
  l.credential AS credential,
  l.mfa_authenticated AS mfa_authenticated,
  ip.value AS source_ip,
  ua.value AS user_agent,
  l.error_code AS error_code,
  l.error_message AS error_message,
  l.applied AS applied,
  l.cli_command AS cli_command,
  l.assume_root_event AS assume_root_event,
  l.actor_note AS actor_note
FROM lifecycle_row l
LEFT JOIN event_row e ON e.id = l.event
JOIN model_value o ON o.id = l.owner_arn
JOIN model_value a ON a.id = l.actor_arn
JOIN model_value s ON s.id = l.serial_number
JOIN model_value ip ON ip.id = l.source_ip
JOIN model_value ua ON ua.id = l.user_agent;

-- Only what a query uses. Filters on a string column reach these through model_value's unique index.
CREATE INDEX sign_in_principal ON sign_in_row(principal_arn, event_time);
CREATE INDEX sign_in_device ON sign_in_row(device_id, event_time) WHERE device_id IS NOT NULL;
CREATE INDEX sign_in_time ON sign_in_row(event_time);
CREATE INDEX sign_in_identifier ON sign_in_row(mfa_identifier, event_time);
CREATE INDEX sign_in_source_ip ON sign_in_row(source_ip, event_time);
CREATE INDEX sign_in_activity ON sign_in_row(event_name, event_time, result, failed_at_mfa);
CREATE INDEX sign_in_workflow ON sign_in_row(auth_workflow_id) WHERE auth_workflow_id IS NOT NULL;
CREATE INDEX lifecycle_device ON lifecycle_row(device_id, event_time) WHERE device_id IS NOT NULL;
CREATE INDEX lifecycle_owner ON lifecycle_row(owner_arn, event_time);
CREATE INDEX lifecycle_actor ON lifecycle_row(actor_arn, event_time);
CREATE INDEX lifecycle_serial ON lifecycle_row(serial_number);
