"""An orchestrator that writes the way the seeds' orchestrators do, on either backend: a
`workflow_started` event on start; on every transition one handoff row and a
`state_advanced` event (not baton's `phase_advanced`); no checkpoints at all; and on some
transitions no `version` bump. baton reads this vocabulary as what it means; `baton doctor`
reports the skipped bookkeeping as warnings. See docs/OUTSIDE_WRITERS.md, "The seeds'
vocabulary"; tests/seed_vocabulary.rs runs this and checks it with the baton binary.

    python3 seed_writer.py sqlite PATH seed       # prints {"a": id, "b": id, "c": id}
    python3 seed_writer.py postgres URL seed

seed-a: discovery -> planning -> coding, version bumped on each transition (version 3).
seed-b: discovery -> planning, version NOT bumped (still 1 after two recorded changes).
seed-c: through every phase and completed, with `completed_at` left NULL.
"""

import datetime
import json
import sqlite3
import sys
import uuid


class Db:
    """The few differences between the backends, in one place."""

    def __init__(self, backend, target):
        self.backend = backend
        if backend == "sqlite":
            self.conn = sqlite3.connect(target, timeout=5, isolation_level=None)
            self.conn.execute("PRAGMA foreign_keys = ON")
        else:
            import psycopg

            self.conn = psycopg.connect(target, autocommit=True)

    def sql(self, text):
        # Statements are written with %s; sqlite3 takes ?.
        return text.replace("%s", "?") if self.backend == "sqlite" else text

    def now(self):
        """A timestamp parameter: RFC 3339 UTC text with ms on SQLite, a datetime on PG."""
        t = datetime.datetime.now(datetime.timezone.utc)
        if self.backend == "sqlite":
            return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return t

    def json(self, value):
        """A JSON parameter: text on SQLite, jsonb on PG."""
        if self.backend == "sqlite":
            return json.dumps(value)
        from psycopg.types.json import Jsonb

        return Jsonb(value)

    def execute(self, text, params=()):
        return self.conn.execute(self.sql(text), params)

    def begin(self):
        self.execute("BEGIN IMMEDIATE" if self.backend == "sqlite" else "BEGIN")

    def commit(self):
        self.execute("COMMIT")


ACTOR = "seed-orchestrator"


def start(db, build_id, project_id):
    wid, t = str(uuid.uuid4()), db.now()
    db.begin()
    db.execute(
        "INSERT INTO build_workflows (id, build_id, project_id, current_state, \"current_role\","
        " created_at, updated_at) VALUES (%s, %s, %s, 'discovery', 'q_assistant', %s, %s)",
        (wid, build_id, project_id, t, t),
    )
    db.execute(
        "INSERT INTO workflow_events (workflow_id, event_type, triggered_by, event_data, created_at)"
        " VALUES (%s, 'workflow_started', %s, %s, %s)",
        (wid, ACTOR, db.json({"project": project_id}), t),
    )
    db.commit()
    return wid


def transition(db, wid, from_state, from_role, to_state, to_role, output, bump):
    """One state change as the seeds write it: no checkpoint, maybe no version bump."""
    t = db.now()
    db.begin()
    outputs = db.execute(
        "SELECT phase_outputs FROM build_workflows WHERE id = %s", (wid,)
    ).fetchone()[0]
    outputs = json.loads(outputs) if isinstance(outputs, str) else dict(outputs)
    outputs[from_state] = output
    db.execute(
        "UPDATE build_workflows SET current_state = %s, \"current_role\" = %s, phase_outputs = %s,"
        " updated_at = %s" + (", version = version + 1" if bump else "") + " WHERE id = %s",
        (to_state, to_role, db.json(outputs), t, wid),
    )
    # The previous handoff is picked up when the next one is made (no event for that).
    db.execute(
        "UPDATE workflow_handoffs SET acknowledged_at = %s, acknowledged_by = %s"
        " WHERE workflow_id = %s AND acknowledged_at IS NULL",
        (t, from_role, wid),
    )
    db.execute(
        "INSERT INTO workflow_handoffs (id, workflow_id, from_role, to_role, from_state, to_state,"
        " data_transferred, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        (str(uuid.uuid4()), wid, from_role, to_role, from_state, to_state, db.json(output), t),
    )
    db.execute(
        "INSERT INTO workflow_events (workflow_id, event_type, triggered_by, event_data, created_at)"
        " VALUES (%s, 'state_advanced', %s, %s, %s)",
        (wid, ACTOR, db.json({"from_state": from_state, "to_state": to_state}), t),
    )
    db.commit()


def complete(db, wid, last_state, output):
    """The end, as the seeds write it: status completed, completed_at left NULL."""
    t = db.now()
    db.begin()
    outputs = db.execute(
        "SELECT phase_outputs FROM build_workflows WHERE id = %s", (wid,)
    ).fetchone()[0]
    outputs = json.loads(outputs) if isinstance(outputs, str) else dict(outputs)
    outputs[last_state] = output
    db.execute(
        "UPDATE build_workflows SET status = 'completed', phase_outputs = %s, updated_at = %s,"
        " version = version + 1 WHERE id = %s",
        (db.json(outputs), t, wid),
    )
    db.execute(
        "INSERT INTO workflow_events (workflow_id, event_type, triggered_by, event_data, created_at)"
        " VALUES (%s, 'workflow_completed', %s, %s, %s)",
        (wid, ACTOR, db.json({"from_state": last_state}), t),
    )
    db.commit()


PHASES = [
    ("discovery", "q_assistant"),
    ("planning", "q_assistant"),
    ("coding", "code_writer"),
    ("testing", "test_auditor"),
    ("review", "verification_specialist"),
    ("release", "release_manager"),
]


def main():
    backend, target, command = sys.argv[1], sys.argv[2], sys.argv[3]
    if backend not in ("sqlite", "postgres") or command != "seed":
        raise SystemExit(__doc__)
    db = Db(backend, target)
    a = start(db, "seed-a", "seedproj")
    transition(db, a, "discovery", "q_assistant", "planning", "q_assistant",
               {"notes": "three services"}, bump=True)
    transition(db, a, "planning", "q_assistant", "coding", "code_writer",
               {"plan": "split the API"}, bump=True)
    b = start(db, "seed-b", "seedproj")
    transition(db, b, "discovery", "q_assistant", "planning", "q_assistant",
               {"notes": "one service"}, bump=False)
    c = start(db, "seed-c", "seedproj")
    for (s1, r1), (s2, r2) in zip(PHASES, PHASES[1:]):
        transition(db, c, s1, r1, s2, r2, {"done": s1}, bump=True)
    complete(db, c, "release", {"done": "release"})
    print(json.dumps({"a": a, "b": b, "c": c}))


if __name__ == "__main__":
    main()
