-- baton workflow database on PostgreSQL, schema 4: changes are pushed to readers.
--
-- Every statement that writes a contract table notifies the channel `baton_changes`, so a
-- dashboard listening there wakes within a frame of any program's commit, with no
-- cooperation from the writer. The notification says only "look again": the reader reads
-- what changed itself. One per statement, not per row, and PostgreSQL folds identical
-- notifications of one transaction into one, so a writer pays for at most one per
-- transaction. That one is not free: PostgreSQL commits notifying transactions one at a
-- time, server-wide, so many concurrent small writers lose throughput (measured in
-- docs/PERFORMANCE.md). A database whose writers cannot afford it turns notifications off
-- with `ALTER DATABASE … SET baton.notify = off`; dashboards then poll, and say so.

CREATE FUNCTION baton_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('baton.notify', true) IS DISTINCT FROM 'off' THEN
        PERFORM pg_notify('baton_changes', '');
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_notify_workflows AFTER INSERT OR UPDATE OR DELETE ON build_workflows
    FOR EACH STATEMENT EXECUTE FUNCTION baton_notify();

CREATE TRIGGER trg_notify_handoffs AFTER INSERT OR UPDATE OR DELETE ON workflow_handoffs
    FOR EACH STATEMENT EXECUTE FUNCTION baton_notify();

CREATE TRIGGER trg_notify_events AFTER INSERT OR UPDATE OR DELETE ON workflow_events
    FOR EACH STATEMENT EXECUTE FUNCTION baton_notify();

CREATE TRIGGER trg_notify_checkpoints AFTER INSERT OR UPDATE OR DELETE ON workflow_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION baton_notify();

CREATE TRIGGER trg_notify_definitions AFTER INSERT OR UPDATE OR DELETE ON workflow_definitions
    FOR EACH STATEMENT EXECUTE FUNCTION baton_notify();
