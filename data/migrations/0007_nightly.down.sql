-- Reverses 0007_nightly.sql.
DROP INDEX merged_shards_by_run;
DROP TABLE merged_shards;
DROP TABLE locks;
DROP TRIGGER runs_uid;
DROP INDEX runs_by_uid;
ALTER TABLE runs DROP COLUMN findings_pruned_at;
ALTER TABLE runs DROP COLUMN shard_group;
ALTER TABLE runs DROP COLUMN shard;
ALTER TABLE runs DROP COLUMN end_reason;
ALTER TABLE runs DROP COLUMN interrupted_at;
ALTER TABLE runs DROP COLUMN attempts;
ALTER TABLE runs DROP COLUMN uid;
