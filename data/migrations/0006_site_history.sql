-- The site reads each repository's history per check (repository pages and exports, status flips
-- between runs). Without this index every such read scans the results of every run; with the
-- status and score in it, the read never touches the table.
CREATE INDEX check_results_by_repo ON check_results (repo_id, run_id, check_id, status, score);

-- What landed between a repository's previously crawled head and this run's head, where the crawl
-- knew (its history reached the earlier head): the newest commits, with their pull requests.
ALTER TABLE repo_runs ADD COLUMN commits_since_previous INTEGER;
CREATE TABLE repo_run_commits (
  run_id INTEGER NOT NULL,
  repo_id INTEGER NOT NULL,
  position INTEGER NOT NULL,
  oid TEXT NOT NULL,
  committed_at TEXT NOT NULL,
  author TEXT NOT NULL,
  title TEXT NOT NULL,
  pr_number INTEGER,
  pr_title TEXT,
  pr_url TEXT,
  PRIMARY KEY (repo_id, run_id, position),
  FOREIGN KEY (run_id, repo_id) REFERENCES repo_runs (run_id, repo_id) ON DELETE CASCADE
);
CREATE INDEX repo_run_commits_by_run ON repo_run_commits (run_id);
