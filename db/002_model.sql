-- Schema version 2: the MFA model, derived from event rows by source/model/refresh.ts and rebuilt
-- (wholly or for the principals and devices an import touched) after every import.

-- IAM users, root users, role sessions, federated/SAML/Identity Center identities.
CREATE TABLE principal (
  id              INTEGER PRIMARY KEY,
  arn             TEXT NOT NULL UNIQUE,   -- key; root: arn:aws:iam::ACCOUNT:root; Identity Center: arn:aws:identitystore::ACCOUNT:user/USERID; unknown sign-in names: arn:aws:iam::ACCOUNT:user/HIDDEN_DUE_TO_SECURITY_REASONS
  type            TEXT NOT NULL,          -- IAMUser | Root | AssumedRole | FederatedUser | SAMLUser | IdentityCenterUser | Unknown ...
  name            TEXT,                   -- user name, role/session, Identity Center user id
  account_id      TEXT,
  first_seen      TEXT,
  last_seen       TEXT,
  event_count     INTEGER NOT NULL DEFAULT 0,
  sign_in_count   INTEGER NOT NULL DEFAULT 0,
  failed_sign_ins INTEGER NOT NULL DEFAULT 0,
  last_sign_in    TEXT,
  device_count    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX principal_name ON principal(name);

-- One row per device incarnation: a name reused after deletion is a new incarnation.
CREATE TABLE device (
  id              INTEGER PRIMARY KEY,
  serial_number   TEXT NOT NULL,          -- arn:aws:iam::ACCT:mfa/NAME, arn:aws:iam::ACCT:u2f/..., GAHT12345678, Identity Center device id
  incarnation     INTEGER NOT NULL DEFAULT 1,
  name            TEXT,
  type            TEXT NOT NULL,          -- virtual | fido | hardware | identity-center | unknown
  account_id      TEXT,
  owner_arn       TEXT,                   -- principal.arn of the owner, when known
  creator_arn     TEXT,                   -- who called CreateVirtualMFADevice: a hint, not the owner
  state           TEXT NOT NULL,          -- created | enabled | deactivated | deleted | in-use (seen only in sign-ins/uses, start unknown)
  created_at      TEXT,
  enabled_at      TEXT,
  deactivated_at  TEXT,
  deleted_at      TEXT,
  first_seen      TEXT,
  last_seen       TEXT,
  last_used       TEXT,                   -- last sign-in or MFA use naming it
  use_count       INTEGER NOT NULL DEFAULT 0,
  UNIQUE (serial_number, incarnation)
) STRICT;
CREATE INDEX device_owner ON device(owner_arn);
CREATE INDEX device_name ON device(name);

-- MFA lifecycle calls, in event-time order per device; failed calls are kept with applied = 0.
CREATE TABLE lifecycle_event (
  event            INTEGER PRIMARY KEY REFERENCES event(id),
  event_id         TEXT NOT NULL,        -- the record's eventID, kept here so views need not read event
  device_id        INTEGER REFERENCES device(id),   -- NULL when the serial is unknown (denied call, requestParameters null)
  owner_arn        TEXT,                 -- the principal whose device it is (target user)
  actor_arn        TEXT,                 -- who made the call
  event_name       TEXT NOT NULL,
  event_time       TEXT NOT NULL,
  serial_number    TEXT,
  access_key_id    TEXT,
  credential       TEXT NOT NULL,        -- long-term | temporary | console | unknown
  mfa_authenticated INTEGER,             -- 1, 0, NULL (absent)
  source_ip        TEXT,
  user_agent       TEXT,
  error_code       TEXT,
  error_message    TEXT,
  applied          INTEGER NOT NULL,     -- 1 when the call succeeded and changed state
  cli_command      TEXT                  -- md/command#… hint from the user agent
) STRICT;
CREATE INDEX lifecycle_device ON lifecycle_event(device_id, event_time);
CREATE INDEX lifecycle_owner ON lifecycle_event(owner_arn, event_time);
CREATE INDEX lifecycle_actor ON lifecycle_event(actor_arn, event_time);

-- Sign-in attempts and MFA uses: ConsoleLogin, CheckMfa, Identity Center CredentialChallenge/
-- CredentialVerification/UserAuthentication, and STS GetSessionToken/AssumeRole with a serialNumber.
CREATE TABLE sign_in (
  event            INTEGER PRIMARY KEY REFERENCES event(id),
  event_id         TEXT NOT NULL,        -- the record's eventID, kept here so views need not read event
  principal_arn    TEXT NOT NULL,
  account_id       TEXT,
  event_name       TEXT NOT NULL,
  event_time       TEXT NOT NULL,
  kind             TEXT NOT NULL,        -- console-login | mfa-check | identity-center | sts-mfa
  result           TEXT,                 -- Success | Failure
  mfa_used         TEXT,                 -- Yes | No
  mfa_identifier   TEXT,                 -- serial named by the record
  device_id        INTEGER REFERENCES device(id),
  mfa_type         TEXT,                 -- CheckMfa MfaType / Identity Center CredentialType
  failed_at_mfa    INTEGER NOT NULL DEFAULT 0, -- failure at the MFA step (CheckMfa success then failed ConsoleLogin)
  source_ip        TEXT,
  user_agent       TEXT,
  error_message    TEXT,
  login_to         TEXT
) STRICT;
CREATE INDEX sign_in_principal ON sign_in(principal_arn, event_time);
CREATE INDEX sign_in_device ON sign_in(device_id, event_time);
CREATE INDEX sign_in_time ON sign_in(event_time);
CREATE INDEX sign_in_identifier ON sign_in(mfa_identifier, event_time);

-- Findings (source/findings): computed at import, stored so every view opens instantly.
CREATE TABLE finding (
  id             INTEGER PRIMARY KEY,
  rule           TEXT NOT NULL,
  severity       TEXT NOT NULL,          -- high | medium | low | info
  principal_arn  TEXT,
  serial_number  TEXT,
  first_seen     TEXT NOT NULL,
  last_seen      TEXT NOT NULL,
  event_ids      TEXT NOT NULL,          -- JSON array of eventIDs (the evidence)
  summary        TEXT NOT NULL,
  key            TEXT NOT NULL UNIQUE    -- rule-specific identity, so a re-run extends rather than duplicates
) STRICT;
CREATE INDEX finding_principal ON finding(principal_arn);
CREATE INDEX finding_serial ON finding(serial_number);
