-- The site reads each repository's history per check (repository pages, status flips between runs):
-- without this index every such read scans all results of every run.
CREATE INDEX check_results_by_repo ON check_results (repo_id, check_id, run_id);
