-- Candidate folders a run did not crawl (not a repository, refused by git), with the real reason,
-- so nothing configured disappears from a night without a word. Locations are relative to the
-- configuration file: the machine's own paths are nobody's business on the site.
CREATE TABLE run_skipped_folders (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  location TEXT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (run_id, location)
);
