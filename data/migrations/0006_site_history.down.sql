-- Reverses 0006_site_history.sql.
DROP INDEX check_results_by_repo;
