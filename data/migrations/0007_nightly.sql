-- Unattended nightly runs: resumable runs, one writer at a time, shard runs and their merge,
-- and findings pruned by retention.
--
-- A run's uid is random and travels with copies of the database (shard databases start as a copy
-- of the main one), so a merge can tell which run a carried result came from whatever its local id.
ALTER TABLE runs ADD COLUMN uid TEXT;
UPDATE runs SET uid = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX runs_by_uid ON runs (uid);
CREATE TRIGGER runs_uid AFTER INSERT ON runs WHEN NEW.uid IS NULL
BEGIN
  UPDATE runs SET uid = lower(hex(randomblob(16))) WHERE id = NEW.id;
END;
-- How many times the run was started: a run interrupted (signal, kill, lost machine) is resumed by the next crawl.
ALTER TABLE runs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
-- Set when the last attempt stopped on SIGINT/SIGTERM (the run stays 'running' until resumed).
ALTER TABLE runs ADD COLUMN interrupted_at TEXT;
-- Why the run ended without finishing: 'SIGTERM', or 'abandoned: …' when a later crawl could not resume it.
ALTER TABLE runs ADD COLUMN end_reason TEXT;
-- 'I/N' for one shard's run; a merged run has shard NULL and the shards' group.
ALTER TABLE runs ADD COLUMN shard TEXT;
ALTER TABLE runs ADD COLUMN shard_group TEXT;
-- When retention deleted this run's findings (its scores and statuses stay).
ALTER TABLE runs ADD COLUMN findings_pruned_at TEXT;

-- The single writer (crawl, merge, prune). Taken and released in transactions, so two processes
-- can never both hold it; a holder that died is recognised by host, boot and process start time.
CREATE TABLE locks (
  name TEXT PRIMARY KEY,
  token TEXT NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  boot_id TEXT,
  process_start TEXT,
  command TEXT NOT NULL,
  acquired_at TEXT NOT NULL,
  heartbeat_at TEXT NOT NULL
);

-- Shard runs folded into a merged run, by the shard run's uid: merging one twice changes nothing.
CREATE TABLE merged_shards (
  shard_uid TEXT PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  shard TEXT NOT NULL,
  source TEXT NOT NULL,
  status TEXT NOT NULL,
  repo_count INTEGER NOT NULL,
  api_points INTEGER,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  merged_at TEXT NOT NULL
);
CREATE INDEX merged_shards_by_run ON merged_shards (run_id);
