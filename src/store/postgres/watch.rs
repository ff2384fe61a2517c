//! `LISTEN` on a connection of its own: the contract tables' triggers (migration 0004)
//! notify `baton_changes` on every write, by any program. When the connection drops or the
//! server restarts, it reconnects with backoff and meanwhile polls (saying so); the first
//! wake-up after reconnecting makes the reader look again, so nothing written meanwhile is
//! missed. A hot standby never delivers notifications: there it polls, and says why.

use super::connect;
use crate::store::error::Result;
use crate::store::target::PgUrl;
use crate::store::watch::{Watch, WatchMode};
use postgres::Client;
use postgres::fallible_iterator::FallibleIterator;
use std::time::{Duration, Instant};

pub const CHANNEL: &str = "baton_changes";
const MAX_BACKOFF: Duration = Duration::from_secs(5);

pub struct Listen {
    url: PgUrl,
    client: Option<Client>,
    /// Whether the connection is listening (it stops between a wake-up and the next look).
    listening: bool,
    /// How often to look while not listening.
    poll: Duration,
    mode: WatchMode,
    backoff: Duration,
    retry_at: Instant,
}

/// A listening connection, or why there cannot be one (`standby`: for good).
fn listen(url: &PgUrl) -> std::result::Result<Client, (String, bool)> {
    let mut client = connect::connect(url).map_err(|e| (e.to_string(), false))?;
    let standby: bool = client
        .query_one("SELECT pg_is_in_recovery()", &[])
        .map_err(|e| (e.to_string(), false))?
        .get(0);
    if standby {
        return Err((
            "a hot standby: notifications never arrive there".into(),
            true,
        ));
    }
    let off: Option<String> = client
        .query_one("SELECT current_setting('baton.notify', true)", &[])
        .map_err(|e| (e.to_string(), false))?
        .get(0);
    if off.as_deref() == Some("off") {
        return Err((
            "notifications are off for this database (baton.notify = off)".into(),
            true,
        ));
    }
    client
        .batch_execute(&format!("LISTEN {CHANNEL}"))
        .map_err(|e| (e.to_string(), false))?;
    Ok(client)
}

impl Listen {
    pub fn new(url: &PgUrl, poll: Duration) -> Listen {
        let mut l = Listen {
            url: url.clone(),
            client: None,
            listening: false,
            poll,
            mode: WatchMode::Pushed,
            backoff: Duration::from_millis(100),
            retry_at: Instant::now(),
        };
        l.reconnect();
        l
    }

    fn reconnect(&mut self) -> bool {
        match listen(&self.url) {
            Ok(c) => {
                self.client = Some(c);
                self.listening = true;
                self.mode = WatchMode::Pushed;
                self.backoff = Duration::from_millis(100);
                true
            }
            Err((why, standby)) => {
                self.client = None;
                self.mode = WatchMode::Polling(if standby {
                    why
                } else {
                    format!("reconnecting the listener: {why}")
                });
                self.retry_at = Instant::now()
                    + if standby {
                        Duration::from_secs(60)
                    } else {
                        self.backoff
                    };
                self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
                false
            }
        }
    }
}

impl Watch for Listen {
    fn wait(&mut self, timeout: Duration) -> Result<bool> {
        self.arm();
        let Some(client) = self.client.as_mut() else {
            // Not listening: poll, and try to listen again when the backoff allows (however
            // long the poll interval or the caller's timeout).
            let retry = self.retry_at.saturating_duration_since(Instant::now());
            std::thread::sleep(self.poll.min(timeout).min(retry));
            if Instant::now() >= self.retry_at {
                self.reconnect();
            }
            return Ok(true);
        };
        // Ok(Some(woke)) when listening went well, Ok(None) when the connection is gone.
        let heard = {
            let mut notes = client.notifications();
            let first = notes.timeout_iter(timeout).next();
            match first {
                Ok(Some(_)) => {
                    // Many commits at once are one wake-up.
                    while let Ok(Some(_)) = notes.iter().next() {}
                    Some(true)
                }
                Ok(None) => Some(false),
                Err(_) => None,
            }
        };
        match heard {
            Some(false) if client.is_closed() => {}
            Some(woke) => return Ok(woke),
            None => {}
        }
        self.client = None;
        self.reconnect();
        // Whatever happened while the connection was down: look again.
        Ok(true)
    }

    fn mode(&self) -> WatchMode {
        self.mode.clone()
    }

    fn disarm(&mut self) {
        if let Some(client) = self.client.as_mut().filter(|_| self.listening) {
            // The server stops signalling this backend on every commit. A failure here
            // shows as a closed connection at the next wait.
            self.listening = client
                .batch_execute(&format!("UNLISTEN {CHANNEL}"))
                .is_err();
        }
    }

    fn arm(&mut self) {
        if let Some(client) = self.client.as_mut().filter(|_| !self.listening) {
            // Heard before: the caller's own look covers it.
            while let Ok(Some(_)) = client.notifications().iter().next() {}
            if client.batch_execute(&format!("LISTEN {CHANNEL}")).is_ok() {
                self.listening = true;
            } else {
                self.client = None;
                self.reconnect();
            }
        }
    }
}
