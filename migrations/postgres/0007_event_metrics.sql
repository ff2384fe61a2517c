-- baton workflow database on PostgreSQL, schema 7: metrics read a window, not the events
-- table.
--
-- `baton metrics` and the dashboard's `M` need a few fields of each event in a window.
-- Read from `workflow_events`, every event's row and document is fetched (about 13 µs an
-- event: a second for a busy hour of 76,000 events). This table keeps those fields,
-- extracted once, in time order (`at_ms`: milliseconds since the epoch), so a window is
-- one range of one narrow index whatever order the events were committed in. Triggers
-- keep it, so events written by any program are counted. It never rejects a
-- write: data that is not a JSON object gives NULL fields, a field that is not a string or
-- number gives NULL, an infinite time gives 0 (outside every window). An event that
-- states its duration (`in_phase_secs`, `waited_secs`, as baton's do) keeps no
-- `handoff_id`: metrics pair a handoff with its acknowledgement only to measure a wait no
-- event states.
-- `baton_event_metrics_of` is the one place the fields are extracted; existing events are
-- copied once, here.

CREATE TABLE workflow_event_metrics (
    at_ms         bigint NOT NULL,
    seq           bigint NOT NULL,
    workflow_id   text COLLATE "C" NOT NULL,
    event_type    text NOT NULL,
    from_state    text,
    to_state      text,
    from_role     text,
    to_role       text,
    phase         text,
    "role"        text,
    handoff_id    text,
    in_phase_secs bigint,
    waited_secs   bigint,
    PRIMARY KEY (at_ms, seq)
);

-- PL/pgSQL, not SQL: a SQL function that cannot be inlined is planned again at every call
-- (before PostgreSQL 18), which made each event's trigger cost about 0.3 ms; here the
-- assignments are simple expressions and the copy below takes about 11 µs an event.
CREATE FUNCTION baton_event_metrics_of(e workflow_events) RETURNS workflow_event_metrics
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    d jsonb := CASE WHEN jsonb_typeof(e.event_data) = 'object' THEN e.event_data END;
    m workflow_event_metrics;
BEGIN
    m.at_ms := CASE WHEN isfinite(e.created_at)
        THEN floor(extract(epoch FROM e.created_at) * 1000)::bigint ELSE 0 END;
    m.seq := e.seq;
    m.workflow_id := e.workflow_id;
    m.event_type := e.event_type;
    m.from_state := CASE WHEN jsonb_typeof(d -> 'from') IN ('string', 'number') THEN d ->> 'from' END;
    m.to_state := CASE WHEN jsonb_typeof(d -> 'to') IN ('string', 'number') THEN d ->> 'to' END;
    m.from_role := CASE WHEN jsonb_typeof(d -> 'from_role') IN ('string', 'number')
        THEN d ->> 'from_role' END;
    m.to_role := CASE WHEN jsonb_typeof(d -> 'to_role') IN ('string', 'number')
        THEN d ->> 'to_role' END;
    m.phase := CASE WHEN jsonb_typeof(d -> 'phase') IN ('string', 'number') THEN d ->> 'phase' END;
    m."role" := CASE WHEN jsonb_typeof(d -> 'role') IN ('string', 'number') THEN d ->> 'role' END;
    m.in_phase_secs := CASE WHEN jsonb_typeof(d -> 'in_phase_secs') = 'number'
            AND abs((d ->> 'in_phase_secs')::numeric) < 9e18
        THEN trunc((d ->> 'in_phase_secs')::numeric)::bigint END;
    m.waited_secs := CASE WHEN jsonb_typeof(d -> 'waited_secs') = 'number'
            AND abs((d ->> 'waited_secs')::numeric) < 9e18
        THEN trunc((d ->> 'waited_secs')::numeric)::bigint END;
    m.handoff_id := CASE WHEN jsonb_typeof(d -> 'in_phase_secs') = 'number'
            OR jsonb_typeof(d -> 'waited_secs') = 'number' THEN NULL
        WHEN jsonb_typeof(d -> 'handoff_id') IN ('string', 'number') THEN d ->> 'handoff_id' END;
    RETURN m;
END
$$;

INSERT INTO workflow_event_metrics
    SELECT m.* FROM workflow_events e, LATERAL baton_event_metrics_of(e) AS m;

-- Statement triggers with transition tables: one call for all the rows a statement wrote,
-- so a writer inserting many events at once pays the call once (a row trigger made a
-- bulk insert 1.5 times slower). SECURITY DEFINER: the triggers write with their owner's
-- (the migrating role's) rights, so a writer granted only the contract tables needs no
-- grant on this one; the search path is pinned, as any definer's must be.
CREATE FUNCTION baton_event_metrics_drop() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM workflow_event_metrics m
    USING baton_old_events e, LATERAL baton_event_metrics_of(e) AS o
    WHERE m.at_ms = o.at_ms AND m.seq = o.seq;
    RETURN NULL;
END
$$;

CREATE FUNCTION baton_event_metrics_add() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO workflow_event_metrics
    SELECT m.* FROM baton_new_events e, LATERAL baton_event_metrics_of(e) AS m
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_event_metrics_insert AFTER INSERT ON workflow_events
    REFERENCING NEW TABLE AS baton_new_events
    FOR EACH STATEMENT EXECUTE FUNCTION baton_event_metrics_add();
CREATE TRIGGER trg_event_metrics_delete AFTER DELETE ON workflow_events
    REFERENCING OLD TABLE AS baton_old_events
    FOR EACH STATEMENT EXECUTE FUNCTION baton_event_metrics_drop();
-- An update is a delete of the old rows, then an insert of the new: triggers on one event
-- fire in name order, so `…_update_1_drop` runs before `…_update_2_add` (the other way an
-- update that keeps the time would insert nothing, the key being taken, then delete).
CREATE TRIGGER trg_event_metrics_update_1_drop AFTER UPDATE ON workflow_events
    REFERENCING OLD TABLE AS baton_old_events
    FOR EACH STATEMENT EXECUTE FUNCTION baton_event_metrics_drop();
CREATE TRIGGER trg_event_metrics_update_2_add AFTER UPDATE ON workflow_events
    REFERENCING NEW TABLE AS baton_new_events
    FOR EACH STATEMENT EXECUTE FUNCTION baton_event_metrics_add();
