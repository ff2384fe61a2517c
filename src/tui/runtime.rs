//! The dashboard's main loop: wait for a message (key, mouse, database change, or the next
//! moment a workflow turns stuck), run `update`, drain whatever else is queued, then draw
//! once, inside a synchronized update so the terminal never shows half a frame.

use super::app::App;
use super::give_back::GiveBack;
use super::msg::{Cmd, Msg};
use super::pace::Pace;
use super::terminal::TerminalGuard;
use super::update::update;
use super::view;
use super::worker::Worker;
use crate::engine::StuckPolicy;
use crate::model::time;
use crate::store::Store;
use crossterm::event::{self, Event as TermEvent};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use crossterm::{execute, queue};
use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use signal_hook::iterator::Signals;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Options {
    pub label: String,
    pub poll: Duration,
    pub policy: StuckPolicy,
    pub mouse: bool,
    pub actor: String,
    pub color: bool,
    /// Wait for pushed changes (file notifications, LISTEN); false polls every `poll`
    /// (`--push off`, config `push = false`).
    pub push: bool,
    /// Announce newly stuck or failed workflows (`--notify`, config `notify = true`).
    pub notify: bool,
    /// The colour theme asked for (config `theme`).
    pub theme: ThemeName,
    /// Named saved filters (config `[views]`), in file order; `v` steps through them.
    pub views: Vec<(String, String)>,
}

/// The themes a user can choose (config `theme`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeName {
    /// Colours for a dark background (the default).
    #[default]
    Dark,
    /// Colours for a light background.
    Light,
    /// No colour: glyphs, bold and reverse video only (as with `NO_COLOR`).
    Plain,
}

impl ThemeName {
    /// `dark`, `light` or `none`.
    pub fn parse(s: &str) -> Option<ThemeName> {
        match s.to_ascii_lowercase().as_str() {
            "dark" => Some(ThemeName::Dark),
            "light" => Some(ThemeName::Light),
            "none" => Some(ThemeName::Plain),
            _ => None,
        }
    }
}

/// Messages drained per frame at most, so a flood of changes cannot starve the screen.
const DRAIN_MAX: usize = 512;

/// Runs the dashboard on an open store until the user quits.
pub fn run(store: Store, opts: Options) -> std::io::Result<()> {
    super::give_back::one_arena();
    let read_only = store.is_read_only();
    let (tx, rx) = mpsc::channel::<Msg>();
    let (job_tx, job_rx) = mpsc::channel::<Cmd>();
    // Pushed changes wake the worker; its own timeout is only a slow safety check.
    let watch: Box<dyn crate::store::Watch> = if opts.push {
        store.watch(opts.poll)
    } else {
        Box::new(crate::store::Polling {
            interval: opts.poll,
            why: "push turned off (--push off)".into(),
        })
    };
    let worker = Worker::new(store, tx.clone(), job_rx, super::watcher::SAFETY_CHECK);
    let pace = worker.pace();
    super::watcher::spawn(watch, job_tx.clone(), tx.clone(), pace.clone())?;
    let worker = std::thread::Builder::new()
        .name("baton-db".into())
        .spawn(move || worker.run())?;
    // Signals become a message, so they leave through the same path as `q`.
    let mut signals = Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT])?;
    let handle = signals.handle();
    let signal_tx = tx.clone();
    std::thread::Builder::new()
        .name("baton-signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                let _ = signal_tx.send(Msg::Terminate(sig));
            }
        })?;
    let quit_tx = job_tx.clone();
    let result = run_loop(&opts, read_only, &tx, &rx, job_tx, &pace);
    handle.close();
    // The worker takes this after what it is doing (the watcher's sender keeps the channel
    // open, so it would not see it close): an action in progress commits or rolls back, it
    // is never cut off halfway.
    let _ = quit_tx.send(Cmd::Quit);
    let deadline = Instant::now() + WORKER_GRACE;
    while !worker.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    result
}

