//! What baton generates about itself from its clap definitions — shell completions and
//! the manual page — and the report a panic leaves (color-eyre's, with what to do).

mod common;

use common::cli::run_in;

const SUBCOMMANDS: [&str; 8] = [
    "demo",
    "list",
    "events",
    "ack",
    "simulate",
    "doctor",
    "completions",
    "man",
];

#[test]
fn completions_cover_every_subcommand_for_each_shell() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let r = run_in(dir.path(), &["completions", shell]);
        r.code(0);
        for sub in SUBCOMMANDS {
            assert!(r.stdout.contains(sub), "{shell} completion lacks {sub}");
        }
        // Flags too, including the dashboard's at top level.
        assert!(r.stdout.contains("handoff-timeout"), "{shell}");
        assert!(r.stdout.contains("after-seq"), "{shell}");
    }
    let bash = run_in(dir.path(), &["completions", "bash"]);
    assert!(
        bash.stdout.contains("complete -F _baton"),
        "{}",
        bash.stdout
    );
    let r = run_in(dir.path(), &["completions", "tcsh"]);
    r.code(2);
    assert!(r.stderr.contains("bash"), "{}", r.stderr);
}

#[test]
fn man_prints_a_roff_page_listing_the_subcommands() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(dir.path(), &["man"]);
    r.code(0);
    assert!(
        r.stdout.contains(".TH baton 1"),
        "{}",
        &r.stdout[..200.min(r.stdout.len())]
    );
    assert!(r.stdout.contains(".SH SUBCOMMANDS"));
    for sub in SUBCOMMANDS {
        assert!(
            r.stdout.contains(&format!("baton\\-{sub}")),
            "man lacks {sub}"
        );
    }
    let list = run_in(dir.path(), &["man", "list"]);
    list.code(0);
    assert!(list.stdout.contains(".TH baton-list 1"));
    assert!(list.stdout.contains("stuck"));
    run_in(dir.path(), &["man", "nope"]).one_line_error(2, &["no subcommand 'nope'", "list"]);
    // Generating never reads the config file (a broken one does not stop it).
    std::fs::create_dir_all(dir.path().join("baton")).unwrap();
    std::fs::write(dir.path().join("baton/config.toml"), "broken = \n").unwrap();
    run_in(dir.path(), &["man"]).code(0);
    run_in(dir.path(), &["completions", "zsh"]).code(0);
    run_in(dir.path(), &["list"]).code(2);
}

/// A panic is reported by color-eyre: what, where, and what to do, and exit 101.
#[test]
fn a_panic_leaves_a_readable_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::cli::baton(dir.path())
        .env("BATON_DEBUG_PANIC", "1")
        .env_remove("RUST_BACKTRACE")
        .args(["list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(101));
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "The application panicked (crashed).",
        "Message:  BATON_DEBUG_PANIC asked for a panic",
        "Location: src/cli/crash.rs",
        "baton crashed: this is a bug",
    ] {
        assert!(err.contains(needle), "{needle:?} missing from:\n{err}");
    }
    // NO_COLOR (set by the test harness) and a pipe: no escape sequences.
    assert!(!err.contains('\x1b'), "{err}");
}
