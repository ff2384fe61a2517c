-- baton workflow database on PostgreSQL, schema 7: metrics read a window, not the events
-- table.
--
-- `baton metrics` and the dashboard's `M` need a few fields of each event in a window.
-- Read from `workflow_events`, every event's row and document is fetched (about 13 µs an
-- event: a second for a busy hour of 76,000 events). This table keeps those fields,
-- extracted once, in time order (`at_ms`: milliseconds since the epoch), so a window is
-- one range of one narrow index whatever order the events were committed in. A row
-- trigger keeps it, so events written by any program are counted. It never rejects a
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

CREATE FUNCTION baton_event_metrics_of(e workflow_events) RETURNS workflow_event_metrics
LANGUAGE sql IMMUTABLE AS $$
    SELECT
        CASE WHEN isfinite(e.created_at)
            THEN floor(extract(epoch FROM e.created_at) * 1000)::bigint ELSE 0 END,
        e.seq, e.workflow_id, e.event_type,
        CASE WHEN jsonb_typeof(d -> 'from') IN ('string', 'number') THEN d ->> 'from' END,
        CASE WHEN jsonb_typeof(d -> 'to') IN ('string', 'number') THEN d ->> 'to' END,
        CASE WHEN jsonb_typeof(d -> 'from_role') IN ('string', 'number') THEN d ->> 'from_role' END,
        CASE WHEN jsonb_typeof(d -> 'to_role') IN ('string', 'number') THEN d ->> 'to_role' END,
        CASE WHEN jsonb_typeof(d -> 'phase') IN ('string', 'number') THEN d ->> 'phase' END,
        CASE WHEN jsonb_typeof(d -> 'role') IN ('string', 'number') THEN d ->> 'role' END,
        CASE WHEN jsonb_typeof(d -> 'in_phase_secs') = 'number'
                OR jsonb_typeof(d -> 'waited_secs') = 'number' THEN NULL
            WHEN jsonb_typeof(d -> 'handoff_id') IN ('string', 'number') THEN d ->> 'handoff_id' END,
        CASE WHEN jsonb_typeof(d -> 'in_phase_secs') = 'number'
                AND abs((d ->> 'in_phase_secs')::numeric) < 9e18
            THEN trunc((d ->> 'in_phase_secs')::numeric)::bigint END,
        CASE WHEN jsonb_typeof(d -> 'waited_secs') = 'number'
                AND abs((d ->> 'waited_secs')::numeric) < 9e18
            THEN trunc((d ->> 'waited_secs')::numeric)::bigint END
    FROM (SELECT CASE WHEN jsonb_typeof(e.event_data) = 'object' THEN e.event_data END AS d) AS doc
$$;

INSERT INTO workflow_event_metrics
    SELECT m.* FROM workflow_events e, LATERAL baton_event_metrics_of(e) AS m;

-- SECURITY DEFINER: the trigger writes with its owner's (the migrating role's) rights, so
-- a writer granted only the contract tables needs no grant on this one.
CREATE FUNCTION baton_event_metrics_keep() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM workflow_event_metrics m
        USING baton_event_metrics_of(OLD) AS o
        WHERE m.at_ms = o.at_ms AND m.seq = o.seq;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO workflow_event_metrics SELECT * FROM baton_event_metrics_of(NEW)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_event_metrics AFTER INSERT OR UPDATE OR DELETE ON workflow_events
    FOR EACH ROW EXECUTE FUNCTION baton_event_metrics_keep();
