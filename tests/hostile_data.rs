//! Hostile data from other writers: every column of every table filled with what a
//! careless or malicious program could put there — with CHECK constraints and foreign keys
//! switched off. Every CLI command keeps working and prints nothing that could steer the
//! terminal; actions refuse what they cannot do and never rewrite what they did not change;
//! `baton doctor` names each problem row; the dashboard shows it all as inert text.

mod common;

use baton::model::text::is_unsafe;
use common::backend::*;
use common::cli::Run;
use common::pty::Pty;
use rusqlite::{Connection, params};
use std::time::Duration;

/// Escape sequences (clear screen, window title, colours via 8-bit CSI), bidi overrides,
/// the Arabic letter mark, invisible tag characters, BEL, backspace, CR, NUL.
const EVIL: &str =
    "ev\x1b[2J\x1b[H\x1b]0;pwned\x07il\u{9b}31m\u{202e}gnp\u{61c}\u{e0041}\u{200b}\x08\r\0end";
const HUGE: usize = 10 * 1024 * 1024;

/// Hostile rows of the kind each backend can hold.
fn hostile(db: &TestDb) {
    match db.backend {
        Backend::Sqlite => hostile_sqlite(db),
        Backend::Postgres => hostile_pg(db),
    }
}

/// What PostgreSQL lets another writer store: its types, jsonb and CHECK constraints
/// refuse bad JSON, BLOBs, text in numbers, NUL, unknown statuses and kinds, so those stay
/// SQLite's; foreign keys are skipped for the orphans (session_replication_role).
fn hostile_pg(db: &TestDb) {
    let evil = EVIL.replace('\0', "");
    let evil = evil.as_str();
    let mut c = db.raw();
    let huge_json = format!(r#"{{"blob": "{}"}}"#, "x".repeat(HUGE));
    let wf = |c: &mut Raw, id: &str, set: &str| {
        c.execute(
            "INSERT INTO build_workflows (id, build_id, project_id, current_state, \"current_role\")
             VALUES ($1, $1, 'hostile', 'discovery', 'q_assistant')",
            &[&id],
        );
        c.execute(
            "INSERT INTO workflow_events (workflow_id, event_type) VALUES ($1, 'workflow_started')",
            &[&id],
        );
        if !set.is_empty() {
            c.execute(
                &format!("UPDATE build_workflows SET {set} WHERE id = $1"),
                &[&id],
            );
        }
    };
    wf(
        &mut c,
        "h-phase",
        "current_state = 'nowhere', \"current_role\" = 'nobody'",
    );
    wf(&mut c, "h-def", "definition = 'ghost-definition'");
    wf(
        &mut c,
        "h-json",
        "phase_outputs = '\"just a string\"', metadata = '[1, 2]'",
    );
    wf(&mut c, "h-huge", "");
    c.execute(
        "UPDATE build_workflows SET phase_outputs = $1, last_error = $2 WHERE id = 'h-huge'",
        &[&huge_json, &"e".repeat(1024 * 1024)],
    );
    wf(
        &mut c,
        "h-max",
        "max_retries = 2147483647, version = 9223372036854775807",
    );
    wf(
        &mut c,
        "h-time",
        "created_at = '-infinity', updated_at = '2999-01-01T00:00:00.000Z',
         state_entered_at = 'epoch', heartbeat_at = 'infinity'",
    );
    wf(&mut c, "h-evil", "");
    c.execute(
        "UPDATE build_workflows SET project_id = $1, \"current_role\" = $1, user_id = $1,
         last_error = $1, current_state = $1 WHERE id = 'h-evil'",
        &[&evil],
    );
    wf(&mut c, "h-limits", "definition = 'limits'");
    c.execute(
        "INSERT INTO workflow_definitions (name, version, phases) VALUES
         ('broken', 1, '{\"oops\": 1}'), ('empty', 1, '[]'),
         ('limits', 1, '[{\"name\": \"discovery\", \"role\": \"q_assistant\",
            \"stuck_after_secs\": 9223372036854775807,
            \"handoff_timeout_secs\": -9223372036854775808}, {\"name\": \"next\", \"role\": \"r\"}]'),
         ($1, 1, '[{\"name\": \"p\", \"role\": \"r\"}]')",
        &[&evil],
    );
    let handoff = |c: &mut Raw, id: &str, wid: &str, extra: &str| {
        c.execute(
            "INSERT INTO workflow_handoffs (id, workflow_id, to_role, to_state) VALUES ($1, $2, 'r', 'discovery')",
            &[&id, &wid],
        );
        if !extra.is_empty() {
            c.execute(
                &format!("UPDATE workflow_handoffs SET {extra} WHERE id = $1"),
                &[&id],
            );
        }
    };
    handoff(
        &mut c,
        "ho-json",
        "h-json",
        "data_transferred = '[\"not\", \"an object\"]'",
    );
    handoff(
        &mut c,
        "ho-time",
        "h-time",
        "created_at = 'infinity', acknowledged_at = '-infinity'",
    );
    handoff(
        &mut c,
        "ho-limits",
        "h-limits",
        "created_at = '2000-01-01T00:00:00.000Z'",
    );
    c.execute(
        "UPDATE workflow_handoffs SET data_transferred = $1 WHERE id = 'ho-json'",
        &[&huge_json],
    );
    c.execute(
        "INSERT INTO workflow_handoffs (id, workflow_id, from_role, to_role, from_state, to_state)
         VALUES ('ho-evil', 'h-evil', $1, $1, $1, $1)",
        &[&evil],
    );
    for (wid, kind, by, data) in [
        ("h-evil", evil, evil, "{}"),
        ("h-huge", "note", "x", huge_json.as_str()),
    ] {
        c.execute(
            "INSERT INTO workflow_events (workflow_id, event_type, triggered_by, event_data)
             VALUES ($1, $2, $3, $4)",
            &[&wid, &kind, &by, &data],
        );
    }
    c.batch(
        "INSERT INTO workflow_events (seq, workflow_id, event_type, event_data)
         VALUES (-5, 'h-json', 'note', '{}')",
    );
    // Orphans: rows pointing at a workflow that does not exist.
    c.batch("SET session_replication_role = replica");
    handoff(&mut c, "ho-ghost", "ghost-workflow", "");
    c.execute(
        "INSERT INTO workflow_events (workflow_id, event_type, created_at)
         VALUES ('ghost-workflow', 'phase_advanced', '2999-01-01T00:00:00.000Z')",
        &[],
    );
    c.execute(
        "INSERT INTO workflow_checkpoints (id, workflow_id, state, phase_outputs, version)
         VALUES ('cp-ghost', 'ghost-workflow', $1, '{}', 1)",
        &[&evil],
    );
}

fn hostile_sqlite(db: &TestDb) {
    let c = Connection::open(&db.path).unwrap();
    c.execute_batch("PRAGMA ignore_check_constraints = ON; PRAGMA foreign_keys = OFF;")
        .unwrap();
    let huge_json = format!(r#"{{"blob": "{}"}}"#, "x".repeat(HUGE));
    let wf = |id: &str, build: &str| {
        c.execute(
            "INSERT INTO build_workflows (id, build_id, project_id, current_state, current_role)
             VALUES (?1, ?2, 'hostile', 'discovery', 'q_assistant')",
            params![id, build],
        )
        .unwrap();
        c.execute(
            "INSERT INTO workflow_events (workflow_id, event_type) VALUES (?1, 'workflow_started')",
            params![id],
        )
        .unwrap();
    };
    let set = |id: &str, sql: &str| {
        c.execute(
            &format!("UPDATE build_workflows SET {sql} WHERE id = ?1"),
            [id],
        )
        .unwrap();
    };
    wf("h-status", "h-status");
    set("h-status", "status = 'exploded'");
    wf("h-phase", "h-phase");
    set(
        "h-phase",
        "current_state = 'nowhere', current_role = 'nobody'",
    );
    wf("h-def", "h-def");
    set("h-def", "definition = 'ghost-definition'");
    wf("h-json", "h-json");
    set("h-json", "phase_outputs = '{not json', metadata = '[1, 2]'");
    wf("h-huge", "h-huge");
    c.execute(
        "UPDATE build_workflows SET phase_outputs = ?1, last_error = ?2 WHERE id = 'h-huge'",
        params![huge_json, "e".repeat(1024 * 1024)],
    )
    .unwrap();
    wf("h-utf8", "h-utf8-placeholder");
    set(
        "h-utf8",
        "build_id = CAST(X'fffe41' AS TEXT), project_id = X'00010203', user_id = X'ff'",
    );
    c.execute(
        "INSERT INTO build_workflows (id, build_id, project_id, current_state, current_role)
         VALUES (X'deadbeef', 'h-blob-id', 'hostile', 'discovery', 'q_assistant')",
        [],
    )
    .unwrap();
    wf("h-max", "h-max");
    set(
        "h-max",
        "retry_count = -5, max_retries = 9223372036854775807, version = 9223372036854775807",
    );
    wf("h-text-num", "h-text-num");
    set("h-text-num", "version = 'abc', retry_count = 1.5");
    wf("h-time", "h-time");
    set(
        "h-time",
        "created_at = 'yesterday', updated_at = '2999-01-01T00:00:00.000Z',
         state_entered_at = '1700000000', heartbeat_at = '2026-01-01 10:00:00', completed_at = ''",
    );
    wf("h-evil", "h-evil");
    c.execute(
        "UPDATE build_workflows SET project_id = ?1, current_role = ?1, user_id = ?1,
         last_error = ?1, current_state = ?1 WHERE id = 'h-evil'",
        [EVIL],
    )
    .unwrap();
    wf("h-evil-status", "h-evil-status");
    c.execute(
        "UPDATE build_workflows SET status = ?1 WHERE id = 'h-evil-status'",
        [EVIL],
    )
    .unwrap();
    wf("h-limits", "h-limits");
    set("h-limits", "definition = 'limits'");
    c.execute(
        "INSERT INTO workflow_definitions (name, version, phases) VALUES
         ('broken', 1, '{oops'), ('empty', 1, '[]'),
         ('limits', 1, '[{\"name\": \"discovery\", \"role\": \"q_assistant\",
            \"stuck_after_secs\": 9223372036854775807,
            \"handoff_timeout_secs\": -9223372036854775808}, {\"name\": \"next\", \"role\": \"r\"}]'),
         (?1, 1, '[{\"name\": \"p\", \"role\": \"r\"}]')",
        [EVIL],
    )
    .unwrap();

    // Handoffs: a missing workflow, an unknown kind, bad JSON, a huge payload, bad times.
    let handoff = |id: &str, wid: &str, extra: &str| {
        c.execute(
            "INSERT INTO workflow_handoffs (id, workflow_id, to_role, to_state) VALUES (?1, ?2, 'r', 'discovery')",
            params![id, wid],
        )
        .unwrap();
        if !extra.is_empty() {
            c.execute(
                &format!("UPDATE workflow_handoffs SET {extra} WHERE id = ?1"),
                [id],
            )
            .unwrap();
        }
    };
    handoff("ho-ghost", "ghost-workflow", "");
    handoff("ho-kind", "h-json", "kind = 'sideways'");
    handoff("ho-json", "h-json", "data_transferred = '{nope'");
    handoff(
        "ho-time",
        "h-time",
        "created_at = 'soon', acknowledged_at = 42",
    );
    handoff(
        "ho-limits",
        "h-limits",
        "created_at = '2000-01-01T00:00:00.000Z'",
    );
    c.execute(
        "UPDATE workflow_handoffs SET data_transferred = ?1 WHERE id = 'ho-kind'",
        [&huge_json],
    )
    .unwrap();
    c.execute(
        "INSERT INTO workflow_handoffs (id, workflow_id, from_role, to_role, from_state, to_state)
         VALUES ('ho-evil', 'h-evil', ?1, ?1, ?1, ?1)",
        [EVIL],
    )
    .unwrap();

    // Events: bad JSON, a huge payload, a missing workflow, evil text, a negative cursor.
    for (wid, kind, by, data, at) in [
        ("h-json", "note", "x", "{bad", "2026-01-01T00:00:00.000Z"),
        (
            "ghost-workflow",
            "phase_advanced",
            "x",
            "{}",
            "2999-01-01T00:00:00.000Z",
        ),
        ("h-evil", EVIL, EVIL, "{}", EVIL),
        (
            "h-huge",
            "note",
            "x",
            huge_json.as_str(),
            "2026-01-01T00:00:00.000Z",
        ),
    ] {
        c.execute(
            "INSERT INTO workflow_events (workflow_id, event_type, triggered_by, event_data, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![wid, kind, by, data, at],
        )
        .unwrap();
    }
    c.execute(
        "INSERT INTO workflow_events (seq, workflow_id, event_type, event_data)
         VALUES (-5, 'h-status', 'note', X'00ff')",
        [],
    )
    .unwrap();

    // Checkpoints: a non-integer version, a BLOB of outputs, a missing workflow.
    c.execute(
        "INSERT INTO workflow_checkpoints (id, workflow_id, state, phase_outputs, version) VALUES
         ('cp-text', 'h-json', 'discovery', '{}', 'x'),
         ('cp-blob', 'h-json', 'discovery', X'0102', 1),
         ('cp-ghost', 'ghost-workflow', ?1, '{}', 1)",
        [EVIL],
    )
    .unwrap();
}

/// Nothing on stdout or stderr could move the cursor, recolour, retitle or reorder.
fn assert_inert(args: &[&str], r: &Run) {
    for (name, text) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
        if let Some(c) = text.chars().find(|&c| c != '\n' && is_unsafe(c)) {
            panic!("`baton {args:?}` printed {c:?} raw on {name}:\n{text:.2000}");
        }
    }
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

fn run(db: &TestDb, args: &[&str], codes: &[i32]) -> Run {
    let r = db.run(args);
    assert!(
        codes.contains(&r.code),
        "`baton {args:?}` exited {} (expected one of {codes:?}):\n{:.3000}\n{:.3000}",
        r.code,
        r.stdout,
        r.stderr
    );
    assert_inert(args, &r);
    r
}

fn every_cli_command_survives_hostile_rows_and_doctor_names_them(b: Backend) {
    let db = TestDb::cli(b);
    db.start("good-1");
    hostile(&db);

    for args in [
        &["list"][..],
        &["list", "--json"],
        &["list", "--status", "running"],
        &["list", "--limit", "1000"],
        &["events"],
        &["events", "--json"],
        &["events", "--limit", "100000"],
        &["definition", "list"],
        &["migrate", "--verify"],
    ] {
        run(&db, args, &[0]);
    }
    let keys: &[&str] = match b {
        Backend::Sqlite => &[
            "h-status",
            "h-phase",
            "h-def",
            "h-json",
            "h-huge",
            "h-utf8",
            "h-max",
            "h-text-num",
            "h-time",
            "h-evil",
            "h-evil-status",
            "h-limits",
            "good-1",
        ],
        Backend::Postgres => &[
            "h-phase", "h-def", "h-json", "h-huge", "h-max", "h-time", "h-evil", "h-limits",
            "good-1",
        ],
    };
    for &k in keys {
        for args in [
            &["status", k][..],
            &["status", k, "--json"],
            &["events", "--workflow", k],
            &["events", "--workflow", k, "--json"],
        ] {
            run(&db, args, &[0]);
        }
        // Time travel to each of its events, and its diff: inert, never a panic (a trail
        // that cannot tell the outputs is exit 1).
        // Its first and newest events: the start, and what the row answers for.
        let events = run(&db, &["events", "--workflow", k, "--json"], &[0]);
        let events: Vec<serde_json::Value> =
            serde_json::from_str(&events.stdout).unwrap_or_default();
        for e in [events.first(), events.last()].into_iter().flatten() {
            let seq = e["seq"].to_string();
            run(&db, &["status", k, "--at", &seq], &[0]);
            run(&db, &["status", k, "--at", &seq, "--json"], &[0]);
        }
        run(&db, &["diff", k], &[0, 1]);
        run(&db, &["diff", k, "--json"], &[0, 1]);
    }
    if !b.is_pg() {
        // SQLite only: the BLOB id cannot be named, and says so without harm.
        run(&db, &["status", "<blob 4 bytes x'deadbeef'>"], &[3]);
    }

    // The doctor fails, naming each problem row (before any action changes them).
    let r = run(&db, &["doctor"], &[1]);
    let sqlite_needles = [
        "unknown status 'exploded'",
        "h-phase",
        "ghost-definition",
        "h-json': phase_outputs is not valid JSON",
        "metadata is JSON but not an object",
        "is not valid UTF-8",
        "project_id holds a BLOB",
        "h-max': version is 9223372036854775807",
        "retry_count is -5",
        "version holds the text 'abc'",
        "retry_count holds the real number 1.5",
        "created_at is not a timestamp ('yesterday')",
        "'2999-01-01T00:00:00.000Z' is in the future",
        "'2026-01-01 10:00:00' is not RFC 3339",
        "unknown handoff kind 'sideways'",
        "handoff ho-ghost points at missing workflow",
        "ho-json': data_transferred is not valid JSON",
        "acknowledged_at is not a timestamp ('42')",
        "seq '-5'",
        "checkpoint cp-ghost points at missing workflow",
        "cp-text': version holds the text 'x'",
        "cp-blob': phase_outputs holds a BLOB",
        "broken': phases cannot be read",
        "empty': phases is not a valid definition",
        "contains control or invisible characters",
    ];
    let pg_needles = [
        "h-phase",
        "ghost-definition",
        "metadata is JSON but not an object",
        "h-max': version is 9223372036854775807",
        "'2999-01-01T00:00:00.000Z' is in the future",
        "handoff ho-ghost points at missing workflow",
        "seq '-5'",
        "checkpoint cp-ghost points at missing workflow",
        "broken': phases cannot be read",
        "empty': phases is not a valid definition",
        "contains control or invisible characters",
    ];
    for needle in b.pick(&sqlite_needles[..], &pg_needles[..]) {
        assert!(
            r.stdout.contains(needle),
            "doctor does not name {needle:?}:\n{}",
            r.stdout
        );
    }
    let v = run(&db, &["doctor", "--json"], &[1]).json();
    assert_eq!(v["ok"], false);
    assert!(v["problems"].as_array().unwrap().len() >= b.pick(25, pg_needles.len()));

    // Actions: applied (0), refused (4), a missing definition (3), or an error naming the
    // bad row (1); never a panic.
    for &k in keys {
        for args in [
            &["advance", k, "--output", r#"{"ok": true}"#][..],
            &["retry", k],
            &["rollback", k, "--reason", "hostile"],
            &["fail", k, "--error", "x"],
            &["pause", k],
            &["resume", k],
            &["heartbeat", k],
            &["cancel", k],
        ] {
            run(&db, args, &[0, 1, 3, 4]);
        }
    }
    let handoffs = b.pick(
        &["ho-ghost", "ho-kind", "ho-json", "ho-time", "ho-evil"][..],
        &["ho-ghost", "ho-json", "ho-time", "ho-evil"][..],
    );
    for &h in handoffs {
        run(&db, &["ack", h], &[0, 1, 3, 4]);
    }

    // A version that cannot be bumped is refused, not wrapped around.
    let r = run(&db, &["pause", "h-max"], &[1]);
    assert!(r.stderr.contains("out of range"), "{}", r.stderr);
    if b.is_pg() {
        return;
    }
    // SQLite only: an action changes only the columns it means to: bytes baton could only
    // render lossily are still there, byte for byte.
    let c = Connection::open(&db.path).unwrap();
    let (b, p, u): (String, String, String) = c
        .query_row(
            "SELECT hex(build_id), typeof(project_id), hex(user_id) FROM build_workflows WHERE id = 'h-utf8'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (b.as_str(), p.as_str(), u.as_str()),
        ("FFFE41", "blob", "FF")
    );
    let version: i64 = c
        .query_row(
            "SELECT version FROM build_workflows WHERE id = 'h-utf8'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(version > 1, "actions on h-utf8 went through");
}

fn the_dashboard_shows_hostile_rows_as_inert_text_and_never_dies(b: Backend) {
    let db = TestDb::cli(b);
    db.start("good-1");
    hostile(&db);
    let wait = Duration::from_secs(30);
    let mut pty = Pty::spawn(
        &["--db", &db.arg(), "--actor", "operator:hostile", "tui"],
        &[],
        160,
        48,
    );
    pty.wait_text("good-1", wait);
    // Walk every row, look at each in the detail pane, open every action on it.
    for _ in 0..16 {
        for k in [
            "j", "\t", "G", "g", "\t", "\t", "a", "\x1b", "r", "\x1b", "b", "\x1b",
        ] {
            pty.keys(k);
        }
        // Its past and its diff: `[` twice, `]`, `d`; once the diff is on screen Esc closes
        // it (waiting for it: one arriving later would catch the keys that follow), and Esc
        // leaves the trip.
        // An Esc sent right before another key can arrive as Alt-that-key and leave a
        // dialog open: a lone Esc, apart from any key, closes whatever is still open.
        std::thread::sleep(Duration::from_millis(80));
        pty.keys("\x1b");
        std::thread::sleep(Duration::from_millis(80));
        pty.keys("[[]d");
        // A row whose trail cannot be read gets no diff; the others' is closed once seen.
        let asked = std::time::Instant::now();
        while asked.elapsed() < Duration::from_secs(3) {
            if pty.screen().contains("Diff: ") {
                pty.keys("\x1b");
                pty.wait_for("the diff to close", wait, |s| !s.contains("Diff: "));
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        pty.keys("\x1b");
        std::thread::sleep(Duration::from_millis(60));
        assert!(
            pty.exited().is_none(),
            "the dashboard died:\n{}",
            pty.screen()
        );
    }
    // The evil text is on screen, as visible placeholders.
    pty.keys("/h-evil\r");
    let s = pty.wait_text("␛[2J", wait);
    assert!(s.contains("␛]0;pwned␇"), "{s}");
    // Filter text typed with a bidi override shows as a placeholder too.
    pty.keys("/\u{202e}x\r");
    pty.wait_text("\\u{202e}x", wait);
    pty.keys("\x1b");
    for size in [(80, 24), (300, 80), (20, 5), (160, 48)] {
        pty.resize(size.0, size.1);
        std::thread::sleep(Duration::from_millis(150));
    }
    pty.keys("1s?");
    pty.wait_text("Keys", wait);
    // Help closes only on Esc, ? or q. `?`, not Esc: an Esc followed closely by the `q`
    // below arrives as Alt-q, and after the resizes the screen the test parses need not
    // show help's title, so waiting for it to go proves nothing (seen failing in CI).
    pty.keys("?");
    pty.wait_for("help to close", wait, |s| !s.contains("Esc ? q close"));
    assert!(
        pty.exited().is_none(),
        "the dashboard died:\n{}",
        pty.screen()
    );

    // Nothing the hostile rows hold reached the terminal raw.
    let raw = pty.raw();
    let raw_text = String::from_utf8_lossy(&raw);
    for bad in [
        "\x1b]0;pwned",
        "\u{9b}",
        "\u{202e}",
        "\u{61c}",
        "\u{e0041}",
        "\u{200b}",
        "\0",
    ] {
        assert!(!raw_text.contains(bad), "{bad:?} reached the terminal raw");
    }
    pty.keys("q");
    assert!(pty.wait_exit(wait), "baton exits 0 on q");
    assert!(!pty.alternate_screen());
}

both!(
    every_cli_command_survives_hostile_rows_and_doctor_names_them,
    the_dashboard_shows_hostile_rows_as_inert_text_and_never_dies,
);
