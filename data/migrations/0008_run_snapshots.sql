-- Each finished run's results packed in one row (finished runs never change): the site build reads
-- one row per run instead of every result of every run. Written when a run finishes (data/store.ts,
-- data/snapshots.ts); the build checks each against the live row counts and ids, and computes in
-- memory any that is missing or does not match (runs finished by older versions, merged runs).
-- Numbered 0008: 0007 is taken by the nightly runs' migration.
CREATE TABLE run_snapshots (
  run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  format INTEGER NOT NULL,
  -- What the snapshot was made from, to tell a snapshot that no longer matches its run.
  result_count INTEGER NOT NULL,
  last_result_id INTEGER NOT NULL,
  repo_count INTEGER NOT NULL,
  -- JSON: the check ids (the columns of statuses and scores).
  checks TEXT NOT NULL,
  -- Little-endian typed arrays, one entry per repository (rows, by repository id) or per row × check.
  repos BLOB NOT NULL,
  teams BLOB NOT NULL,
  repo_scores BLOB NOT NULL,
  repo_ok BLOB NOT NULL,
  statuses BLOB NOT NULL,
  scores BLOB NOT NULL,
  -- JSON: per-repository text columns (crawled heads and their dates, carried-from runs, stale reasons, commit counts).
  repo_info TEXT NOT NULL
);
