//! How many dashboards this user runs on this machine are following changes now, this one
//! included, so that following busy databases costs them all together the share of a core
//! one dashboard alone may take (`pace`). A dashboard with nothing to follow takes no part:
//! each one marks its file when it paces a look, and only files marked in the last two
//! seconds count. Ten dashboards beside a full-speed writer on two cores pushed
//! the machine's CPU pressure only to 10–12 %, too little for the pressure alone to tell
//! them apart from one dashboard beside a 500 ops/s writer, and took a fifth of the
//! writer's speed.
//!
//! Each dashboard holds an exclusive lock on a file of its own in a shared directory for
//! as long as it runs. The system lets the lock go when the process ends, however it ends,
//! so a file whose lock can be taken belongs to no running dashboard and is removed. A file
//! is only given its counted name once locked, so a dashboard starting is never taken for
//! a dead one. Where the directory cannot be used, the dashboard counts itself alone.

use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// Counted at most this often: a directory listing and a lock attempt per dashboard. A
/// dashboard's own mark is renewed as often.
const RECOUNT: Duration = Duration::from_secs(1);
/// A dashboard whose mark is older than this is not following changes.
const BUSY: Duration = Duration::from_secs(2);
const SUFFIX: &str = ".dashboard";
const JOINING: &str = ".joining";
/// A file still being claimed after this long was left by a dashboard killed while
/// starting.
const ABANDONED: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct Neighbours {
    dir: PathBuf,
    /// This dashboard's own file, locked while it is held (`None` if it could not be).
    own: Option<(File, PathBuf)>,
    counted: Option<(usize, Instant)>,
}

impl Neighbours {
    /// Joins the dashboards of this user on this machine.
    pub fn join() -> Neighbours {
        let user = std::env::var("USER").unwrap_or_else(|_| "user".into());
        let dir = std::env::temp_dir().join(format!("baton-dashboards-{}", file_safe(&user)));
        Neighbours::join_in(dir)
    }

    pub fn join_in(dir: PathBuf) -> Neighbours {
        let own = claim(&dir).ok();
        Neighbours {
            dir,
            own,
            counted: None,
        }
    }

    /// The dashboards following changes now, this one (which asks because it is)
    /// included: at least 1.
    pub fn count(&mut self) -> usize {
        if let Some((n, at)) = self.counted
            && at.elapsed() < RECOUNT
        {
            return n;
        }
        if let Some((file, _)) = &self.own {
            let _ = file.set_modified(SystemTime::now());
        }
        let n = self.count_now().max(1);
        self.counted = Some((n, Instant::now()));
        n
    }

    fn count_now(&self) -> usize {
        let Some((_, own)) = &self.own else {
            return 1;
        };
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return 1;
        };
        let mut others = 0;
        for path in entries.filter_map(Result::ok).map(|e| e.path()) {
            let name = path.to_string_lossy();
            if name.ends_with(SUFFIX) && path != *own && alive(&path) && busy(&path) {
                others += 1;
            } else if name.ends_with(JOINING) && older_than(&path, ABANDONED) {
                let _ = fs::remove_file(&path);
            }
        }
        1 + others
    }
}

impl Drop for Neighbours {
    fn drop(&mut self) {
        if let Some((file, path)) = self.own.take() {
            let _ = fs::remove_file(&path);
            drop(file);
        }
    }
}

/// A locked file of this process's own, under its counted name.
fn claim(dir: &Path) -> std::io::Result<(File, PathBuf)> {
    fs::create_dir_all(dir)?;
    let pid = std::process::id();
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let staging = dir.join(format!("{pid}-{nonce}{JOINING}"));
    let file = File::create(&staging)?;
    file.try_lock().map_err(std::io::Error::from)?;
    let named = dir.join(format!("{pid}-{nonce}{SUFFIX}"));
    fs::rename(&staging, &named)?;
    Ok((file, named))
}

/// Whether a running dashboard holds `path`; a file nobody holds is removed.
fn alive(path: &Path) -> bool {
    let Ok(file) = File::open(path) else {
        return false;
    };
    match file.try_lock() {
        Ok(()) => {
            let _ = fs::remove_file(path);
            false
        }
        Err(TryLockError::WouldBlock) => true,
        Err(TryLockError::Error(_)) => false,
    }
}

/// Whether the dashboard holding `path` marked it lately.
fn busy(path: &Path) -> bool {
    !older_than(path, BUSY)
}

/// Whether `path` was last changed more than `age` ago (false if that cannot be told).
fn older_than(path: &Path, age: Duration) -> bool {
    fs::metadata(path)
        .and_then(|m| m.modified())
        .is_ok_and(|at| at.elapsed().is_ok_and(|was| was > age))
}

fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashboards_count_each_other_and_a_gone_one_stops_counting() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut a = Neighbours::join_in(dir.path().to_path_buf());
        assert_eq!(a.count(), 1, "alone");
        let mut b = Neighbours::join_in(dir.path().to_path_buf());
        let mut c = Neighbours::join_in(dir.path().to_path_buf());
        c.count();
        assert_eq!(b.count(), 3);
        drop(c);
        a.counted = None;
        assert_eq!(a.count(), 2, "one gone");
    }

    #[test]
    fn a_dashboard_with_nothing_to_follow_is_not_counted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut a = Neighbours::join_in(dir.path().to_path_buf());
        let b = Neighbours::join_in(dir.path().to_path_buf());
        let (file, _) = b.own.as_ref().expect("joined");
        let long_ago = SystemTime::now() - BUSY - Duration::from_secs(5);
        file.set_modified(long_ago).expect("mark");
        assert_eq!(a.count(), 1, "b has not paced a look lately");
        a.counted = None;
        file.set_modified(SystemTime::now()).expect("mark");
        assert_eq!(a.count(), 2, "now it has");
    }

    #[test]
    fn a_file_left_by_a_dashboard_that_died_is_not_counted_and_is_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        // What a killed dashboard leaves: its file, with no lock on it any more.
        let left = dir.path().join(format!("999999-1{SUFFIX}"));
        File::create(&left).expect("file");
        // One still starting (not yet locked and named) is left alone; one killed while
        // starting, long ago, is removed.
        let starting = dir.path().join(format!("999998-1{JOINING}"));
        File::create(&starting).expect("file");
        let abandoned = dir.path().join(format!("999997-1{JOINING}"));
        let f = File::create(&abandoned).expect("file");
        f.set_modified(SystemTime::now() - ABANDONED - Duration::from_secs(1))
            .expect("age");
        let mut a = Neighbours::join_in(dir.path().to_path_buf());
        assert_eq!(a.count(), 1);
        assert!(!left.exists(), "the dead one's file is removed");
        assert!(starting.exists());
        assert!(!abandoned.exists());
    }

    #[test]
    fn a_directory_that_cannot_be_used_means_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let not_a_dir = dir.path().join("file");
        File::create(&not_a_dir).expect("file");
        let mut a = Neighbours::join_in(not_a_dir);
        assert!(a.own.is_none());
        assert_eq!(a.count(), 1);
    }
}
