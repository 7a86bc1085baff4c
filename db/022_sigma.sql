-- Schema version 22: Sigma rules run over the case (source/findings/sigma.ts, issue 19). Their
-- matches are findings (rule 'sigma:<rule id>'); what each must credit and show is kept here, by
-- the rule's id: title, level, author and the link the Detection Rule License asks a match to
-- keep, references and ATT&CK tags. Rule folders saved with the case are in meta 'sigma.paths'.
CREATE TABLE sigma_rule (
  id           TEXT PRIMARY KEY,
  kind         TEXT NOT NULL CHECK (kind IN ('detection', 'correlation')),
  title        TEXT NOT NULL,
  level        TEXT NOT NULL,
  author       TEXT,
  description  TEXT,
  refs         TEXT NOT NULL,    -- JSON array of the rule's references
  tags         TEXT NOT NULL,    -- JSON array of its tags (attack.t1098, …)
  license      TEXT,
  path         TEXT NOT NULL     -- the rule file it was read from
) STRICT;
