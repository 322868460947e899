-- Reverses 0005_github.sql.
DROP TABLE github_trees;
DROP TABLE github_blobs;
