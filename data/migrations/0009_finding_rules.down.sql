-- Reverses 0009_finding_rules.sql.
ALTER TABLE findings DROP COLUMN rule;
