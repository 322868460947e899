-- Runs, repositories, teams, and each run's results with their findings.
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'partial', 'failed')),
  tool_version TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  as_of TEXT,
  repo_count INTEGER NOT NULL DEFAULT 0,
  error_count INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE teams (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  contact_url TEXT
);

CREATE TABLE repositories (
  id INTEGER PRIMARY KEY,
  repo_key TEXT NOT NULL UNIQUE,
  host TEXT NOT NULL,
  owner TEXT NOT NULL,
  name TEXT NOT NULL,
  slug TEXT NOT NULL UNIQUE,
  web_url TEXT
);

CREATE TABLE repo_runs (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  repo_id INTEGER NOT NULL REFERENCES repositories (id),
  team_id INTEGER REFERENCES teams (id),
  status TEXT NOT NULL CHECK (status IN ('ok', 'error')),
  error TEXT,
  default_branch TEXT,
  head_oid TEXT,
  head_date TEXT,
  kind TEXT,
  kind_source TEXT,
  kind_evidence TEXT NOT NULL DEFAULT '[]',
  lifecycle TEXT,
  problems TEXT NOT NULL DEFAULT '[]',
  score REAL CHECK (score IS NULL OR score BETWEEN 0 AND 10),
  duration_ms INTEGER NOT NULL,
  crawled_at TEXT NOT NULL,
  PRIMARY KEY (run_id, repo_id)
);

CREATE TABLE check_results (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL,
  repo_id INTEGER NOT NULL,
  check_id TEXT NOT NULL,
  check_version INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pass', 'warn', 'fail', 'not-applicable', 'error', 'waived')),
  underlying_status TEXT,
  score REAL CHECK (score IS NULL OR score BETWEEN 0 AND 10),
  weight REAL NOT NULL,
  summary TEXT NOT NULL,
  waiver_reason TEXT,
  waiver_expires TEXT,
  duration_ms REAL NOT NULL,
  UNIQUE (run_id, repo_id, check_id),
  FOREIGN KEY (run_id, repo_id) REFERENCES repo_runs (run_id, repo_id) ON DELETE CASCADE
);

CREATE TABLE findings (
  id INTEGER PRIMARY KEY,
  result_id INTEGER NOT NULL REFERENCES check_results (id) ON DELETE CASCADE,
  severity TEXT NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high')),
  message TEXT NOT NULL,
  path TEXT,
  line INTEGER
);

CREATE INDEX repo_runs_by_repo ON repo_runs (repo_id, run_id);
CREATE INDEX check_results_by_run ON check_results (run_id, repo_id);
CREATE INDEX findings_by_result ON findings (result_id);
