-- What git cost a run of a hosted source (the GitHub source reads content and history with git into
-- a cache of partial clones): clones, fetches, bytes received, time, the cache folder's size and the
-- slowest repositories, as JSON. NULL for runs that used no git over the network (local sources).
ALTER TABLE runs ADD COLUMN git_stats TEXT;
