//! SIGTERM to the real binary: the dashboard, `events --follow`, `simulate` and `demo`
//! clean up (terminal restored, report printed) and exit 143 (128 + 15), as a shell
//! expects of a process ended by SIGTERM.

mod common;

use common::backend::*;
use common::pty::Pty;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

fn term(pid: u32) {
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("run kill")
        .success();
    assert!(ok, "kill -TERM {pid}");
}

fn wait_code(child: &mut Child) -> Option<i32> {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().expect("try_wait") {
            return s.code();
        }
        if start.elapsed() > WAIT {
            let _ = child.kill();
            panic!("baton did not exit within {WAIT:?} of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn events_follow_exits_143_on_sigterm(b: Backend) {
    let db = TestDb::cli(b);
    db.start("t1");
    let mut child = db
        .command()
        .args(["events", "--follow", "--after-seq", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start events --follow");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).expect("first event");
    assert!(first.contains("workflow_started"), "{first}");
    term(child.id());
    assert_eq!(
        wait_code(&mut child),
        Some(143),
        "exit status after SIGTERM"
    );
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(err.is_empty(), "nothing on stderr: {err}");
}

fn simulate_prints_its_report_and_exits_143_on_sigterm(b: Backend) {
    let db = TestDb::cli(b);
    let mut child = db
        .command()
        .args([
            "simulate",
            "--keep-alive",
            "--workflows",
            "3",
            "--rate",
            "50",
            "--seed",
            "1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start simulate");
    // Its first progress line (one a second on a pipe) says it is running.
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("ops") {
        line.clear();
        assert!(
            err.read_line(&mut line).expect("stderr") > 0,
            "simulate ended early"
        );
    }
    term(child.id());
    assert_eq!(wait_code(&mut child), Some(143));
    let mut report = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut report)
        .unwrap();
    assert!(
        report.contains("started") && report.contains("operations"),
        "the report is printed: {report}"
    );
    // What it wrote is whole.
    db.run(&["doctor"]).code(0);
}

fn the_dashboard_restores_the_terminal_and_exits_143_on_sigterm(b: Backend) {
    let db = TestDb::cli(b);
    db.start("dash-1");
    let arg = db.arg();
    let mut pty = Pty::spawn(&["--db", &arg], &[], 100, 30);
    pty.wait_text("dash-1", WAIT);
    assert!(pty.alternate_screen());
    pty.signal("TERM");
    assert_eq!(pty.wait_exit_code(WAIT), 143);
    assert!(!pty.alternate_screen(), "the terminal was restored");
}

#[test]
fn the_demo_stops_its_simulator_prints_its_hint_and_exits_143_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    let p = path.to_str().unwrap();
    let mut pty = Pty::spawn(&["demo", "--db", p, "--seed", "3"], &[], 120, 36);
    pty.wait_text("Workflows", WAIT);
    pty.signal("TERM");
    assert_eq!(pty.wait_exit_code(WAIT), 143);
    assert!(!pty.alternate_screen());
    let screen = pty.wait_text("the demo database is kept at", WAIT);
    assert!(screen.contains("doctor"), "{screen}");
    // baton is not on PATH here: the hint names this executable, so it works as printed
    // in a fresh shell.
    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_baton")).unwrap();
    let flat: String = screen.lines().collect();
    assert!(
        flat.contains(&format!("`{} --db {p} list`", exe.display())),
        "{screen}"
    );
}

both!(
    events_follow_exits_143_on_sigterm,
    simulate_prints_its_report_and_exits_143_on_sigterm,
    the_dashboard_restores_the_terminal_and_exits_143_on_sigterm,
);
