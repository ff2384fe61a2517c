-- baton workflow database on PostgreSQL, schema 11: the census's indexes compare bytes.
--
-- Phases, roles and statuses are compared under the database's collation, and unless that
-- is "C" itself (C.UTF-8 and en_US.UTF-8 are not) every comparison in these two indexes went
-- through strcoll: counting 50,000 live workflows and checking 8,900 pending handoffs
-- against them took 45 ms at 1M, most of it ordering text. Built with COLLATE "C", the same
-- indexes are walked with memcmp, and the pending handoffs, now ordered by the phase and
-- role they lead into, are merged with the running workflows in one pass instead of
-- hashed: 21 ms. Equality is the same under either collation (a database's default
-- collation is deterministic), so the queries that read these indexes say COLLATE "C" and
-- keep their meaning. Only the census read the pending index; the pending handoffs of the
-- live set, read by status from the census index, say COLLATE "C" too. SQLite compares
-- bytes already and has no migration 11.

DROP INDEX idx_workflows_census;
CREATE INDEX idx_workflows_census ON build_workflows
    (status COLLATE "C", current_state COLLATE "C", "current_role" COLLATE "C", id);

DROP INDEX idx_handoffs_pending;
CREATE INDEX idx_handoffs_pending ON workflow_handoffs
    (to_state COLLATE "C", to_role COLLATE "C", workflow_id, created_at)
    WHERE acknowledged_at IS NULL;
