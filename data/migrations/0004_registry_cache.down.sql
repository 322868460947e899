-- Reverses 0004_registry_cache.sql.
DROP TABLE registry_cache;
