-- The rule each finding belongs to, as `<check-id>/<rule-name>` (e.g. runbooks/alert-without-runbook):
-- the site links a finding to its rule's "How to fix" subsection. NULL for findings stored before
-- checks declared rules; they keep linking to the check's "How to fix" as a whole.
ALTER TABLE findings ADD COLUMN rule TEXT;
