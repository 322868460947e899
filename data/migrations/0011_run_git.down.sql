-- Reverses 0011_run_git.sql.
ALTER TABLE runs DROP COLUMN git_stats;
