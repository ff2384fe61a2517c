-- baton workflow database, schema 10: the metrics projection holds numbers, not names.
--
-- Each `workflow_event_metrics` row repeated the workflow's 36-character id and six or seven
-- names (the event type, phases, roles) that a whole database spells a few dozen ways: about
-- 120 bytes an event, and every name hashed again by `baton metrics` for every event of a
-- window. The names now live once in `baton_names`, and a row holds their numbers; the
-- workflow is its `build_workflows` rowid (which `VACUUM` keeps: the table is never rebuilt
-- by baton, and the rowid is only bookkeeping for metrics, not a key anyone writes). The
-- extraction rules are schema 7's, unchanged: `baton_event_metrics_source` is still the one
-- place the fields are read from an event; `baton_event_metrics_keyed` is where its rows are
-- turned into numbers. The triggers never reject a write: a name is added the first time
-- it is seen; an event whose workflow is missing (a writer without `foreign_keys`) keeps a
-- NULL workflow.

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

-- The names an event's metric fields use, as a table-valued list (no temporary B-tree:
-- a view insert or a compound select builds one per event, which cost writers a sixth of
-- their speed in allocations alone).
CREATE VIEW baton_event_metrics_names AS
    SELECT s.seq, j.value AS name
    FROM baton_event_metrics_source s,
         json_each(json_array(s.event_type, s.from_state, s.to_state, s.from_role, s.to_role,
                              s.phase, s.role)) AS j
    WHERE j.value IS NOT NULL;

-- The source view's row with its names as numbers.
CREATE VIEW baton_event_metrics_keyed AS
    SELECT s.at_ms, s.seq,
        (SELECT rowid FROM build_workflows WHERE id = s.workflow_id) AS workflow_key,
        (SELECT id FROM baton_names WHERE name = s.event_type) AS type_key,
        (SELECT id FROM baton_names WHERE name = s.from_state) AS from_key,
        (SELECT id FROM baton_names WHERE name = s.to_state) AS to_key,
        (SELECT id FROM baton_names WHERE name = s.from_role) AS from_role_key,
        (SELECT id FROM baton_names WHERE name = s.to_role) AS to_role_key,
        (SELECT id FROM baton_names WHERE name = s.phase) AS phase_key,
        (SELECT id FROM baton_names WHERE name = s.role) AS role_key,
        s.handoff_id, s.in_phase_secs, s.waited_secs
    FROM baton_event_metrics_source s;

-- What is already held: the old rows have the source view's shape.
INSERT OR IGNORE INTO baton_names (name)
    SELECT j.value FROM baton_event_metrics_before_10 b,
         json_each(json_array(b.event_type, b.from_state, b.to_state, b.from_role, b.to_role,
                              b.phase, b.role)) AS j
    WHERE j.value IS NOT NULL;
INSERT INTO workflow_event_metrics
    SELECT b.at_ms, b.seq,
        (SELECT rowid FROM build_workflows WHERE id = b.workflow_id),
        (SELECT id FROM baton_names WHERE name = b.event_type),
        (SELECT id FROM baton_names WHERE name = b.from_state),
        (SELECT id FROM baton_names WHERE name = b.to_state),
        (SELECT id FROM baton_names WHERE name = b.from_role),
        (SELECT id FROM baton_names WHERE name = b.to_role),
        (SELECT id FROM baton_names WHERE name = b.phase),
        (SELECT id FROM baton_names WHERE name = b.role),
        b.handoff_id, b.in_phase_secs, b.waited_secs
    FROM baton_event_metrics_before_10 b ORDER BY b.at_ms, b.seq;
DROP TABLE baton_event_metrics_before_10;

-- A name not held yet is numbered (NULLs and names held are skipped), then the row
-- written. Each statement reads the event's data once. Tried and slower for writers: a
-- view with an INSTEAD OF trigger taking the source's row (0.84x: every insert into a view
-- goes through a temporary table, allocated and freed per event); writing the row first
-- and numbering only when a name was missing (a trigger on the metrics table, or a guarded
-- UPDATE, each put a temporary table or more work on every event: 0.78-0.83x).
CREATE TRIGGER trg_event_metrics_insert AFTER INSERT ON workflow_events
BEGIN
    INSERT OR IGNORE INTO baton_names (name)
        SELECT name FROM baton_event_metrics_names WHERE seq = new.seq;
    INSERT OR REPLACE INTO workflow_event_metrics
        SELECT * FROM baton_event_metrics_keyed WHERE seq = new.seq;
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
    INSERT OR IGNORE INTO baton_names (name)
        SELECT name FROM baton_event_metrics_names WHERE seq = new.seq;
    INSERT OR REPLACE INTO workflow_event_metrics
        SELECT * FROM baton_event_metrics_keyed WHERE seq = new.seq;
END;
