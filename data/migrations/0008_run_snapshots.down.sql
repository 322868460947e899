-- Reverses 0008_run_snapshots.sql.
DROP TABLE run_snapshots;