/// How long to wait for the worker to finish an action on the way out (it may be waiting
/// out a busy database).
const WORKER_GRACE: Duration = Duration::from_secs(10);

fn run_loop(
    opts: &Options,
    read_only: bool,
    tx: &mpsc::Sender<Msg>,
    rx: &mpsc::Receiver<Msg>,
    job_tx: mpsc::Sender<Cmd>,
    pace: &Pace,
) -> std::io::Result<()> {
    let mut guard = TerminalGuard::enter(opts.mouse)?;
    let input_tx = tx.clone();
    std::thread::Builder::new()
        .name("baton-input".into())
        .spawn(move || {
            while let Ok(ev) = event::read() {
                let msg = match ev {
                    TermEvent::Key(k) => Msg::Key(k),
                    TermEvent::Mouse(m) => Msg::Mouse(m),
                    TermEvent::Resize(w, h) => Msg::Resize(w, h),
                    _ => continue,
                };
                if input_tx.send(msg).is_err() {
                    return;
                }
            }
        })?;

    let mut app = App::new(opts.label.clone(), read_only, opts.policy, time::now());
    let session = app.session_mut();
    session.set_actor(opts.actor.clone());
    session.set_color(opts.color && opts.theme != ThemeName::Plain);
    session.set_light(opts.theme == ThemeName::Light);
    session.set_mouse(opts.mouse);
    app.set_saved_views(opts.views.clone());
    app.set_notify(opts.notify);
    let size = guard.terminal.size()?;
    app.screen_mut().resize(size.width, size.height);
    draw(&mut guard, &app)?;
    let mut give_back = GiveBack::default();

    loop {
        // Asleep until a stuck mark or a shown duration changes with time alone, or until
        // memory freed by a load can be given back.
        let timeout = app
            .next_wake()
            .map(|d| (d - time::now()).to_std().unwrap_or(Duration::ZERO))
            .unwrap_or(Duration::from_secs(3600));
        let timeout = match give_back.due() {
            Some(at) => timeout.min(at.saturating_duration_since(Instant::now())),
            None => timeout,
        };
        let first = match rx.recv_timeout(timeout) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) if give_back.run_if_due(Instant::now()) => continue,
            Err(RecvTimeoutError::Timeout) => Msg::Tick(time::now()),
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        };
        let started = Instant::now();
        let mut changed = false;
        let mut quit = false;
        let mut next = Some(first);
        let mut drained = 0;
        while let Some(msg) = next.take() {
            if let Msg::Data(d) = &msg {
                changed = true;
                give_back.took(d.workflows.len(), Instant::now());
            }
            for cmd in update(&mut app, msg) {
                match cmd {
                    Cmd::Quit => quit = true,
                    job => send(&job_tx, job),
                }
            }
            // What only the terminal can do (copy, mouse capture), in the order asked.
            for r in app.session_mut().take_requests() {
                guard.apply(&r)?;
            }
            drained += 1;
            if quit || drained >= DRAIN_MAX {
                break;
            }
            next = rx.try_recv().ok();
        }
        if quit {
            return Ok(());
        }
        draw(&mut guard, &app)?;
        if changed {
            // Taking in and drawing a change is part of following changes.
            pace.spent(started.elapsed());
        }
    }
}

fn send(jobs: &mpsc::Sender<Cmd>, job: Cmd) {
    // A dead worker shows up as a disconnected message channel; nothing to do here.
    let _ = jobs.send(job);
}

fn draw(guard: &mut TerminalGuard, app: &App) -> std::io::Result<()> {
    // The opening mark goes out with the frame (`draw` flushes once, at its end).
    queue!(guard.terminal.backend_mut(), BeginSynchronizedUpdate)?;
    guard.terminal.draw(|f| {
        view::draw(f, app);
        super::terminal::debug_panic_in_draw();
    })?;
    execute!(guard.terminal.backend_mut(), EndSynchronizedUpdate)?;
    Ok(())
}
