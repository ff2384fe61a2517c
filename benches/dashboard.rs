//! The dashboard's hot paths: a poll tick with nothing changed and with k changes (the
//! database worker), applying those changes to the state, drawing the main screen at 200×60
//! with 50,000 live workflows, a navigation key, and a filter keystroke over 50,000 live
//! workflows. Each group names its baseline in the same run: the idle tick against the bare
//! `PRAGMA data_version` it is built on, a k-change tick against k = 1, drawing against an
//! empty dashboard of the same size.

use baton::engine::{self, Request, StuckPolicy};
use baton::model::{Action, Definition, Status, Workflow, time};
use baton::sim::backfill::{self, BackfillConfig};
use baton::store::{OpenMode, Store};
use baton::tui::app::App;
use baton::tui::msg::Cmd;
use baton::tui::msg::{Delta, Msg};
use baton::tui::update::update;
use baton::tui::view;
use baton::tui::worker::{Worker, read_detail};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::time::{Duration, Instant};

const LIVE: usize = 50_000;

fn workflow(i: usize, now: &str) -> Workflow {
    let def = Definition::builtin();
    let phase = &def.phases[i % def.phases.len()];
    let project = ["atlas", "borealis", "cygnus", "draco", "eridanus"][i % 5];
    Workflow {
        id: format!(
            "{:08x}-0000-4000-8000-{i:012}",
            i * 2_654_435_761 % 4_294_967_296
        ),
        build_id: format!("{project}-{i}").into(),
        project_id: project.into(),
        user_id: Some("alice".into()),
        definition: "build".into(),
        current_state: phase.name.as_str().into(),
        current_role: phase.role.as_str().into(),
        status: if i.is_multiple_of(20) {
            Status::Failed
        } else {
            Status::Running
        },
        status_raw: Default::default(),
        phase_outputs: serde_json::Value::Null,
        retry_count: 0,
        max_retries: 3,
        last_error: None,
        version: 3,
        metadata: serde_json::Value::Null,
        created_at: now.into(),
        updated_at: now.into(),
        completed_at: None,
        heartbeat_at: Some(now.into()),
        state_entered_at: Some(now.into()),
    }
}

/// A dashboard holding `n` live workflows, as after its first load.
fn app_with(n: usize) -> App {
    let now = time::now();
    let stamp = time::format(now);
    let mut app = App::new("bench.db", false, StuckPolicy::default(), now);
    app.screen_mut().resize(200, 60);
    let workflows = (0..n).map(|i| workflow(i, &stamp)).collect();
    update(
        &mut app,
        Msg::Data(Delta {
            full: true,
            workflows,
            counts: vec![(Status::Running, n as i64)],
            definitions: vec![Definition::builtin()],
            at: Some(now),
            ..Delta::default()
        }),
    );
    app
}

