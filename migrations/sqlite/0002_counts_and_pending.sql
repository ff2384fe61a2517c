-- baton workflow database, schema 2: bounded reads at any size.
--
-- Status counts are kept in a small table maintained by triggers, so the dashboard's header
-- costs one read of at most a handful of rows however many workflows history holds. The
-- triggers fire for every writer, baton or not, so rows written with plain SQL are counted
-- too. The initial counts are taken once, here.

CREATE TABLE workflow_status_counts (
    status TEXT    PRIMARY KEY NOT NULL,
    n      INTEGER NOT NULL
);

INSERT INTO workflow_status_counts (status, n)
    SELECT status, count(*) FROM build_workflows GROUP BY status;

CREATE TRIGGER trg_status_counts_insert AFTER INSERT ON build_workflows
BEGIN
    INSERT INTO workflow_status_counts (status, n) VALUES (new.status, 1)
        ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER trg_status_counts_delete AFTER DELETE ON build_workflows
BEGIN
    UPDATE workflow_status_counts SET n = n - 1 WHERE status = old.status;
END;

CREATE TRIGGER trg_status_counts_update AFTER UPDATE OF status ON build_workflows
WHEN old.status IS NOT new.status
BEGIN
    UPDATE workflow_status_counts SET n = n - 1 WHERE status = old.status;
    INSERT INTO workflow_status_counts (status, n) VALUES (new.status, 1)
        ON CONFLICT (status) DO UPDATE SET n = n + 1;
END;

-- Pending handoffs by workflow: the dashboard reads the pending handoffs of the live set
-- (and of the workflows that just changed) by probing this index per workflow, so the cost
-- follows the live set, not the unacknowledged handoffs that history has accumulated.
CREATE INDEX idx_handoffs_pending_workflow ON workflow_handoffs (workflow_id, created_at)
    WHERE acknowledged_at IS NULL;
