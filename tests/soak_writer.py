#!/usr/bin/env python3
"""An outside writer for the soak test: plain SQL through Python's sqlite3 module, no
baton code, following docs/OUTSIDE_WRITERS.md. It starts workflows of its own, advances
and acknowledges them, heartbeats, and also advances workflows the simulators drive, always
with a compare-and-swap on `version`. Usage: soak_writer.py DB SECONDS SEED. Prints a JSON
summary of what it did on the last line."""

import datetime
import json
import random
import sqlite3
import sys
import time
import uuid

db, seconds, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
c = sqlite3.connect(db, timeout=5, isolation_level=None)
c.execute("PRAGMA foreign_keys = ON")
stats = {"started": 0, "advanced": 0, "completed": 0, "acknowledged": 0,
         "heartbeats": 0, "conflicts": 0, "busy": 0}


def now():
    t = datetime.datetime.now(datetime.timezone.utc)
    return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def phases(definition):
    row = c.execute("SELECT phases FROM workflow_definitions WHERE name = ?"
                    " ORDER BY version DESC LIMIT 1", (definition,)).fetchone()
    return json.loads(row[0]) if row else []


def event(wid, kind, data, at):
    c.execute("INSERT INTO workflow_events (workflow_id, event_type, triggered_by,"
              " event_data, created_at) VALUES (?, ?, 'orchestrator:py', ?, ?)",
              (wid, kind, json.dumps(data), at))


def start(n):
    first = phases("build")[0]
    wid, t = str(uuid.uuid4()), now()
    c.execute("BEGIN IMMEDIATE")
    try:
        c.execute("INSERT INTO build_workflows (id, build_id, project_id, current_state,"
                  " current_role, created_at, updated_at, state_entered_at)"
                  " VALUES (?, ?, 'py', ?, ?, ?, ?, ?)",
                  (wid, f"py-{seed}-{n}", first["name"], first["role"], t, t, t))
        c.execute("INSERT INTO workflow_checkpoints (workflow_id, state, version, created_at)"
                  " VALUES (?, ?, 1, ?)", (wid, first["name"], t))
        event(wid, "workflow_started", {"phase": first["name"], "version": 1}, t)
        c.execute("COMMIT")
        stats["started"] += 1
    except Exception:
        c.execute("ROLLBACK")
        raise


def advance(own):
    where = "project_id = 'py'" if own else "project_id != 'py'"
    row = c.execute("SELECT id, version, current_state, current_role, definition,"
                    " phase_outputs FROM build_workflows WHERE status = 'running' AND "
                    + where + " ORDER BY random() LIMIT 1").fetchone()
    if not row:
        return
    wid, version, state, role, definition, outputs = row
    ps = phases(definition)
    names = [p["name"] for p in ps]
    if state not in names:
        return
    i = names.index(state)
    outputs = json.loads(outputs)
    outputs[state] = {"by": "python", "at": now()}
    t, v = now(), version + 1
    c.execute("BEGIN IMMEDIATE")
    try:
        if i + 1 == len(ps):
            n = c.execute("UPDATE build_workflows SET status = 'completed', completed_at = ?,"
                          " phase_outputs = ?, version = ?, updated_at = ?"
                          " WHERE id = ? AND version = ?",
                          (t, json.dumps(outputs), v, t, wid, version)).rowcount
            if n == 0:
                c.execute("ROLLBACK")
                stats["conflicts"] += 1
                return
            event(wid, "workflow_completed", {"from": state, "version": v}, t)
            stats["completed"] += 1
        else:
            to = ps[i + 1]
            n = c.execute("UPDATE build_workflows SET current_state = ?, current_role = ?,"
                          " phase_outputs = ?, retry_count = 0, version = ?, updated_at = ?,"
                          " state_entered_at = ? WHERE id = ? AND version = ?",
                          (to["name"], to["role"], json.dumps(outputs), v, t, t, wid,
                           version)).rowcount
            if n == 0:
                c.execute("ROLLBACK")
                stats["conflicts"] += 1
                return
            hid = str(uuid.uuid4())
            c.execute("INSERT INTO workflow_handoffs (id, workflow_id, from_role, to_role,"
                      " from_state, to_state, kind, data_transferred, created_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, 'advance', ?, ?)",
                      (hid, wid, role, to["role"], state, to["name"],
                       json.dumps(outputs[state]), t))
            c.execute("INSERT INTO workflow_checkpoints (workflow_id, state, phase_outputs,"
                      " version, created_at) VALUES (?, ?, ?, ?, ?)",
                      (wid, to["name"], json.dumps(outputs), v, t))
            event(wid, "phase_advanced", {"from": state, "to": to["name"], "handoff_id": hid,
                                          "version": v}, t)
            stats["advanced"] += 1
        c.execute("COMMIT")
    except Exception:
        c.execute("ROLLBACK")
        raise


def acknowledge():
    row = c.execute("SELECT h.id, h.workflow_id, w.version, h.to_role FROM workflow_handoffs h"
                    " JOIN build_workflows w ON w.id = h.workflow_id"
                    " WHERE h.acknowledged_at IS NULL AND w.project_id = 'py'"
                    " AND w.status = 'running' ORDER BY random() LIMIT 1").fetchone()
    if not row:
        return
    hid, wid, version, to_role = row
    t, v = now(), version + 1
    c.execute("BEGIN IMMEDIATE")
    try:
        n = c.execute("UPDATE build_workflows SET version = ?, updated_at = ?"
                      " WHERE id = ? AND version = ?", (v, t, wid, version)).rowcount
        m = c.execute("UPDATE workflow_handoffs SET acknowledged_at = ?, acknowledged_by = ?"
                      " WHERE id = ? AND acknowledged_at IS NULL", (t, to_role, hid)).rowcount
        if n == 0 or m == 0:
            c.execute("ROLLBACK")
            stats["conflicts"] += 1
            return
        event(wid, "handoff_acknowledged", {"handoff_id": hid, "version": v}, t)
        c.execute("COMMIT")
        stats["acknowledged"] += 1
    except Exception:
        c.execute("ROLLBACK")
        raise


def heartbeat():
    c.execute("UPDATE build_workflows SET heartbeat_at = ? WHERE id ="
              " (SELECT id FROM build_workflows WHERE status = 'running'"
              " ORDER BY random() LIMIT 1)", (now(),))
    stats["heartbeats"] += 1


deadline = time.monotonic() + seconds
n = 0
while time.monotonic() < deadline:
    r = rng.random()
    try:
        if r < 0.08:
            n += 1
            start(n)
        elif r < 0.45:
            advance(own=True)
        elif r < 0.6:
            advance(own=False)
        elif r < 0.85:
            acknowledge()
        else:
            heartbeat()
    except sqlite3.OperationalError as e:
        if "locked" not in str(e) and "busy" not in str(e):
            raise
        stats["busy"] += 1
    time.sleep(rng.uniform(0.002, 0.02))
print(json.dumps(stats))
