-- baton workflow database on PostgreSQL, schema 2: bounded reads at any size.
--
-- Status counts are kept by triggers, so the dashboard's header reads a handful of rows
-- however large history is, and rows written by any program are counted. Unlike SQLite,
-- PostgreSQL writers run concurrently: one counter row per status would be a lock every
-- writer that starts or finishes a workflow queues on until it commits. So each status
-- has 16 shards, picked by the writing session's backend pid; readers add them up.

CREATE TABLE workflow_status_counts (
    status text    NOT NULL,
    shard  integer NOT NULL,
    n      bigint  NOT NULL,
    PRIMARY KEY (status, shard)
);

INSERT INTO workflow_status_counts (status, shard, n)
    SELECT status, 0, count(*) FROM build_workflows GROUP BY status;

CREATE FUNCTION baton_count_status() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s integer := pg_backend_pid() % 16;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO workflow_status_counts AS c (status, shard, n) VALUES (OLD.status, s, -1)
            ON CONFLICT (status, shard) DO UPDATE SET n = c.n - 1;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO workflow_status_counts AS c (status, shard, n) VALUES (NEW.status, s, 1)
            ON CONFLICT (status, shard) DO UPDATE SET n = c.n + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_status_counts_insert AFTER INSERT ON build_workflows
    FOR EACH ROW EXECUTE FUNCTION baton_count_status();

CREATE TRIGGER trg_status_counts_delete AFTER DELETE ON build_workflows
    FOR EACH ROW EXECUTE FUNCTION baton_count_status();

CREATE TRIGGER trg_status_counts_update AFTER UPDATE OF status ON build_workflows
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION baton_count_status();

-- Pending handoffs by workflow: the dashboard reads the pending handoffs of the live set
-- (and of the workflows that just changed) by probing this index per workflow.
CREATE INDEX idx_handoffs_pending_workflow ON workflow_handoffs (workflow_id, created_at)
    WHERE acknowledged_at IS NULL;
