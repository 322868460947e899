-- Reverses 0002_run_teams.sql.
DROP TABLE run_teams;
