-- Reverses 0006_site_history.sql.
DROP TABLE repo_run_commits;
ALTER TABLE repo_runs DROP COLUMN commits_since_previous;
DROP INDEX check_results_by_repo;
