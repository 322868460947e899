-- Which teams each run knew, so a team removed from the configuration leaves the site.
CREATE TABLE run_teams (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  team_id INTEGER NOT NULL REFERENCES teams (id),
  PRIMARY KEY (run_id, team_id)
);

-- Earlier runs knew at least the teams their repositories were assigned to.
INSERT INTO run_teams (run_id, team_id)
SELECT DISTINCT run_id, team_id FROM repo_runs WHERE team_id IS NOT NULL;
