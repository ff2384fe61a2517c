//! The real `baton` binary in a pseudo-terminal, with a `vt100` screen that a reader thread
//! keeps current and that waiters are woken on after every chunk of output, so a change on
//! screen is seen when its bytes arrive, not at the next poll of a timer.

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

struct Screen {
    parser: vt100::Parser,
    /// When the first byte arrived.
    first_output: Option<Instant>,
    /// The screen as of the last frame's end (`ESC [?2026l`, synchronized output): what a
    /// terminal that holds a frame until it is whole shows. `vt100` itself shows every
    /// byte as it comes.
    frame: String,
}

/// The mark that ends a synchronized frame.
const FRAME_END: &[u8] = b"\x1b[?2026l";

pub struct Pty {
    screen: Arc<(Mutex<Screen>, Condvar)>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    pub started: Instant,
}

impl Pty {
    pub fn spawn(bin: &Path, args: &[&str], cols: u16, rows: u16) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(bin);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("BATON_DB");
        let nz = |n: u16| NonZeroU16::new(n).expect("non-zero size");
        let screen = Arc::new((
            Mutex::new(Screen {
                parser: vt100::Parser::new(nz(rows), nz(cols), 0),
                first_output: None,
                frame: String::new(),
            }),
            Condvar::new(),
        ));
        let started = Instant::now();
        let child = pair.slave.spawn_command(cmd).expect("spawn baton");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let feed = Arc::clone(&screen);
        std::thread::spawn(move || {
            let _keep_master_open = pair.master;
            let mut buf = [0u8; 65536];
            // The end of the previous chunk, so a mark split between reads is still seen.
            let mut tail: Vec<u8> = Vec::new();
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let (lock, cv) = &*feed;
                let mut s = lock.lock().expect("screen lock");
                s.first_output.get_or_insert_with(Instant::now);
                s.parser.process(&buf[..n]);
                tail.extend_from_slice(&buf[..n]);
                if tail.windows(FRAME_END.len()).any(|w| w == FRAME_END) {
                    s.frame = s.parser.screen().contents();
                }
                let keep = tail.len().saturating_sub(FRAME_END.len() - 1);
                tail.drain(..keep);
                cv.notify_all();
            }
        });
        Pty {
            screen,
            writer,
            child,
            started,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("child pid")
    }

    pub fn contents(&self) -> String {
        self.screen
            .0
            .lock()
            .expect("lock")
            .parser
            .screen()
            .contents()
    }

    pub fn first_output(&self) -> Option<Instant> {
        self.screen.0.lock().expect("lock").first_output
    }

    /// Waits until `pred` holds for the screen; the moment it first held, or `None` on
    /// timeout.
    pub fn wait_for(&self, timeout: Duration, pred: impl Fn(&str) -> bool) -> Option<Instant> {
        let deadline = Instant::now() + timeout;
        let (lock, cv) = &*self.screen;
        let mut s = lock.lock().expect("lock");
        loop {
            if pred(&s.parser.screen().contents()) {
                return Some(Instant::now());
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            s = cv.wait_timeout(s, left).expect("wait").0;
        }
    }

    /// As [`Pty::wait_for`], on whole frames only: the moment the end of a frame for which
    /// `pred` holds arrived.
    pub fn wait_for_frame(
        &self,
        timeout: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> Option<Instant> {
        let deadline = Instant::now() + timeout;
        let (lock, cv) = &*self.screen;
        let mut s = lock.lock().expect("lock");
        loop {
            if pred(&s.frame) {
                return Some(Instant::now());
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            s = cv.wait_timeout(s, left).expect("wait").0;
        }
    }

    /// The screen as of the last whole frame.
    pub fn frame(&self) -> String {
        self.screen.0.lock().expect("lock").frame.clone()
    }

    pub fn keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
    }

    pub fn quit(mut self) {
        self.keys("q");
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}
