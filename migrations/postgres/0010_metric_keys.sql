-- baton workflow database on PostgreSQL, schema 10: the metrics projection holds numbers,
-- not names.
--
-- Each `workflow_event_metrics` row repeated the workflow's 36-character id and six or seven
-- names (the event type, phases, roles) that a whole database spells a few dozen ways: about
-- 190 bytes an event, and every name decoded and hashed again by `baton metrics` for every
-- event of a window. The names now live once in `baton_names`, the workflows' ids once in
-- `baton_workflow_keys` (a row goes with its workflow), and a metrics row holds their
-- numbers. The extraction rules are schema 7's, unchanged, in `baton_event_metrics_of`,
-- which now returns the fields as text in a type of their own. The triggers never reject a
-- write: a name is numbered the first time it is seen (only a name not held yet is
-- inserted, so numbers are not used up by every event), and the metrics row is written by a
-- later statement, which under READ COMMITTED sees a name another writer numbered
-- meanwhile. (A writer in REPEATABLE READ that meets a name another transaction is
-- numbering at that moment gets a serialization failure, which such a writer retries.)

DROP TRIGGER trg_event_metrics_insert ON workflow_events;
DROP TRIGGER trg_event_metrics_delete ON workflow_events;
DROP TRIGGER trg_event_metrics_update_1_drop ON workflow_events;
DROP TRIGGER trg_event_metrics_update_2_add ON workflow_events;
DROP FUNCTION baton_event_metrics_add();
DROP FUNCTION baton_event_metrics_drop();
DROP FUNCTION baton_event_metrics_of(workflow_events);
ALTER TABLE workflow_event_metrics RENAME TO baton_event_metrics_before_10;
ALTER TABLE baton_event_metrics_before_10
    RENAME CONSTRAINT workflow_event_metrics_pkey TO baton_event_metrics_before_10_pkey;

CREATE TABLE baton_names (
    id   integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text COLLATE "C" NOT NULL UNIQUE
);

CREATE TABLE baton_workflow_keys (
    key bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id  text COLLATE "C" NOT NULL UNIQUE
);

-- The eight-byte columns first, the text last: no padding between them.
CREATE TABLE workflow_event_metrics (
    at_ms         bigint NOT NULL,
    seq           bigint NOT NULL,
    workflow_key  bigint,            -- baton_workflow_keys.key
    in_phase_secs bigint,
    waited_secs   bigint,
    type_key      integer,           -- baton_names.id, as are the other *_key columns
    from_key      integer,
    to_key        integer,
    from_role_key integer,
    to_role_key   integer,
    phase_key     integer,
    role_key      integer,
    handoff_id    text,
    PRIMARY KEY (at_ms, seq)
);

CREATE TYPE baton_event_metric_fields AS (
    at_ms         bigint,
    seq           bigint,
    workflow_id   text COLLATE "C",
    event_type    text,
    from_state    text,
    to_state      text,
    from_role     text,
    to_role       text,
    phase         text,
    "role"        text,
    handoff_id    text,
    in_phase_secs bigint,
    waited_secs   bigint
);

-- Schema 7's body, returning the type above.
CREATE FUNCTION baton_event_metrics_of(e workflow_events) RETURNS baton_event_metric_fields
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    d jsonb := CASE WHEN jsonb_typeof(e.event_data) = 'object' THEN e.event_data END;
    m baton_event_metric_fields;
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

-- What is already held, copied once, in time order: a window is then read from
-- neighbouring heap pages (new rows arrive about in time order anyway).
INSERT INTO baton_names (name)
    SELECT DISTINCT v FROM baton_event_metrics_before_10 b,
        LATERAL (VALUES (b.event_type), (b.from_state), (b.to_state), (b.from_role),
                        (b.to_role), (b.phase), (b."role")) AS n (v)
    WHERE v IS NOT NULL;
INSERT INTO baton_workflow_keys (id)
    SELECT DISTINCT workflow_id FROM baton_event_metrics_before_10;
