-- Schema version 10: MFA evidence as AWS writes it since 2024 (centralized root access, passkeys,
-- Identity Center's new identity shape, look-alike sign-ins). Model tables only: the event table is
-- unchanged. Derived by source/model (refresh.ts, then links.ts for the joins across records).

-- Identity Center users: the readable name (additionalEventData.UserName) joined to onBehalfOf.userId
-- through the same sign-in (AuthWorkflowID). NULL for every other principal.
ALTER TABLE principal ADD COLUMN display_name TEXT;
CREATE INDEX principal_display_name ON principal(display_name) WHERE display_name IS NOT NULL;

-- Every name an Identity Center user signed in as (a directory may accept 'anyuser', 'anyuser@company.com'
-- and 'company.com/anyuser'), with the sign-ins that tie it to the user id.
CREATE TABLE identity_center_name (
  principal_arn TEXT NOT NULL,          -- arn:aws:identitystore::ACCOUNT:user/USERID
  user_name     TEXT NOT NULL,
  first_seen    TEXT NOT NULL,
  last_seen     TEXT NOT NULL,
  sign_ins      INTEGER NOT NULL,
  PRIMARY KEY (principal_arn, user_name)
) WITHOUT ROWID, STRICT;
CREATE INDEX identity_center_name_user ON identity_center_name(user_name);

-- Sign-in steps of one Identity Center / WorkSpaces / Transfer Family flow share an AuthWorkflowID;
-- user_name is the name the step carries (typed, or asserted by the identity provider).
ALTER TABLE sign_in ADD COLUMN auth_workflow_id TEXT;
ALTER TABLE sign_in ADD COLUMN user_name TEXT;
CREATE INDEX sign_in_workflow ON sign_in(auth_workflow_id) WHERE auth_workflow_id IS NOT NULL;

-- A call made in a root session minted by sts:AssumeRoot (joined across accounts on the minted key):
-- the AssumeRoot call's row, and the actor in words ('root session via AssumeRoot by CALLER (task …)',
-- or 'AssumeRoot session, caller not in evidence').
ALTER TABLE lifecycle_event ADD COLUMN assume_root_event INTEGER;
ALTER TABLE lifecycle_event ADD COLUMN actor_note TEXT;

-- MFA-relevant events that are neither device lifecycle calls nor sign-ins (roles in
-- source/domain/mfa-events.ts): AssumeRoot calls, root/IAM login-profile and key changes, root
-- password recovery, GetSigninToken, Identity Center MFA settings, centralized root access setup.
CREATE TABLE account_event (
  event             INTEGER PRIMARY KEY REFERENCES event_row(id),
  event_id          TEXT NOT NULL,
  role              TEXT NOT NULL,     -- assume-root | root-credential | password-recovery | signin-token | idc-settings | root-access-management | organizations-setup | sts-federation
  event_name        TEXT NOT NULL,
  event_time        TEXT NOT NULL,
  actor_arn         TEXT,
  target_arn        TEXT,              -- the principal the call is about (userName; root when a Root session names none)
  account_id        TEXT,
  access_key_id     TEXT,
  credential        TEXT NOT NULL,     -- long-term | temporary | console | unknown
  mfa_authenticated INTEGER,
  mfa_used          TEXT,              -- additionalEventData.MFAUsed (GetSigninToken)
  result            TEXT,              -- Success | Failure (responseElements / serviceEventDetails / errorCode)
  source_ip         TEXT,
  user_agent        TEXT,
  error_code        TEXT,
  error_message     TEXT,
  cli_command       TEXT,
  -- AssumeRoot calls: what they minted, for whom, for which task
  minted_key        TEXT,
  target_account    TEXT,
  task_policy       TEXT,
  expires_at        TEXT,              -- parsed from credentials.expiration (month-name forms; UTC presumed)
  -- Calls in an AssumeRoot session: as on lifecycle_event
  assume_root_event INTEGER,
  actor_note        TEXT
) STRICT;
CREATE INDEX account_event_actor ON account_event(actor_arn, event_time);
CREATE INDEX account_event_target ON account_event(target_arn, event_time);
CREATE INDEX account_event_minted ON account_event(minted_key) WHERE minted_key IS NOT NULL;
CREATE INDEX account_event_role ON account_event(role, event_time);
