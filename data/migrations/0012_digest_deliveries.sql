-- The nightly digest's deliveries (crawler/digest.ts): one row per run, team and webhook, so a job
-- re-run for the same run never posts twice. The webhook is named by its environment variable: its
-- URL is a secret and is never stored.
CREATE TABLE digest_deliveries (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  team TEXT NOT NULL,
  target TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('sent', 'failed')),
  attempts INTEGER NOT NULL,
  entries INTEGER NOT NULL,
  error TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (run_id, team, target)
);
