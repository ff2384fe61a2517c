//! The thread that waits on the store's watch (file notifications on SQLite, `LISTEN` on
//! PostgreSQL) and tells the database worker to look again. A change after a quiet frame
//! is looked at at once. Then it stops listening for as long as the pace asks (at least a
//! frame), listens again, and only then asks for another look, so a commit made while it
//! was not listening is seen by that look: a writer committing thousands of times a second
//! costs the dashboard one wake-up and one read per look, and nothing while nothing
//! changes.

use super::msg::{Cmd, Msg};
use super::neighbours::Neighbours;
use super::pace::{Allowance, FRAME, Pace};
use super::pressure::Pressure;
use crate::store::{Watch, WatchMode};
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

/// The worker's own slow check, in case a wake-up was ever lost: it asks the change token
/// (no table read) this often.
pub const SAFETY_CHECK: Duration = Duration::from_secs(10);
/// How long a wait lasts with nothing heard: the watch changes mode (polling, pushed) only
/// inside a wait, so this only bounds how late a change of mode is reported.
const QUIET_WAIT: Duration = Duration::from_secs(60);

pub fn spawn(
    mut watch: Box<dyn Watch>,
    jobs: Sender<Cmd>,
    out: Sender<Msg>,
    pace: Pace,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("baton-watch".into())
        .spawn(move || {
            let mut shown: Option<WatchMode> = None;
            let look = |jobs: &Sender<Cmd>| jobs.send(Cmd::LookAgain).is_ok();
            // When the watch last started listening again after a pause.
            let mut armed = Instant::now();
            let mut pressure = Pressure::open();
            let mut neighbours = Neighbours::join();
            let mut allowance = Allowance::default();
            loop {
                let mode = watch.mode();
                if shown.as_ref() != Some(&mode) {
                    if out.send(Msg::Watching(mode.clone())).is_err() {
                        return;
                    }
                    shown = Some(mode);
                }
                match watch.wait(QUIET_WAIT) {
                    Ok(true) => {
                        // A change after a quiet frame is looked at at once; amid a
                        // stream of commits (one soon after listening again) the look
                        // after the pause below is the next one.
                        if armed.elapsed() >= FRAME && !look(&jobs) {
                            return;
                        }
                        watch.disarm();
                        let gap = allowance.gap(
                            &pace,
                            Instant::now(),
                            pressure.share(),
                            neighbours.count(),
                        );
                        std::thread::sleep(gap);
                        watch.arm();
                        armed = Instant::now();
                        // Whatever was committed while not listening.
                        if !look(&jobs) {
                            return;
                        }
                    }
                    Ok(false) => {}
                    Err(_) => std::thread::sleep(Duration::from_secs(1)),
                }
            }
        })
        .map(drop)
}
