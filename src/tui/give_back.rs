//! Giving memory back after a big intake. Loading the live set reads rows on the worker
//! thread and moves them to the main thread in chunks; glibc keeps what the chunks and
//! their decoding left free in its arenas, where it counts in the process's RSS for as long
//! as the dashboard runs (about 11 MB at 50,000 live rows, a sixth of it). Once the
//! dashboard has been quiet for a moment after taking in many rows, `malloc_trim` returns
//! the free pages of every arena. Small batches (a writer's changes) never owe one: a trim
//! walks the heap, and what they free is reused at once.

use std::time::{Duration, Instant};

/// A delta with at least this many workflows is a big intake (a load chunk, not a change).
pub const BIG: usize = 1_000;
/// How long the dashboard must have taken in nothing big before the trim runs: a load's
/// chunks follow each other more closely, so it runs once, after the last.
pub const QUIET: Duration = Duration::from_millis(250);

/// When the owed trim is due, if one is.
#[derive(Debug, Default)]
pub struct GiveBack {
    due: Option<Instant>,
}

impl GiveBack {
    /// `rows` workflows were taken in at `now`.
    pub fn took(&mut self, rows: usize, now: Instant) {
        if rows >= BIG {
            self.due = Some(now + QUIET);
        }
    }

    /// When to wake for the trim.
    pub fn due(&self) -> Option<Instant> {
        self.due
    }

    /// Trims if it is due at `now`; true if it did.
    pub fn run_if_due(&mut self, now: Instant) -> bool {
        match self.due {
            Some(at) if at <= now => {
                self.due = None;
                trim();
                true
            }
            _ => false,
        }
    }
}

/// Has every thread started from now on allocate from the main thread's malloc arena.
/// The worker decodes every row of a load; the main thread packs each into a held row
/// and frees the decoded one. In an arena of its own the worker's few lasting allocations
/// (a cached statement, the selected workflow's detail) end up spread over the pages its
/// rows passed through, which no trim can give back: 4 to 10 MB at 50,000 live rows. One
/// arena reuses those holes for the next rows instead (measured: RSS 48-52 -> 45-46 MB).
/// Its lock is taken by two threads that allocate far less often than they work.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn one_arena() {
    // SAFETY: mallopt takes no pointers; M_ARENA_MAX only bounds arenas made later.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// Other allocators arrange their own arenas.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn one_arena() {}

/// Returns the free pages of every malloc arena to the system.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: malloc_trim takes no pointers and only releases pages no allocation holds.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other allocators give pages back on their own, or offer no such call.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_big_intake_owes_one_trim_after_a_quiet_moment() {
        let t0 = Instant::now();
        let mut g = GiveBack::default();
        g.took(BIG - 1, t0);
        assert_eq!(g.due(), None, "a writer's changes owe nothing");
        g.took(BIG, t0);
        assert_eq!(g.due(), Some(t0 + QUIET));
        assert!(!g.run_if_due(t0 + QUIET / 2), "not before the quiet moment");
        // The next chunk of the same load moves the moment on.
        g.took(5_000, t0 + QUIET / 2);
        assert!(!g.run_if_due(t0 + QUIET));
        assert!(g.run_if_due(t0 + QUIET / 2 + QUIET));
        assert_eq!(g.due(), None, "once");
        assert!(!g.run_if_due(t0 + QUIET * 10));
    }
}
