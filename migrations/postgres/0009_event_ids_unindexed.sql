-- baton workflow database on PostgreSQL, schema 9: event ids without a unique index.
--
-- `workflow_events.id` was declared UNIQUE, so every event paid for a second B-tree of
-- 36-character texts (about 59 bytes an event) that no query reads: events are found by
-- `seq` and by `(workflow_id, seq)`. The ids baton and the column's default write are
-- random UUIDs, unique without an index to say so. Dropping the constraint drops its
-- index and rewrites nothing.

ALTER TABLE workflow_events DROP CONSTRAINT IF EXISTS workflow_events_id_key;
