-- baton workflow database, schema 10: the metrics projection holds numbers, not names.
--
-- Each `workflow_event_metrics` row repeated the workflow's 36-character id and six or seven
-- names (the event type, phases, roles) that a whole database spells a few dozen ways: about
-- 120 bytes an event, and every name hashed again by `baton metrics` for every event of a
-- window. The names now live once in `baton_names`, and a row holds their numbers; the
-- workflow is its `build_workflows` rowid (which `VACUUM` keeps: the table is never rebuilt
-- by baton, and the rowid is only bookkeeping for metrics, not a key anyone writes). The
-- extraction rules are schema 7's, unchanged: `baton_event_metrics_source` is still the one
-- place the fields are read from an event; `baton_event_metrics_in` is where its rows are
-- turned into numbers, for the copy below and for every write after it. The triggers never
-- reject a write: a name is added the first time it is seen; an event whose workflow is
-- missing (a writer without `foreign_keys`) keeps a NULL workflow.

DROP TRIGGER trg_event_metrics_insert;
DROP TRIGGER trg_event_metrics_delete;
DROP TRIGGER trg_event_metrics_update;
ALTER TABLE workflow_event_metrics RENAME TO baton_event_metrics_before_10;

CREATE TABLE baton_names (
    id   INTEGER PRIMARY KEY,
    name TEXT    NOT NULL UNIQUE
);

CREATE TABLE workflow_event_metrics (
    at_ms         INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    workflow_key  INTEGER,            -- build_workflows.rowid
    type_key      INTEGER,            -- baton_names.id, as are the other *_key columns
    from_key      INTEGER,
    to_key        INTEGER,
    from_role_key INTEGER,
    to_role_key   INTEGER,
    phase_key     INTEGER,
    role_key      INTEGER,
    handoff_id    TEXT,
    in_phase_secs INTEGER,
    waited_secs   INTEGER,
    PRIMARY KEY (at_ms, seq)
) WITHOUT ROWID;

-- Rows of the source view's shape, taken in and stored as numbers (an INSERT here writes
-- nothing to the view itself).
CREATE VIEW baton_event_metrics_in AS
    SELECT * FROM baton_event_metrics_source WHERE 0;

CREATE TRIGGER trg_event_metrics_in INSTEAD OF INSERT ON baton_event_metrics_in
BEGIN
    -- NULLs break NOT NULL and are skipped, like the names already held.
    INSERT OR IGNORE INTO baton_names (name) VALUES (new.event_type), (new.from_state),
        (new.to_state), (new.from_role), (new.to_role), (new.phase), (new.role);
    INSERT OR REPLACE INTO workflow_event_metrics VALUES (
        new.at_ms, new.seq,
        (SELECT rowid FROM build_workflows WHERE id = new.workflow_id),
        (SELECT id FROM baton_names WHERE name = new.event_type),
        (SELECT id FROM baton_names WHERE name = new.from_state),
        (SELECT id FROM baton_names WHERE name = new.to_state),
        (SELECT id FROM baton_names WHERE name = new.from_role),
        (SELECT id FROM baton_names WHERE name = new.to_role),
        (SELECT id FROM baton_names WHERE name = new.phase),
        (SELECT id FROM baton_names WHERE name = new.role),
        new.handoff_id, new.in_phase_secs, new.waited_secs);
END;

INSERT INTO baton_event_metrics_in
    SELECT * FROM baton_event_metrics_before_10 ORDER BY at_ms, seq;
DROP TABLE baton_event_metrics_before_10;

CREATE TRIGGER trg_event_metrics_insert AFTER INSERT ON workflow_events
BEGIN
    INSERT INTO baton_event_metrics_in
        SELECT * FROM baton_event_metrics_source WHERE seq = new.seq;
END;

-- The old row's key, computed as the view computes it.
CREATE TRIGGER trg_event_metrics_delete AFTER DELETE ON workflow_events
BEGIN
    DELETE FROM workflow_event_metrics
    WHERE seq = old.seq AND at_ms = coalesce(
        CAST(round((julianday(old.created_at) - 2440587.5) * 86400000.0) AS INTEGER), 0);
END;

CREATE TRIGGER trg_event_metrics_update AFTER UPDATE ON workflow_events
BEGIN
    DELETE FROM workflow_event_metrics
    WHERE seq = old.seq AND at_ms = coalesce(
        CAST(round((julianday(old.created_at) - 2440587.5) * 86400000.0) AS INTEGER), 0);
    INSERT INTO baton_event_metrics_in
        SELECT * FROM baton_event_metrics_source WHERE seq = new.seq;
END;
