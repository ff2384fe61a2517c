//! Waiting for the database to change, for commands that follow it live (`events
//! --follow`, `watch`): woken by the database's own push (file notifications, `LISTEN`)
//! or by polling where nothing can push, confirmed by the change token before anyone reads.

use crate::cli::context::Ctx;
use crate::cli::exit::CliResult;
use crate::cli::signals::Stop;
use crate::store::{ChangeToken, Polling, Store, Watch};
use std::time::{Duration, Instant};

/// How often to look where nothing pushes changes (and how soon a stop request is seen).
pub const POLL: Duration = Duration::from_millis(200);
/// How soon a wake-up that found nothing committed looks once more.
const RECHECK: Duration = Duration::from_millis(30);
/// How often to look anyway, in case a wake-up was lost.
const SAFETY_CHECK: Duration = Duration::from_secs(5);

pub enum Waited {
    Changed,
    /// `until` came with nothing committed.
    TimedOut,
    Stopped,
}

pub struct Changes {
    watch: Box<dyn Watch>,
    seen: ChangeToken,
    /// When the token was last checked: the safety check counts from here, across waits.
    last_check: Instant,
    /// A wake-up found the token unchanged: look once more then. A file notification can
    /// come before the commit that caused it is visible (SQLite publishes the commit in
    /// its shared memory, which notifies no one).
    recheck: Option<Instant>,
}

impl Changes {
    /// Starts watching `store`; take it before the first read, so that nothing committed
    /// after that read is missed.
    pub fn start(ctx: &Ctx, store: &Store) -> CliResult<Changes> {
        let seen = store.change_token()?;
        let watch: Box<dyn Watch> = if ctx.config.notify == Some(false) {
            Box::new(Polling {
                interval: POLL,
                why: "push turned off (notify)".into(),
            })
        } else {
            store.watch(POLL)
        };
        Ok(Changes {
            watch,
            seen,
            last_check: Instant::now(),
            recheck: None,
        })
    }

    /// Waits until the change token moves (checked on each wake-up, and every
    /// [`SAFETY_CHECK`] in case one was lost), `until` passes, or a stop is requested
    /// (seen within [`POLL`]).
    pub fn wait(
        &mut self,
        store: &Store,
        stop: &Stop,
        until: Option<Instant>,
    ) -> CliResult<Waited> {
        loop {
            if stop.requested() {
                return Ok(Waited::Stopped);
            }
            let now = Instant::now();
            if until.is_some_and(|u| now >= u) {
                return Ok(Waited::TimedOut);
            }
            let mut nap = POLL;
            for at in [until, self.recheck].into_iter().flatten() {
                nap = nap.min(at.saturating_duration_since(now));
            }
            let woken = self.watch.wait(nap)?;
            let recheck_due = self.recheck.is_some_and(|r| Instant::now() >= r);
            if !woken && !recheck_due && self.last_check.elapsed() < SAFETY_CHECK {
                continue;
            }
            self.last_check = Instant::now();
            // A lock held past the busy timeout delays the reader; it does not end it.
            let v = match store.change_token() {
                Err(e) if e.is_busy() => continue,
                other => other?,
            };
            if v != self.seen {
                self.seen = v;
                self.recheck = None;
                return Ok(Waited::Changed);
            }
            self.recheck = woken.then(|| Instant::now() + RECHECK);
        }
    }
}
