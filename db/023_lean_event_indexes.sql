-- event_sts (db/013_explorer.sql) served the key view's search for the STS call that minted a key.
-- The minted-key index of db/020_defensible_findings.sql answers that now; only case files
-- imported before 020 (meta 'minted_keys_incomplete') still look the slow way, over the time
-- range alone. The index cost about 5 % of a case file and a tenth of the index build.
DROP INDEX IF EXISTS event_sts;

-- event_account_region served one grouped pass of the pivot values (source/db/pivot-values.ts) over
-- the new rows; their rowid range grouped in a temporary B-tree costs less than building the index.
DROP INDEX IF EXISTS event_account_region;
