-- What the GitHub source fetched, by git object id: a blob's decoded content and a commit's file
-- list, so judging an unchanged repository again (after a check changed) costs no content requests.
-- Entries unused for a while are pruned after a crawl.
CREATE TABLE github_blobs (
  oid TEXT PRIMARY KEY,
  result TEXT NOT NULL,
  byte_size INTEGER NOT NULL,
  used_at TEXT NOT NULL
);

CREATE TABLE github_trees (
  commit_oid TEXT PRIMARY KEY,
  files TEXT NOT NULL,
  problems TEXT NOT NULL DEFAULT '[]',
  used_at TEXT NOT NULL
);
