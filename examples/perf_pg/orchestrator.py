#!/usr/bin/env python3
"""A seed-style outside orchestrator writing baton's PostgreSQL tables with SQLAlchemy Core,
the way docs/OUTSIDE_WRITERS.md describes: start a workflow (workflow row, first checkpoint,
`workflow_started` event) in one transaction, then for each phase one transaction that
SELECTs the row FOR UPDATE, UPDATEs it (version checked), INSERTs a handoff, a checkpoint
and a `phase_advanced` event (the last phase: `workflow_completed`, no handoff or
checkpoint). One connection, one workflow after another, as fast as the server allows.

    python3 examples/perf_pg/orchestrator.py --db postgresql+psycopg://postgres@127.0.0.1/perf_orch --seconds 10

Prints one JSON line: transactions (ops), elapsed seconds, ops/s. `--driver psycopg` runs
the same SQL through psycopg directly (no SQLAlchemy), for comparison.
Needs `pip install sqlalchemy 'psycopg[binary]'`.
"""

import argparse
import json
import time
import uuid
from datetime import datetime, timezone

ACTOR = "orchestrator:py"


def now():
    return datetime.now(timezone.utc)


def phases_of(rows):
    return [(p["name"], p["role"]) for p in rows]


def run_sqlalchemy(url, seconds):
    from sqlalchemy import MetaData, Table, create_engine, insert, select, update

    engine = create_engine(url)
    md = MetaData()
    wf = Table("build_workflows", md, autoload_with=engine)
    ho = Table("workflow_handoffs", md, autoload_with=engine)
    cp = Table("workflow_checkpoints", md, autoload_with=engine)
    ev = Table("workflow_events", md, autoload_with=engine)
    defs = Table("workflow_definitions", md, autoload_with=engine)
    with engine.connect() as conn:
        phases = phases_of(
            conn.execute(
                select(defs.c.phases).where(defs.c.name == "build").order_by(defs.c.version.desc()).limit(1)
            ).scalar_one()
        )
    ops = 0
    n = 0
    began = time.perf_counter()
    deadline = began + seconds
    with engine.connect() as conn:
        while time.perf_counter() < deadline:
            n += 1
            wid = str(uuid.uuid4())
            first, role = phases[0]
            with conn.begin():
                t = now()
                conn.execute(insert(wf).values(
                    id=wid, build_id=f"py-{wid}", project_id="atlas", user_id="alice",
                    definition="build", current_state=first, current_role=role,
                    status="running", version=1, created_at=t, updated_at=t,
                    state_entered_at=t,
                    metadata={"trigger": "push", "branch": "main", "commit": "abc1234"}))
                conn.execute(insert(cp).values(
                    id=str(uuid.uuid4()), workflow_id=wid, state=first, phase_outputs={},
                    retry_count=0, version=1, created_at=t))
                conn.execute(insert(ev).values(
                    id=str(uuid.uuid4()), workflow_id=wid, event_type="workflow_started",
                    triggered_by=ACTOR, event_data={"definition": "build", "phase": first}, created_at=t))
            ops += 1
            for i, (state, role) in enumerate(phases):
                with conn.begin():
                    row = conn.execute(
                        select(wf.c.version, wf.c.current_state, wf.c.phase_outputs)
                        .where(wf.c.id == wid).with_for_update()
                    ).one()
                    t = now()
                    outputs = dict(row.phase_outputs)
                    outputs[state] = {"tests_run": 412, "passed": 410, "coverage": 0.83}
                    last = i + 1 == len(phases)
                    values = dict(version=row.version + 1, updated_at=t, phase_outputs=outputs)
                    if last:
                        values.update(status="completed", completed_at=t)
                    else:
                        nxt, nrole = phases[i + 1]
                        values.update(current_state=nxt, current_role=nrole, state_entered_at=t)
                    res = conn.execute(
                        update(wf).where(wf.c.id == wid, wf.c.version == row.version).values(**values))
                    assert res.rowcount == 1
                    if not last:
                        conn.execute(insert(ho).values(
                            id=str(uuid.uuid4()), workflow_id=wid, from_role=role, to_role=nrole,
                            from_state=state, to_state=nxt, kind="advance",
                            data_transferred=outputs[state], created_at=t))
                        conn.execute(insert(cp).values(
                            id=str(uuid.uuid4()), workflow_id=wid, state=nxt,
                            phase_outputs=outputs, retry_count=0, version=row.version + 1,
                            created_at=t))
                    conn.execute(insert(ev).values(
                        id=str(uuid.uuid4()), workflow_id=wid,
                        event_type="workflow_completed" if last else "phase_advanced",
                        triggered_by=ACTOR,
                        event_data={"from": state, "to": None if last else nxt,
                                    "version": row.version + 1},
                        created_at=t))
                ops += 1
    return ops, n, time.perf_counter() - began


