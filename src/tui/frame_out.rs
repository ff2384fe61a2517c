//! Where frames are written: standard output behind a buffer that holds a whole frame, which
//! a panic discards. A frame begins with the synchronized-output mark and is written to the
//! terminal in one piece when it ends; a panic inside the drawing left that mark and half a
//! frame in the buffer, and the buffer's drop wrote them out after the terminal had been
//! restored: drawn over the shell, with the terminal told to hold its screen.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Enough for a full redraw of a large terminal with colours; a bigger frame is written
/// in pieces of this size.
pub const FRAME_BUFFER: usize = 256 * 1024;

/// Set by the panic hook: what is still buffered is a frame that will never be finished.
static ABANDONED: AtomicBool = AtomicBool::new(false);

/// Whatever frame is buffered now is dropped unwritten.
pub fn abandon() {
    ABANDONED.store(true, Ordering::SeqCst);
}

/// A frame's buffer in front of `W` (standard output outside the tests).
pub struct FrameOut<W: Write = Stdout> {
    inner: W,
    buf: Vec<u8>,
}

impl FrameOut {
    pub fn stdout() -> FrameOut {
        FrameOut::new(io::stdout())
    }
}

impl<W: Write> FrameOut<W> {
    pub fn new(inner: W) -> FrameOut<W> {
        FrameOut {
            inner,
            buf: Vec::with_capacity(FRAME_BUFFER),
        }
    }

    fn write_out(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            self.inner.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }
}

impl<W: Write> Write for FrameOut<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.buf.len() + data.len() > FRAME_BUFFER {
            self.write_out()?;
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.write_out()?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for FrameOut<W> {
    fn drop(&mut self) {
        if !ABANDONED.load(Ordering::SeqCst) {
            let _ = self.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// A terminal that keeps what reaches it.
    #[derive(Clone, Default)]
    struct Seen(Rc<RefCell<Vec<u8>>>);

    impl Write for Seen {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(data);
            Ok(data.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_frame_reaches_the_terminal_whole_and_an_abandoned_one_never() {
        let seen = Seen::default();
        let mut out = FrameOut::new(seen.clone());
        out.write_all(b"\x1b[?2026h frame one").unwrap();
        assert!(seen.0.borrow().is_empty(), "nothing before the frame ends");
        out.write_all(b" \x1b[?2026l").unwrap();
        out.flush().unwrap();
        assert_eq!(&seen.0.borrow()[..], b"\x1b[?2026h frame one \x1b[?2026l");
        let big = vec![b'x'; FRAME_BUFFER];
        out.write_all(b"a").unwrap();
        out.write_all(&big).unwrap();
        assert_eq!(
            seen.0.borrow().len(),
            27 + 1,
            "a frame larger than the buffer goes out in pieces"
        );
        out.flush().unwrap();
        out.write_all(b"\x1b[?2026h half a frame").unwrap();
        abandon();
        let before = seen.0.borrow().len();
        drop(out);
        assert_eq!(
            seen.0.borrow().len(),
            before,
            "the abandoned frame is dropped"
        );
    }
}
