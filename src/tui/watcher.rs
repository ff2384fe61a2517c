//! The thread that waits on the store's watch (file notifications on SQLite, `LISTEN` on
//! PostgreSQL) and tells the database worker to look again. It asks at most once a frame,
//! so a writer committing thousands of times a second costs the dashboard one read per
//! frame; while nothing changes it sends nothing and the worker reads nothing.

use super::msg::{Cmd, Msg};
use crate::store::{Watch, WatchMode};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// The worker's own slow check, in case a wake-up was ever lost: it asks the change token
/// (no table read) this often.
pub const SAFETY_CHECK: Duration = Duration::from_secs(5);
/// At most one look per frame.
const FRAME: Duration = Duration::from_millis(16);

pub fn spawn(
    mut watch: Box<dyn Watch>,
    jobs: Sender<Cmd>,
    out: Sender<Msg>,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("baton-watch".into())
        .spawn(move || {
            let mut shown: Option<WatchMode> = None;
            loop {
                let mode = watch.mode();
                if shown.as_ref() != Some(&mode) {
                    if out.send(Msg::Watching(mode.clone())).is_err() {
                        return;
                    }
                    shown = Some(mode);
                }
                match watch.wait(SAFETY_CHECK) {
                    Ok(true) => {
                        if jobs.send(Cmd::LookAgain).is_err() {
                            return;
                        }
                        std::thread::sleep(FRAME);
                    }
                    Ok(false) => {}
                    Err(_) => std::thread::sleep(Duration::from_secs(1)),
                }
            }
        })
        .map(drop)
}
