-- Reverses 0001_init.sql.
DROP TABLE findings;
DROP TABLE check_results;
DROP TABLE repo_runs;
DROP TABLE repositories;
DROP TABLE teams;
DROP TABLE runs;
