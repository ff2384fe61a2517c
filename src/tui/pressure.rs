//! How short of processor time the machine is: the share of the last moments in which
//! some runnable task waited for a CPU, from Linux's pressure stall information
//! (`/proc/pressure/cpu`, the `some` line's running total in microseconds). A dashboard
//! following a busy database steps back when it is high, so that on a full machine the
//! watchers, not the writers they watch, give way. Where the file is missing (other
//! systems, kernels without PSI) the pressure is taken as none.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::time::Instant;

#[derive(Debug)]
pub struct Pressure {
    file: Option<File>,
    /// The running total and when it was read.
    last: Option<(u64, Instant)>,
    /// The share, smoothed over about a second: one look's gap is too short a sample.
    smoothed: f64,
}

/// Over how long the share is smoothed, in seconds.
const SMOOTHING_SECS: f64 = 1.0;

impl Pressure {
    pub fn open() -> Pressure {
        Pressure {
            file: File::open("/proc/pressure/cpu").ok(),
            last: None,
            smoothed: 0.0,
        }
    }

    /// The share (0 to 1) of recent time in which some task waited for a CPU, smoothed
    /// over about a second; 0 the first time and where the kernel does not say.
    pub fn share(&mut self) -> f64 {
        let Some(total) = self.read_total() else {
            return 0.0;
        };
        let now = Instant::now();
        if let Some((before, at)) = self.last {
            let elapsed = now.duration_since(at).as_secs_f64();
            self.smoothed = smooth(self.smoothed, total.saturating_sub(before), elapsed);
        }
        self.last = Some((total, now));
        self.smoothed
    }

    fn read_total(&mut self) -> Option<u64> {
        let file = self.file.as_mut()?;
        let mut text = String::with_capacity(160);
        file.seek(SeekFrom::Start(0)).ok()?;
        file.read_to_string(&mut text).ok()?;
        some_total(&text)
    }
}

/// The smoothed share after `waited_us` of waiting in the last `elapsed` seconds: a
/// sample over a second or more replaces what came before, a shorter one moves it in part.
fn smooth(before: f64, waited_us: u64, elapsed: f64) -> f64 {
    if elapsed <= 0.0 {
        return before;
    }
    let now = (waited_us as f64 / 1e6 / elapsed).clamp(0.0, 1.0);
    let weight = (elapsed / SMOOTHING_SECS).min(1.0);
    before + weight * (now - before)
}

/// The `total=` of the `some` line.
fn some_total(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("some "))?;
    line.split_whitespace()
        .find_map(|f| f.strip_prefix("total="))?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_some_total_is_read() {
        let text = "some avg10=7.19 avg60=36.35 avg300=28.39 total=280190781\n\
                    full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
        assert_eq!(some_total(text), Some(280_190_781));
        assert_eq!(some_total("full avg10=0.00 total=5\n"), None);
        assert_eq!(some_total(""), None);
    }

    #[test]
    fn short_samples_move_the_share_in_part() {
        assert_eq!(
            smooth(0.0, 500_000, 1.0),
            0.5,
            "a second: the sample itself"
        );
        assert_eq!(
            smooth(0.2, 2_000_000, 2.0),
            1.0,
            "longer: the sample, capped"
        );
        let s = smooth(0.0, 100_000, 0.1);
        assert!(
            (s - 0.1).abs() < 1e-9,
            "a tenth of a second all waiting: {s}"
        );
        assert_eq!(smooth(0.3, 0, 0.0), 0.3, "no time: no news");
    }

    #[test]
    fn no_file_means_no_pressure() {
        let mut p = Pressure {
            file: None,
            last: None,
            smoothed: 0.0,
        };
        assert_eq!(p.share(), 0.0);
        assert_eq!(p.share(), 0.0);
    }
}
