-- Schema version 6: lean source rows (issue 10). A realistic S3 trail is one source per handful of
-- events, so per-source overhead counts. Nothing looks a source up by content hash or by path
-- (re-runs read every source row once; verify lists them in order), so these two indexes only
-- cost space: together about a third of the source table again.
DROP INDEX IF EXISTS source_content;
DROP INDEX IF EXISTS source_location;
