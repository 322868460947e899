-- Release histories from package registries, shared by every repository and run. One row per
-- package: the normalised release list (JSON of PackageRelease[]) or a "not found" answer, and when
-- it was fetched; freshness is judged when read, against the configured time-to-live.
CREATE TABLE registry_cache (
  ecosystem TEXT NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('found', 'not-found')),
  releases TEXT,
  reason TEXT,
  fetched_at TEXT NOT NULL,
  CHECK ((status = 'found') = (releases IS NOT NULL)),
  PRIMARY KEY (ecosystem, name)
) WITHOUT ROWID;
