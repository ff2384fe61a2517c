-- baton workflow database, schema 1.
-- Column names follow what orchestrators in the field already write. Defaults let a plain
-- SQL writer omit ids and timestamps; see README "Writing from another language".

CREATE TABLE workflow_definitions (
    name        TEXT    NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    description TEXT,
    phases      TEXT    NOT NULL,            -- JSON array of {name, role, limits...}
    created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (name, version)
);

CREATE TABLE build_workflows (
    id               TEXT    PRIMARY KEY NOT NULL DEFAULT (lower(hex(randomblob(16)))),
    build_id         TEXT    NOT NULL UNIQUE,
    project_id       TEXT    NOT NULL,
    user_id          TEXT,
    definition       TEXT    NOT NULL DEFAULT 'build',
    current_state    TEXT    NOT NULL,
    current_role     TEXT    NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'running'
                     CHECK (status IN ('running', 'paused', 'failed', 'completed', 'cancelled')),
    phase_outputs    TEXT    NOT NULL DEFAULT '{}',
    retry_count      INTEGER NOT NULL DEFAULT 0 CHECK (retry_count >= 0),
    max_retries      INTEGER NOT NULL DEFAULT 3 CHECK (max_retries >= 0),
    last_error       TEXT,
    version          INTEGER NOT NULL DEFAULT 1,
    metadata         TEXT    NOT NULL DEFAULT '{}',
    created_at       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    completed_at     TEXT,
    heartbeat_at     TEXT,
    state_entered_at TEXT                     -- optional; NULL means "use updated_at"
);

-- list/dashboard: by status, newest change first; "updated since" for change detection.
CREATE INDEX idx_workflows_status_updated ON build_workflows (status, updated_at);
CREATE INDEX idx_workflows_updated        ON build_workflows (updated_at);
CREATE INDEX idx_workflows_heartbeat      ON build_workflows (heartbeat_at);
CREATE INDEX idx_workflows_project        ON build_workflows (project_id, updated_at);
CREATE INDEX idx_workflows_state          ON build_workflows (current_state, updated_at);

CREATE TABLE workflow_handoffs (
    id               TEXT PRIMARY KEY NOT NULL DEFAULT (lower(hex(randomblob(16)))),
    workflow_id      TEXT NOT NULL REFERENCES build_workflows (id) ON DELETE CASCADE,
    from_role        TEXT,
    to_role          TEXT NOT NULL,
    from_state       TEXT,
    to_state         TEXT NOT NULL,
    kind             TEXT NOT NULL DEFAULT 'advance' CHECK (kind IN ('advance', 'rollback', 'retry')),
    data_transferred TEXT NOT NULL DEFAULT '{}',
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    acknowledged_at  TEXT,
    acknowledged_by  TEXT
);

CREATE INDEX idx_handoffs_workflow ON workflow_handoffs (workflow_id, created_at);
-- Pending (unacknowledged) handoffs: what stuck detection reads.
CREATE INDEX idx_handoffs_pending  ON workflow_handoffs (created_at) WHERE acknowledged_at IS NULL;

CREATE TABLE workflow_events (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,   -- cursor for incremental reads
    id           TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(16)))),
    workflow_id  TEXT NOT NULL REFERENCES build_workflows (id) ON DELETE CASCADE,
    event_type   TEXT NOT NULL,
    triggered_by TEXT NOT NULL DEFAULT 'system',
    event_data   TEXT NOT NULL DEFAULT '{}',
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE INDEX idx_events_workflow_seq ON workflow_events (workflow_id, seq);

CREATE TABLE workflow_checkpoints (
    id            TEXT    PRIMARY KEY NOT NULL DEFAULT (lower(hex(randomblob(16)))),
    workflow_id   TEXT    NOT NULL REFERENCES build_workflows (id) ON DELETE CASCADE,
    state         TEXT    NOT NULL,             -- the phase entered
    phase_outputs TEXT    NOT NULL DEFAULT '{}',
    retry_count   INTEGER NOT NULL DEFAULT 0,
    version       INTEGER NOT NULL,             -- the workflow's version after entering
    created_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE INDEX idx_checkpoints_workflow_state ON workflow_checkpoints (workflow_id, state, version);
