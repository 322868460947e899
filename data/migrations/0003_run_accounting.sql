-- What hosted sources add to a run: API points spent, repositories carried forward unchanged,
-- and where each repository's owning team came from.
ALTER TABLE runs ADD COLUMN api_points INTEGER;
ALTER TABLE runs ADD COLUMN carried_forward_count INTEGER NOT NULL DEFAULT 0;
-- No REFERENCES clause: SQLite cannot drop a column that takes part in a foreign key, and the down
-- migration must be able to. The run it names is never pruned while it is the latest good result.
ALTER TABLE repo_runs ADD COLUMN carried_from_run INTEGER;
-- Set with carried_from_run when the repository could not be read this run and keeps its last good result.
ALTER TABLE repo_runs ADD COLUMN stale_reason TEXT;
ALTER TABLE repo_runs ADD COLUMN owner_source TEXT CHECK (owner_source IS NULL OR owner_source IN ('config', 'github-team', 'codeowners', 'catalog-info'));
