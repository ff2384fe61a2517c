-- baton workflow database on PostgreSQL, schema 3: an event feed in commit order.
--
-- On PostgreSQL a transaction can take seq 10 and commit after another took 11 and
-- committed, so a reader asking only for seq > last would skip 10 for ever. Each event
-- records the transaction that wrote it (filled by default: writers need not know); a
-- reader remembers which transactions were still running when it read, and asks for
-- their events again until they finish. SQLite commits one writer at a time, so seq order
-- is commit order there and its schema needs nothing.

ALTER TABLE workflow_events ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();

CREATE INDEX idx_events_tx ON workflow_events (tx);
