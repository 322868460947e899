-- Reverses 0012_digest_deliveries.sql.
DROP TABLE digest_deliveries;
