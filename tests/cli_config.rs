//! The config file and the dashboard's flags at top level: `baton --handoff-timeout 1`
//! opens the dashboard; the file at `$XDG_CONFIG_HOME/baton/config.toml` (or named by
//! `--config` / `BATON_CONFIG`) supplies defaults that flags and environment override;
//! bad files are refused naming the key and the file.

mod common;

use common::backend::*;
use common::cli::run_in;
use common::pty::Pty;
use std::path::PathBuf;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

/// Writes the default config file for runs in `db`'s temp dir.
fn write_config(db: &TestDb, text: &str) -> PathBuf {
    let dir = db.dir.path().join("baton");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A definition without limits of its own, so the configured ones apply, and `build`
/// advanced into its second phase (a pending handoff, a second old).
fn pending_handoff(db: &TestDb, build: &str) {
    db.add_definition(
        "nolimits",
        r#"{"name": "nolimits", "phases": [{"name": "a", "role": "r1"}, {"name": "b", "role": "r2"}]}"#,
    );
    db.json(&[
        "start",
        "--project",
        "p",
        "--build-id",
        build,
        "--definition",
        "nolimits",
        "--json",
    ]);
    db.run(&["advance", build]).code(0);
    std::thread::sleep(Duration::from_millis(1100));
}

fn the_config_file_names_the_database_and_flags_and_env_win(b: Backend) {
    let db = TestDb::cli(b);
    db.start("from-config");
    write_config(&db, &format!("db = {:?}\n", db.arg()));
    // No --db, no BATON_DB: the file's database.
    let r = run_in(db.dir.path(), &["list", "--json"]);
    r.code(0);
    assert_eq!(r.json()[0]["build_id"], "from-config");
    // BATON_DB wins over the file, --db over both.
    let other = db.dir.path().join("other.db");
    run_in(db.dir.path(), &["--db", other.to_str().unwrap(), "migrate"]).code(0);
    let out = common::cli::baton(db.dir.path())
        .env("BATON_DB", &other)
        .args(["list", "--json"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
    let r = run_in(
        db.dir.path(),
        &["--db", other.to_str().unwrap(), "list", "--json"],
    );
    assert_eq!(r.stdout.trim(), "[]");
}

fn configured_stuck_limits_apply_to_list_status_and_doctor(b: Backend) {
    let db = TestDb::cli(b);
    pending_handoff(&db, "c1");
    // The built-in limit (300 s): not stuck.
    assert_eq!(
        db.json(&["list", "--status", "stuck", "--json"]),
        serde_json::json!([])
    );
    write_config(&db, "handoff_timeout = 0\nphase_timeout = 3600\n");
    let v = db.json(&["list", "--status", "stuck", "--json"]);
    assert_eq!(v[0]["build_id"], "c1");
    assert_eq!(v[0]["stuck"]["limit_secs"], 0);
    assert_eq!(
        db.json(&["status", "c1", "--json"])["stuck"]["limit_secs"],
        0
    );
    assert_eq!(db.json(&["doctor", "--json"])["stuck"][0]["build_id"], "c1");
}

#[test]
fn explicit_config_files_must_exist_and_bad_ones_name_key_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let missing = d.join("nope.toml");
    let m = missing.to_str().unwrap();
    run_in(d, &["--config", m, "list"])
        .one_line_error(2, &["config file", "nope.toml", "does not exist"]);
    let out = common::cli::baton(d)
        .env("BATON_CONFIG", &missing)
        .args(["list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.toml"));
    // A missing default file is fine (XDG_CONFIG_HOME is the temp dir, with no baton/).
    run_in(d, &["--db", d.join("x.db").to_str().unwrap(), "migrate"]).code(0);

    let bad = d.join("bad.toml");
    let b = bad.to_str().unwrap();
    for (text, needles) in [
        ("colour = 'red'\n", &["unknown key `colour`", "poll_ms"][..]),
        ("poll_ms = 'fast'\n", &["`poll_ms`", "fast"]),
        ("theme = 'pink'\n", &["`theme`", "dark"]),
        (
            "[views]\nmine = 'status:bogus'\n",
            &["`views.mine`", "bogus", "valid statuses"],
        ),
        ("notify = \n", &["not valid TOML", "line 1"]),
    ] {
        std::fs::write(&bad, text).unwrap();
        let mut all = vec!["config file", b];
        all.extend_from_slice(needles);
        run_in(d, &["--config", b, "list"]).one_line_error(2, &all);
    }
    // A good file with every key.
    std::fs::write(
        &bad,
        "db = 'x.db'\npoll_ms = 250\npush = false\nnotify = true\nhandoff_timeout = 60\nphase_timeout = 900\ntheme = 'light'\n[views]\nmine = 'project:shop status:failed'\n",
    )
    .unwrap();
    run_in(d, &["--config", b, "list"]).code(0);
}

/// The dashboard's flags without `tui`; refused (exit 2) with any other subcommand.
fn dashboard_flags_work_at_top_level(b: Backend) {
    let db = TestDb::cli(b);
    pending_handoff(&db, "top-1");
    let arg = db.arg();
    let mut pty = Pty::spawn(&["--db", &arg, "--handoff-timeout", "0"], &[], 200, 40);
    pty.wait_text("top-1", WAIT);
    pty.wait_text("! stuck 1", WAIT);
    pty.keys("q");
    assert!(pty.wait_exit(WAIT));

    db.run(&["--handoff-timeout", "1", "list"]).one_line_error(
        2,
        &[
            "--handoff-timeout is a dashboard flag",
            "`list`",
            "without a subcommand",
        ],
    );
    // Before `tui` too; after it wins.
    let mut pty = Pty::spawn(
        &[
            "--db",
            &arg,
            "--handoff-timeout",
            "0",
            "tui",
            "--handoff-timeout",
            "3600",
        ],
        &[],
        200,
        40,
    );
    pty.wait_text("top-1", WAIT);
    pty.wait_text(" stuck 0 ", WAIT);
    pty.keys("q");
    assert!(pty.wait_exit(WAIT));
}

fn the_dashboard_takes_its_defaults_from_the_config_file(b: Backend) {
    let db = TestDb::cli(b);
    pending_handoff(&db, "cfg-1");
    let cfg = db.dir.path().join("dash.toml");
    std::fs::write(&cfg, "handoff_timeout = 0\npush = false\npoll_ms = 50\n").unwrap();
    let arg = db.arg();
    let c = cfg.to_str().unwrap();
    let mut pty = Pty::spawn(&["--db", &arg], &[("BATON_CONFIG", c)], 200, 40);
    pty.wait_text("cfg-1", WAIT);
    pty.wait_text("! stuck 1", WAIT);
    pty.wait_text("polling: push turned off (--push off)", WAIT);
    pty.keys("q");
    assert!(pty.wait_exit(WAIT));
    // A flag wins over the file.
    let mut pty = Pty::spawn(
        &["--db", &arg, "--push", "on", "--handoff-timeout", "3600"],
        &[("BATON_CONFIG", c)],
        200,
        40,
    );
    pty.wait_text("cfg-1", WAIT);
    let s = pty.wait_text(" stuck 0 ", WAIT);
    assert!(!s.contains("polling: push turned off"), "{s}");
    pty.keys("q");
    assert!(pty.wait_exit(WAIT));
}

both!(
    the_config_file_names_the_database_and_flags_and_env_win,
    configured_stuck_limits_apply_to_list_status_and_doctor,
    dashboard_flags_work_at_top_level,
    the_dashboard_takes_its_defaults_from_the_config_file,
);
