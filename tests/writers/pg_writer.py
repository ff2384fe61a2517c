"""An orchestrator written in Python that keeps its workflows in baton's PostgreSQL tables
with plain SQL through psycopg 3 — no baton code. It follows docs/OUTSIDE_WRITERS.md; the
test tests/outside_writers_pg.rs runs it and checks the result with the baton binary.

    python3 pg_writer.py URL seed                   # two workflows; prints {"min": id, "mid": id}
    python3 pg_writer.py URL advance ID VERSION     # one advance if still at VERSION;
                                                    # prints {"result": "ok"|"conflict", "version": n}
    python3 pg_writer.py URL heartbeat ID

Every statement quotes "current_role": it is a reserved word in PostgreSQL (unquoted, it
is the name of the current role, e.g. 'postgres', not the column).
"""

import json
import sys

import psycopg
from psycopg.types.json import Jsonb

ACTOR = "orchestrator:py"


def phases_of(cur, definition):
    """The phases of the newest version of a definition: [{"name", "role", ...}, ...]."""
    row = cur.execute(
        "SELECT phases FROM workflow_definitions WHERE name = %s"
        " ORDER BY version DESC LIMIT 1",
        (definition,),
    ).fetchone()
    if row is None:
        raise SystemExit(f"no definition named {definition!r}")
    return row[0]  # jsonb arrives as Python objects


def start_minimal(conn, build_id, project_id):
    """The least a writer must write: the four required columns, and its event."""
    with conn.transaction():
        wid = conn.execute(
            'INSERT INTO build_workflows (build_id, project_id, current_state, "current_role")'
            " VALUES (%s, %s, 'discovery', 'q_assistant') RETURNING id",
            (build_id, project_id),
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO workflow_events (workflow_id, event_type)"
            " VALUES (%s, 'workflow_started')",
            (wid,),
        )
    return wid


def start(conn, build_id, project_id, user_id, metadata):
    """A start as baton itself writes one: the row, a checkpoint of the first phase, the event."""
    with conn.transaction():
        cur = conn.cursor()
        first = phases_of(cur, "build")[0]
        wid = cur.execute(
            "INSERT INTO build_workflows (build_id, project_id, user_id, definition,"
            ' current_state, "current_role", metadata, state_entered_at)'
            " VALUES (%s, %s, %s, 'build', %s, %s, %s, now()) RETURNING id",
            (build_id, project_id, user_id, first["name"], first["role"], Jsonb(metadata)),
        ).fetchone()[0]
        cur.execute(
            "INSERT INTO workflow_checkpoints (workflow_id, state, version) VALUES (%s, %s, 1)",
            (wid, first["name"]),
        )
        cur.execute(
            "INSERT INTO workflow_events (workflow_id, event_type, triggered_by, event_data)"
            " VALUES (%s, 'workflow_started', %s, %s)",
            (wid, ACTOR, Jsonb({"definition": "build", "phase": first["name"], "role": first["role"]})),
        )
    return wid


def advance(conn, wid, expected_version, output):
    """One advance, if the workflow is still at the version this orchestrator last saw.

    Lock the row (SELECT ... FOR UPDATE), compare the version, write everything, commit.
    Returns ("ok", new_version) or ("conflict", current_version)."""
    with conn.transaction():
        cur = conn.cursor()
        row = cur.execute(
            'SELECT version, status, definition, current_state, "current_role", phase_outputs'
            " FROM build_workflows WHERE id = %s FOR UPDATE",
            (wid,),
        ).fetchone()
        if row is None:
            raise SystemExit(f"no workflow {wid}")
        version, status, definition, state, role, outputs = row
        if version != expected_version or status != "running":
            return "conflict", version  # someone (an operator with baton) changed it: re-read
        phases = phases_of(cur, definition)
        names = [p["name"] for p in phases]
        i = names.index(state)
        outputs = dict(outputs)
        outputs[state] = output
        if i + 1 == len(phases):
            cur.execute(
                "UPDATE build_workflows SET status = 'completed', completed_at = now(),"
                " phase_outputs = %s, version = version + 1, updated_at = now()"
                " WHERE id = %s AND version = %s",
                (Jsonb(outputs), wid, version),
            )
            cur.execute(
                "INSERT INTO workflow_events (workflow_id, event_type, triggered_by, event_data)"
                " VALUES (%s, 'workflow_completed', %s, %s)",
                (wid, ACTOR, Jsonb({"from": state, "output": output})),
            )
            return "ok", version + 1
        to = phases[i + 1]
        cur.execute(
            'UPDATE build_workflows SET current_state = %s, "current_role" = %s,'
            " phase_outputs = %s, retry_count = 0, version = version + 1,"
            " updated_at = now(), state_entered_at = now()"
            " WHERE id = %s AND version = %s",
            (to["name"], to["role"], Jsonb(outputs), wid, version),
        )
        hid = cur.execute(
            "INSERT INTO workflow_handoffs (workflow_id, from_role, to_role, from_state, to_state,"
            " kind, data_transferred) VALUES (%s, %s, %s, %s, %s, 'advance', %s) RETURNING id",
            (wid, role, to["role"], state, to["name"], Jsonb(output)),
        ).fetchone()[0]
        cur.execute(
            "INSERT INTO workflow_checkpoints (workflow_id, state, phase_outputs, retry_count, version)"
            " VALUES (%s, %s, %s, 0, %s)",
            (wid, to["name"], Jsonb(outputs), version + 1),
        )
        cur.execute(
            "INSERT INTO workflow_events (workflow_id, event_type, triggered_by, event_data)"
            " VALUES (%s, 'phase_advanced', %s, %s)",
            (wid, ACTOR, Jsonb({"from": state, "to": to["name"], "from_role": role,
                                "to_role": to["role"], "handoff_id": hid})),
        )
    return "ok", version + 1


def heartbeat(conn, wid):
    """A sign of life: heartbeat_at only; no version bump, no event."""
    with conn.transaction():
        conn.execute("UPDATE build_workflows SET heartbeat_at = now() WHERE id = %s", (wid,))


def main():
    url, command, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    with psycopg.connect(url, autocommit=True) as conn:  # transactions are explicit
        if command == "seed":
            wmin = start_minimal(conn, "py-min", "pyproj")
            wmid = start(conn, "py-mid", "pyproj", "carol", {"source": "python"})
            result = advance(conn, wmid, 1, {"found": 3})
            assert result == ("ok", 2), result
            print(json.dumps({"min": wmin, "mid": wmid}))
        elif command == "advance":
            result, version = advance(conn, args[0], int(args[1]), {"by": "python"})
            print(json.dumps({"result": result, "version": version}))
        elif command == "heartbeat":
            heartbeat(conn, args[0])
        else:
            raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()
