-- Schema version 20 (issue 20): findings you can defend.
-- 1. A finding keeps its identity however its evidence arrives.
-- A finding about a run of events (a burst, a removal and its deletion, a spray) is keyed when it is
-- first found; a later computation of the same incident (same rule, principal, serial and group,
-- overlapping in time) keeps that key, whether new evidence extends the run earlier or later
-- (source/findings/refresh.ts). When new evidence joins two runs into one, the key of the run that
-- goes is recorded here as an alias of the one that stays, so triage given to either follows it.

CREATE TABLE finding_key_alias (
  alias TEXT PRIMARY KEY,  -- a key no finding holds any more
  key   TEXT NOT NULL      -- the key of the finding its incident is now part of
) WITHOUT ROWID, STRICT;

-- How many events the finding rests on; event_ids lists at most 200 of them (source/findings/lib.ts).
-- Rows written before this version hold a list that may have been cut: their count is the list's
-- length until the next import recomputes them (the 'all' below asks it to).
ALTER TABLE finding ADD COLUMN event_count INTEGER;
UPDATE finding SET event_count = json_array_length(event_ids);
INSERT OR IGNORE INTO refresh_pending (kind, key) VALUES ('all', '');

-- The triage journal's current state, with finding targets read through the aliases: the latest
-- entry given to any key of an incident is its state, and its latest note stands. One sorted pass
-- over the journal (window functions), not a lookup per entry: a journal of thousands of entries
-- stays instant.
DROP VIEW triage_current;
CREATE VIEW triage_resolved AS
SELECT e.id, e.kind,
       CASE WHEN e.kind = 'finding' THEN coalesce(a.key, e.target) ELSE e.target END AS target,
       e.at, e.analyst, e.old_status, e.new_status, e.note
FROM triage_entry e LEFT JOIN finding_key_alias a ON e.kind = 'finding' AND a.alias = e.target;
CREATE VIEW triage_current AS
SELECT kind, target, status, at, analyst, note FROM (
  SELECT kind, target, new_status AS status, at, analyst,
         first_value(note) OVER (PARTITION BY kind, target ORDER BY note <> '' DESC, id DESC) AS note,
         row_number() OVER (PARTITION BY kind, target ORDER BY id DESC) AS latest
  FROM triage_resolved)
WHERE latest = 1;

-- The minting join (source/domain/credentials.ts): the access key a call minted
-- (responseElements.credentials.accessKeyId, a dict id), indexed, so the call that minted a session's
-- key is found in any account of the case without scanning STS events. Rows imported before this
-- version have none: 'minted_keys_incomplete' tells the key view to look the slow way for them.
ALTER TABLE event_row ADD COLUMN minted_key INTEGER;
CREATE INDEX event_minted_key ON event_row(minted_key) WHERE minted_key IS NOT NULL;
INSERT INTO meta (key, value) SELECT 'minted_keys_incomplete', '1' WHERE EXISTS (SELECT 1 FROM event_row);

-- 3. A console sign-in through a federation (SAML, an Identity Center permission set, a role session,
-- a federated user; source/domain/sign-in-mfa.ts) carries no MFA fact in CloudTrail: its MFA happened
-- at the identity provider. Filled by the model (version 4), which the next import rebuilds.
ALTER TABLE sign_in ADD COLUMN federation TEXT;