def run_psycopg(url, seconds):
    import psycopg
    from psycopg.types.json import Jsonb

    url = url.replace("postgresql+psycopg://", "postgresql://")
    # autocommit: each `transaction()` block is then a real BEGIN … COMMIT (without it, the
    # first statement opens a transaction and every block becomes a savepoint inside it).
    with psycopg.connect(url, autocommit=True) as conn:
        phases = phases_of(conn.execute(
            "SELECT phases FROM workflow_definitions WHERE name = 'build' ORDER BY version DESC LIMIT 1"
        ).fetchone()[0])
        ops = 0
        n = 0
        began = time.perf_counter()
        deadline = began + seconds
        while time.perf_counter() < deadline:
            n += 1
            wid = str(uuid.uuid4())
            first, role = phases[0]
            with conn.transaction():
                t = now()
                conn.execute(
                    "INSERT INTO build_workflows (id, build_id, project_id, user_id, definition,"
                    " current_state, \"current_role\", status, version, created_at, updated_at,"
                    " state_entered_at, metadata) VALUES (%s,%s,'atlas','alice','build',%s,%s,"
                    "'running',1,%s,%s,%s,%s)",
                    (wid, f"py-{wid}", first, role, t, t, t,
                     Jsonb({"trigger": "push", "branch": "main", "commit": "abc1234"})))
                conn.execute(
                    "INSERT INTO workflow_checkpoints (id, workflow_id, state, phase_outputs,"
                    " retry_count, version, created_at) VALUES (%s,%s,%s,'{}',0,1,%s)",
                    (str(uuid.uuid4()), wid, first, t))
                conn.execute(
                    "INSERT INTO workflow_events (id, workflow_id, event_type, triggered_by,"
                    " event_data, created_at) VALUES (%s,%s,'workflow_started',%s,%s,%s)",
                    (str(uuid.uuid4()), wid, ACTOR, Jsonb({"definition": "build", "phase": first}), t))
            ops += 1
            for i, (state, role) in enumerate(phases):
                with conn.transaction():
                    version, outputs = conn.execute(
                        "SELECT version, phase_outputs FROM build_workflows WHERE id = %s FOR UPDATE",
                        (wid,)).fetchone()
                    t = now()
                    outputs[state] = {"tests_run": 412, "passed": 410, "coverage": 0.83}
                    last = i + 1 == len(phases)
                    if last:
                        cur = conn.execute(
                            "UPDATE build_workflows SET version = %s, updated_at = %s,"
                            " phase_outputs = %s, status = 'completed', completed_at = %s"
                            " WHERE id = %s AND version = %s",
                            (version + 1, t, Jsonb(outputs), t, wid, version))
                    else:
                        nxt, nrole = phases[i + 1]
                        cur = conn.execute(
                            "UPDATE build_workflows SET version = %s, updated_at = %s,"
                            " phase_outputs = %s, current_state = %s, \"current_role\" = %s,"
                            " state_entered_at = %s WHERE id = %s AND version = %s",
                            (version + 1, t, Jsonb(outputs), nxt, nrole, t, wid, version))
                    assert cur.rowcount == 1
                    if not last:
                        conn.execute(
                            "INSERT INTO workflow_handoffs (id, workflow_id, from_role, to_role,"
                            " from_state, to_state, kind, data_transferred, created_at)"
                            " VALUES (%s,%s,%s,%s,%s,%s,'advance',%s,%s)",
                            (str(uuid.uuid4()), wid, role, nrole, state, nxt, Jsonb(outputs[state]), t))
                        conn.execute(
                            "INSERT INTO workflow_checkpoints (id, workflow_id, state, phase_outputs,"
                            " retry_count, version, created_at) VALUES (%s,%s,%s,%s,0,%s,%s)",
                            (str(uuid.uuid4()), wid, nxt, Jsonb(outputs), version + 1, t))
                    conn.execute(
                        "INSERT INTO workflow_events (id, workflow_id, event_type, triggered_by,"
                        " event_data, created_at) VALUES (%s,%s,%s,%s,%s,%s)",
                        (str(uuid.uuid4()), wid, "workflow_completed" if last else "phase_advanced",
                         ACTOR, Jsonb({"from": state, "to": None if last else nxt,
                                       "version": version + 1}), t))
                ops += 1
    return ops, n, time.perf_counter() - began


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True, help="postgresql+psycopg://user@host/db")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--driver", choices=["sqlalchemy", "psycopg"], default="sqlalchemy")
    a = ap.parse_args()
    run = run_sqlalchemy if a.driver == "sqlalchemy" else run_psycopg
    ops, n, secs = run(a.db, a.seconds)
    print(json.dumps({"driver": a.driver, "ops": ops, "workflows": n,
                      "elapsed_secs": round(secs, 3), "ops_per_sec": round(ops / secs, 1)}))


if __name__ == "__main__":
    main()