/// The same, with the detail pane and the event log as full as a real dashboard's: a
/// backfilled workflow several phases in (its handoffs, outputs and trail) shown for the
/// selected row, and the newest events of the backfill in the log.
fn full_app_with(n: usize) -> App {
    let mut app = app_with(n);
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut store, _) = Store::open(dir.path().join("detail.db"), OpenMode::Create).expect("open");
    let cfg = BackfillConfig {
        workflows: 500,
        live: 100,
        seed: 7,
        ..BackfillConfig::default()
    };
    backfill::run(&mut store, &cfg, &AtomicBool::new(false), &mut |_| {}).expect("backfill");
    let running = store
        .list(&baton::store::ListQuery {
            status: Some(Status::Running),
            limit: 100,
            ..Default::default()
        })
        .expect("list");
    // The one furthest along: the longest timeline and the most outputs.
    let deepest = running
        .iter()
        .max_by_key(|w| store.handoffs(&w.id, 200).map_or(0, |h| h.len()))
        .expect("a running workflow");
    let mut detail = read_detail(&store, &deepest.id)
        .expect("read")
        .expect("present");
    // Shown for whichever row the table selects: only the content's cost matters here.
    detail.workflow.id = app.selected_id().expect("a selection").to_string();
    update(&mut app, Msg::Detail(Box::new(detail)));
    let events = store.recent_events(None, 300).expect("events");
    update(
        &mut app,
        Msg::Data(Delta {
            events,
            at: Some(time::now()),
            ..Delta::default()
        }),
    );
    app
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn screen(c: &mut Criterion) {
    let mut g = c.benchmark_group("screen");
    g.sample_size(30).measurement_time(Duration::from_secs(3));
    let mut term = Terminal::new(TestBackend::new(200, 60)).expect("backend");
    let empty = app_with(0);
    g.bench_function("draw 200x60/empty (baseline)", |b| {
        b.iter(|| {
            term.draw(|f| view::draw(f, &empty))
                .map(|_| ())
                .expect("draw")
        })
    });
    let mut app = app_with(LIVE);
    g.bench_function("draw 200x60/50k live", |b| {
        b.iter(|| {
            term.draw(|f| view::draw(f, &app))
                .map(|_| ())
                .expect("draw")
        })
    });
    let full = full_app_with(LIVE);
    g.bench_function("draw 200x60/50k live, detail and log full", |b| {
        b.iter(|| {
            term.draw(|f| view::draw(f, &full))
                .map(|_| ())
                .expect("draw")
        })
    });
    g.bench_function("key j + draw/50k live", |b| {
        b.iter(|| {
            update(&mut app, key('j'));
            term.draw(|f| view::draw(f, &app))
                .map(|_| ())
                .expect("draw")
        })
    });
    update(&mut app, key('/'));
    g.bench_function("filter keystroke + draw/50k live", |b| {
        let mut i = 0_usize;
        b.iter(|| {
            // Type and erase, so the filter alternates between matching some and all.
            i += 1;
            let msg = if i % 2 == 1 {
                key('7')
            } else {
                Msg::Key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE))
            };
            update(&mut app, msg);
            term.draw(|f| view::draw(f, &app))
                .map(|_| ())
                .expect("draw")
        })
    });
    g.finish();

    let mut g = c.benchmark_group("apply changes");
    g.sample_size(30).measurement_time(Duration::from_secs(3));
    let mut app = app_with(LIVE);
    let stamp = time::now_text();
    for k in [1_usize, 10, 100] {
        g.bench_with_input(BenchmarkId::new("50k live", k), &k, |b, &k| {
            let mut round = 0;
            b.iter(|| {
                round += 1;
                let workflows = (0..k)
                    .map(|i| {
                        let mut w = workflow(i * 97 % LIVE, &stamp);
                        w.version = 3 + round;
                        w
                    })
                    .collect();
                update(
                    &mut app,
                    Msg::Data(Delta {
                        workflows,
                        at: Some(time::now()),
                        ..Delta::default()
                    }),
                )
            })
        });
    }
    g.finish();
}

/// A database with history and live workflows, a worker on it, and a second connection
/// that writes like an orchestrator.
fn poll(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("poll.db");
    let (mut store, _) = Store::open(&path, OpenMode::Create).expect("open");
    let cfg = BackfillConfig {
        workflows: 20_000,
        live: 2_000,
        seed: 3,
        ..BackfillConfig::default()
    };
    backfill::run(&mut store, &cfg, &AtomicBool::new(false), &mut |_| {}).expect("backfill");
    let live: Vec<String> = store
        .list(&baton::store::ListQuery {
            status: Some(Status::Running),
            limit: 2_000,
            ..Default::default()
        })
        .expect("list")
        .into_iter()
        .map(|w| w.id)
        .collect();
    let (mut writer, _) = Store::open(&path, OpenMode::ReadWrite).expect("writer");
    let (reader, _) = Store::open(&path, OpenMode::ReadOnly).expect("reader");
    let (tx, rx) = mpsc::channel::<Msg>();
    let (_jobs_tx, jobs_rx) = mpsc::channel::<Cmd>();
    let mut worker = Worker::new(reader, tx, jobs_rx, Duration::from_millis(100));
    worker.poll_once();
    while rx.try_recv().is_ok() {}

    let mut g = c.benchmark_group("poll tick");
    g.sample_size(30).measurement_time(Duration::from_secs(3));
    let (bare, _) = Store::open(&path, OpenMode::ReadOnly).expect("bare");
    g.bench_function("PRAGMA data_version (baseline)", |b| {
        b.iter(|| bare.change_token().expect("data_version"))
    });
    g.bench_function("nothing changed", |b| b.iter(|| worker.poll_once()));
    let mut next = 0_usize;
    for k in [1_usize, 10, 100] {
        g.bench_with_input(BenchmarkId::new("k changes", k), &k, |b, &k| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    for _ in 0..k {
                        next += 1;
                        let id = &live[next % live.len()];
                        // A pause or resume is a versioned change with an event.
                        let action = match writer.workflow(id).expect("row").status {
                            Status::Paused => Action::Resume,
                            _ => Action::Pause,
                        };
                        let _ = engine::act_on_id(&mut writer, id, &Request::new(action, "bench"));
                    }
                    let t = Instant::now();
                    worker.poll_once();
                    total += t.elapsed();
                    while rx.try_recv().is_ok() {}
                }
                total
            })
        });
    }
    g.finish();
}

criterion_group!(benches, screen, poll);
criterion_main!(benches);
