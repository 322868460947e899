-- Reverses 0010_skipped_folders.sql.
DROP TABLE run_skipped_folders;
