-- Reverses 0003_run_accounting.sql.
ALTER TABLE repo_runs DROP COLUMN owner_source;
ALTER TABLE repo_runs DROP COLUMN stale_reason;
ALTER TABLE repo_runs DROP COLUMN carried_from_run;
ALTER TABLE runs DROP COLUMN carried_forward_count;
ALTER TABLE runs DROP COLUMN api_points;
