-- baton workflow database, schema 6: the live set counted from indexes alone.
--
-- `baton metrics` and the dashboard's `M` count live workflows by status, phase and role,
-- and the handoffs waiting for acknowledgement by the phase and role they lead into. Read
-- from the table, each count fetched every live row or pending handoff from a file that
-- holds all of history (130 ms at 50,000 live in 1M); these indexes hold every column the
-- counts read, so they are answered from the indexes (about 10 ms). The census index is
-- written when a workflow's status, phase or role changes; the pending index is partial
-- (unacknowledged handoffs only) and replaces the narrower one of the same name.
-- Versions 3 to 5 are PostgreSQL's alone; SQLite goes from 2 to 6.

CREATE INDEX idx_workflows_census ON build_workflows (status, current_state, current_role, id);

DROP INDEX idx_handoffs_pending;
CREATE INDEX idx_handoffs_pending ON workflow_handoffs (created_at, to_state, to_role, workflow_id)
    WHERE acknowledged_at IS NULL;
