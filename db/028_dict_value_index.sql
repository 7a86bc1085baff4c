-- Schema version 28 (issue 21): dict's uniqueness moves from the column's UNIQUE constraint (an
-- automatic index, which cannot be dropped) to a named unique index, dict_value. A bulk import drops
-- it with the event indexes and builds it again after the load (source/db/event-indexes.ts): kept row
-- by row, its random inserts dirtied pages all over the index in every transaction, and writing them
-- cost the writer more than the event rows did. During the load the writer's in-memory map of the
-- dictionary (source/db/store.ts) keeps values unique; building the index proves it.
-- The table is rebuilt under its name, keeping its ids. The views `event` and `source` refer to it by
-- name and are kept as they are: legacy_alter_table makes the rename leave them alone (they would
-- be checked against a moment with no table named dict).

PRAGMA legacy_alter_table = ON;

CREATE TABLE dict_new (
  id     INTEGER PRIMARY KEY,
  value  TEXT NOT NULL
) STRICT;
INSERT INTO dict_new(id, value) SELECT id, value FROM dict ORDER BY id;
DROP TABLE dict;
ALTER TABLE dict_new RENAME TO dict;
CREATE UNIQUE INDEX dict_value ON dict(value);

PRAGMA legacy_alter_table = OFF;
