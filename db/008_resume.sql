-- Schema version 8: resumable import of large sources (source/import/stream.ts).
-- A source streamed in parts has status 'importing' until its last part is committed. Each part's
-- transaction also records where reading stands, so an interrupted import continues from there:
--   resume_offset   content offset (decompressed bytes) of the next record to read
--   resume_position record index of that record within the source
--   resume_state    JSON: the reader's state and the SHA-256 of the content before resume_offset,
--                   which the next run checks before it continues (evidence that changed is not continued)
-- All three are NULL once the source is complete.
ALTER TABLE source ADD COLUMN resume_offset INTEGER;
ALTER TABLE source ADD COLUMN resume_position INTEGER;
ALTER TABLE source ADD COLUMN resume_state TEXT;
