-- baton workflow database, schema 7: metrics read a window, not the events table.
--
-- `baton metrics` and the dashboard's `M` need a few fields of each event in a window.
-- Read from `workflow_events`, every event's whole row and JSON document is parsed: about
-- 9 µs an event, half a second for a busy hour of 50,000 events. This table keeps those
-- fields, extracted once, in time order (`at_ms`: milliseconds since the epoch), so a
-- window is one range of one narrow B-tree whatever order the events were written in.
-- Triggers keep it, so events written by any program are counted. They never reject a
-- write: data that is not a JSON object gives NULL fields, a field that is not a string or
-- number gives NULL, a time SQLite cannot read gives 0 (outside every window). An event
-- that states its duration (`in_phase_secs`, `waited_secs`, as baton's do) keeps no
-- `handoff_id`: metrics pair a handoff with its acknowledgement only to measure a wait no
-- event states. The view is the one place the fields are extracted; existing events are
-- copied once, here.

CREATE TABLE workflow_event_metrics (
    at_ms         INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    workflow_id   TEXT    NOT NULL,
    event_type    TEXT    NOT NULL,
    from_state    TEXT,
    to_state      TEXT,
    from_role     TEXT,
    to_role       TEXT,
    phase         TEXT,
    role          TEXT,
    handoff_id    TEXT,
    in_phase_secs INTEGER,
    waited_secs   INTEGER,
    PRIMARY KEY (at_ms, seq)
) WITHOUT ROWID;

-- No `IN` list of three or more: SQLite builds a temporary index for one at every run of
-- a statement, and in the insert trigger that made each event written cost a writer
-- about a third of its speed (page faults from twenty temporary B-trees an event).
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

INSERT INTO workflow_event_metrics SELECT * FROM baton_event_metrics_source;

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
