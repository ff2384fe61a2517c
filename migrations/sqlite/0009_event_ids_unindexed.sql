-- baton workflow database, schema 9: event ids without a unique index.
--
-- `workflow_events.id` was declared UNIQUE, so every event paid for a second B-tree of
-- 36-character texts (about 52 bytes an event, 5 % of a backfilled file) that no query
-- reads: events are found by `seq` and by `(workflow_id, seq)`. The ids baton and the
-- column's default write are random UUIDs, unique without an index to say so. SQLite
-- cannot drop a constraint, so the table is rebuilt: the rows are copied with their `seq`,
-- the AUTOINCREMENT high-water mark is carried over (a pruned newest event's `seq` is
-- still never given out again), and the metrics view and triggers, which name the table,
-- are made again exactly as schema 7 made them. Dropping the old table does not fire its
-- triggers, so `workflow_event_metrics` keeps its rows.

CREATE TABLE workflow_events_rebuilt (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,   -- cursor for incremental reads
    id           TEXT NOT NULL DEFAULT (lower(hex(randomblob(16)))),
    workflow_id  TEXT NOT NULL REFERENCES build_workflows (id) ON DELETE CASCADE,
    event_type   TEXT NOT NULL,
    triggered_by TEXT NOT NULL DEFAULT 'system',
    event_data   TEXT NOT NULL DEFAULT '{}',
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

INSERT INTO workflow_events_rebuilt (seq, id, workflow_id, event_type, triggered_by, event_data,
    created_at)
    SELECT seq, id, workflow_id, event_type, triggered_by, event_data, created_at
    FROM workflow_events ORDER BY seq;

DELETE FROM sqlite_sequence WHERE name = 'workflow_events_rebuilt';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'workflow_events_rebuilt', seq FROM sqlite_sequence WHERE name = 'workflow_events';

-- The view names the table: it goes first, or renaming the new table finds it broken.
DROP VIEW baton_event_metrics_source;
DROP TABLE workflow_events;
ALTER TABLE workflow_events_rebuilt RENAME TO workflow_events;

CREATE INDEX idx_events_workflow_seq ON workflow_events (workflow_id, seq);

CREATE VIEW baton_event_metrics_source AS
SELECT
    at_ms, seq, workflow_id, event_type,
    CASE WHEN json_type(doc, '$.from') = 'text'
            OR json_type(doc, '$.from') IN ('integer', 'real')
        THEN CAST(json_extract(doc, '$.from') AS TEXT) END AS from_state,
    CASE WHEN json_type(doc, '$.to') = 'text'
            OR json_type(doc, '$.to') IN ('integer', 'real')
        THEN CAST(json_extract(doc, '$.to') AS TEXT) END AS to_state,
    CASE WHEN json_type(doc, '$.from_role') = 'text'
            OR json_type(doc, '$.from_role') IN ('integer', 'real')
        THEN CAST(json_extract(doc, '$.from_role') AS TEXT) END AS from_role,
    CASE WHEN json_type(doc, '$.to_role') = 'text'
            OR json_type(doc, '$.to_role') IN ('integer', 'real')
        THEN CAST(json_extract(doc, '$.to_role') AS TEXT) END AS to_role,
    CASE WHEN json_type(doc, '$.phase') = 'text'
            OR json_type(doc, '$.phase') IN ('integer', 'real')
        THEN CAST(json_extract(doc, '$.phase') AS TEXT) END AS phase,
    CASE WHEN json_type(doc, '$.role') = 'text'
            OR json_type(doc, '$.role') IN ('integer', 'real')
        THEN CAST(json_extract(doc, '$.role') AS TEXT) END AS role,
    CASE WHEN json_type(doc, '$.in_phase_secs') IN ('integer', 'real')
            OR json_type(doc, '$.waited_secs') IN ('integer', 'real') THEN NULL
        WHEN json_type(doc, '$.handoff_id') = 'text'
            OR json_type(doc, '$.handoff_id') IN ('integer', 'real')
        THEN CAST(json_extract(doc, '$.handoff_id') AS TEXT) END AS handoff_id,
    CASE WHEN json_type(doc, '$.in_phase_secs') IN ('integer', 'real')
        THEN CAST(json_extract(doc, '$.in_phase_secs') AS INTEGER) END AS in_phase_secs,
    CASE WHEN json_type(doc, '$.waited_secs') IN ('integer', 'real')
        THEN CAST(json_extract(doc, '$.waited_secs') AS INTEGER) END AS waited_secs
FROM (
    SELECT
        coalesce(CAST(round((julianday(created_at) - 2440587.5) * 86400000.0) AS INTEGER), 0)
            AS at_ms,
        seq, workflow_id, event_type,
        CASE WHEN json_valid(event_data) AND json_type(event_data) = 'object'
            THEN event_data END AS doc
    FROM workflow_events
);

CREATE TRIGGER trg_event_metrics_insert AFTER INSERT ON workflow_events
BEGIN
    INSERT OR REPLACE INTO workflow_event_metrics
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
    INSERT OR REPLACE INTO workflow_event_metrics
        SELECT * FROM baton_event_metrics_source WHERE seq = new.seq;
END;
