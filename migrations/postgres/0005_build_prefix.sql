-- baton workflow database on PostgreSQL, schema 5: build ids found by prefix.
--
-- `baton list --build PREFIX` and the dashboard's history view find builds by a prefix of
-- their id, as a range of an index. The unique index on build_id sorts by the database's
-- collation, where a prefix need not be one range (en_US and most locales ignore `-` at
-- first, so `atlas-7…` and `atlas7…` interleave), so this index sorts by bytes, as SQLite
-- does and as the ids already do. Its cost: one more index entry for every row version
-- written (an update of build_workflows changes the indexed updated_at, so it is never a
-- HOT update and every index gets an entry anyway). SQLite compares text byte by byte,
-- so its unique index already serves the prefix and it has no such migration.

CREATE INDEX idx_workflows_build_prefix ON build_workflows (build_id COLLATE "C");
