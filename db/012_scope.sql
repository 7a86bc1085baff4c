-- Schema version 12: the scope of a scoped extract (source/db/scope.ts).
-- An organisation trail is selected with a query engine (Athena, or DuckDB locally: mfatrail
-- scope), and only the chosen objects are downloaded and imported. What the case holds is then
-- bounded by that query: absence ("never signed in with MFA") holds only inside it. One row per
-- scope file imported; a case without rows holds whatever was imported, unscoped.
CREATE TABLE scope (
  id          INTEGER PRIMARY KEY,
  engine      TEXT NOT NULL,               -- athena | duckdb | …: what ran the query
  query       TEXT NOT NULL,               -- the statement text as run ('' when the plan was made without it)
  accounts    TEXT NOT NULL DEFAULT '[]',  -- JSON array of account IDs the query covered
  regions     TEXT NOT NULL DEFAULT '[]',  -- JSON array of regions the query covered
  since       TEXT,                        -- ISO-8601 UTC; NULL: the query was not bounded
  until       TEXT,
  objects     TEXT NOT NULL DEFAULT '[]',  -- JSON array: the log objects the query selected (S3 keys, or local paths)
  origin      TEXT,                        -- the scope file as given to import
  sha256      TEXT NOT NULL UNIQUE,        -- of the scope file's content: importing it again records it once
  imported_at TEXT NOT NULL
) STRICT;
