-- Schema version 15: the triage journal (source/db/triage.ts). An analyst marks a finding, principal,
-- device or event confirmed, benign or needs-review (the default) with a note. Entries are only ever
-- appended: the current status of a target is its latest entry, and the journal is the record of
-- who decided what, when. Targets are keyed by what a re-import keeps: a finding by its key (rule,
-- principal, serial, first eventID; source/findings/refresh.ts), a principal by ARN, a device by
-- serial number, an event by eventID. So a re-import, or a finding rebuilt, never loses triage.

CREATE TABLE triage_entry (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('finding', 'principal', 'device', 'event')),
  target      TEXT NOT NULL,
  at          TEXT NOT NULL,       -- UTC, 'YYYY-MM-DDTHH:MM:SS.sssZ'
  analyst     TEXT NOT NULL,       -- the OS user, or --analyst
  old_status  TEXT NOT NULL CHECK (old_status IN ('confirmed', 'benign', 'needs-review')),
  new_status  TEXT NOT NULL CHECK (new_status IN ('confirmed', 'benign', 'needs-review')),
  note        TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX triage_entry_target ON triage_entry(kind, target, id);

CREATE TRIGGER triage_entry_append_only_update BEFORE UPDATE ON triage_entry
BEGIN SELECT RAISE(ABORT, 'the triage journal is append-only'); END;
CREATE TRIGGER triage_entry_append_only_delete BEFORE DELETE ON triage_entry
BEGIN SELECT RAISE(ABORT, 'the triage journal is append-only'); END;

-- The current state of every triaged target: the latest entry's status, and the latest note given
-- (an entry that only changes the status keeps the note standing).
CREATE VIEW triage_current AS
SELECT t.kind, t.target, t.new_status AS status, t.at, t.analyst,
       coalesce((SELECT n.note FROM triage_entry n WHERE n.kind = t.kind AND n.target = t.target AND n.note <> '' ORDER BY n.id DESC LIMIT 1), '') AS note
FROM triage_entry t
WHERE t.id = (SELECT max(l.id) FROM triage_entry l WHERE l.kind = t.kind AND l.target = t.target);
