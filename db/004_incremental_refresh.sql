-- Schema version 4: incremental model and findings refresh (source/model/refresh.ts,
-- source/findings/refresh.ts). After an import only the principals and device serials the new
-- events touch are derived again; these indexes find their existing rows.

-- Every lifecycle call naming a serial, including failed calls on a serial no device carries.
CREATE INDEX lifecycle_serial ON lifecycle_event(serial_number) WHERE serial_number IS NOT NULL;

-- Findings compare ARNs case-insensitively (IAM does): spelling variants of a principal are found here.
CREATE INDEX principal_arn_lower ON principal(lower(arn));

-- What the model refresh changed and the findings refresh has not yet recomputed: kind 'principal'
-- or 'serial' with its key, or kind 'all' (a full rebuild). Kept in the case file, so findings
-- left behind by an interrupted run are recomputed by the next one.
CREATE TABLE refresh_pending (
	kind TEXT NOT NULL,
	key  TEXT NOT NULL,
	PRIMARY KEY (kind, key)
) WITHOUT ROWID, STRICT;