INSERT INTO workflow_event_metrics (at_ms, seq, workflow_key, in_phase_secs, waited_secs,
        type_key, from_key, to_key, from_role_key, to_role_key, phase_key, role_key, handoff_id)
    SELECT b.at_ms, b.seq, k.key, b.in_phase_secs, b.waited_secs,
           t.id, f.id, o.id, fr.id, tr.id, p.id, r.id, b.handoff_id
    FROM baton_event_metrics_before_10 b
    LEFT JOIN baton_workflow_keys k ON k.id = b.workflow_id
    LEFT JOIN baton_names t ON t.name = b.event_type
    LEFT JOIN baton_names f ON f.name = b.from_state
    LEFT JOIN baton_names o ON o.name = b.to_state
    LEFT JOIN baton_names fr ON fr.name = b.from_role
    LEFT JOIN baton_names tr ON tr.name = b.to_role
    LEFT JOIN baton_names p ON p.name = b.phase
    LEFT JOIN baton_names r ON r.name = b."role"
    ORDER BY b.at_ms, b.seq;
DROP TABLE baton_event_metrics_before_10;

-- Statement triggers with transition tables, as in schema 7: one call for all the rows a
-- statement wrote. SECURITY DEFINER: writers granted only the contract tables need no
-- grant on these; the search path is pinned, as any definer's must be.
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
    INSERT INTO baton_names (name)
    SELECT DISTINCT v FROM baton_new_events e, LATERAL baton_event_metrics_of(e) AS m,
        LATERAL (VALUES (m.event_type), (m.from_state), (m.to_state), (m.from_role),
                        (m.to_role), (m.phase), (m."role")) AS n (v)
    WHERE v IS NOT NULL AND NOT EXISTS (SELECT 1 FROM baton_names h WHERE h.name = v)
    ON CONFLICT DO NOTHING;
    INSERT INTO baton_workflow_keys (id)
    SELECT DISTINCT e.workflow_id FROM baton_new_events e
    WHERE NOT EXISTS (SELECT 1 FROM baton_workflow_keys k WHERE k.id = e.workflow_id)
    ON CONFLICT DO NOTHING;
    INSERT INTO workflow_event_metrics (at_ms, seq, workflow_key, in_phase_secs, waited_secs,
        type_key, from_key, to_key, from_role_key, to_role_key, phase_key, role_key, handoff_id)
    SELECT m.at_ms, m.seq,
        (SELECT key FROM baton_workflow_keys WHERE id = m.workflow_id),
        m.in_phase_secs, m.waited_secs,
        (SELECT id FROM baton_names WHERE name = m.event_type),
        (SELECT id FROM baton_names WHERE name = m.from_state),
        (SELECT id FROM baton_names WHERE name = m.to_state),
        (SELECT id FROM baton_names WHERE name = m.from_role),
        (SELECT id FROM baton_names WHERE name = m.to_role),
        (SELECT id FROM baton_names WHERE name = m.phase),
        (SELECT id FROM baton_names WHERE name = m."role"),
        m.handoff_id
    FROM baton_new_events e, LATERAL baton_event_metrics_of(e) AS m
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
-- An update is a delete of the old rows, then an insert of the new, in name order.
CREATE TRIGGER trg_event_metrics_update_1_drop AFTER UPDATE ON workflow_events
    REFERENCING OLD TABLE AS baton_old_events
    FOR EACH STATEMENT EXECUTE FUNCTION baton_event_metrics_drop();
CREATE TRIGGER trg_event_metrics_update_2_add AFTER UPDATE ON workflow_events
    REFERENCING NEW TABLE AS baton_new_events
    FOR EACH STATEMENT EXECUTE FUNCTION baton_event_metrics_add();

-- A workflow's number goes with it.
CREATE FUNCTION baton_workflow_keys_drop() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM baton_workflow_keys k USING baton_old_workflows o WHERE k.id = o.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_workflow_keys_delete AFTER DELETE ON build_workflows
    REFERENCING OLD TABLE AS baton_old_workflows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_workflow_keys_drop();
