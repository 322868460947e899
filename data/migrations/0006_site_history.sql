-- The site reads each repository's history per check (repository pages and exports, status flips
-- between runs). Without this index every such read scans the results of every run; with the
-- status and score in it, the read never touches the table.
CREATE INDEX check_results_by_repo ON check_results (repo_id, run_id, check_id, status, score);
