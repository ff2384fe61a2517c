//! The archive `baton prune --archive` writes and `baton import` reads: each workflow's
//! whole trail (a [`Trail`]) as one JSON object per line, zstd-compressed when the file
//! name ends in `.zst` (`zstd -dc FILE | jq` reads it too). Each batch is appended and
//! synced before its workflows are deleted, as lines or a zstd frame of its own; a run
//! killed while writing leaves a partial batch at the end, which the next run cuts off
//! before appending, so an archive stays readable after any interruption.

use crate::store::Trail;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Compression level: fast, and about 10× smaller than the JSON for these trails.
const LEVEL: i32 = 3;

fn compressed(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "zst")
}

/// Appends batches of trails to an archive.
pub struct Writer {
    file: File,
    zst: bool,
    /// Bytes cut off the end when it was opened: a batch an interrupted run left partial.
    pub repaired: u64,
}

impl Writer {
    /// Opens `path` to append to, creating it; a partial batch at its end is cut off.
    pub fn open(path: &Path) -> io::Result<Writer> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        let zst = compressed(path);
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        let whole = if zst {
            whole_frames(&bytes)
        } else {
            bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1)
        };
        let repaired = (bytes.len() - whole) as u64;
        if repaired > 0 {
            file.set_len(whole as u64)?;
        }
        file.seek(SeekFrom::End(0))?;
        // Zero bytes are no zstd stream: an archive nothing was written to (a prune that
        // found nothing, a run stopped before its first batch) would be unreadable to
        // `import` and `zstd -dc` alike. An empty frame makes it an empty archive.
        if zst && whole == 0 {
            file.write_all(&zstd::bulk::compress(&[], LEVEL)?)?;
            file.sync_data()?;
        }
        Ok(Writer {
            file,
            zst,
            repaired,
        })
    }

    /// Writes `trails` and syncs them to disk: once this returns they survive a crash.
    pub fn append(&mut self, trails: &[Trail]) -> io::Result<()> {
        let mut text = Vec::new();
        for t in trails {
            serde_json::to_writer(&mut text, t)?;
            text.push(b'\n');
        }
        let bytes = if self.zst {
            zstd::bulk::compress(&text, LEVEL)?
        } else {
            text
        };
        self.file.write_all(&bytes)?;
        self.file.sync_data()
    }
}

/// The length of the complete zstd frames at the start of `bytes`.
fn whole_frames(bytes: &[u8]) -> usize {
    let mut at = 0;
    while at < bytes.len() {
        match zstd::zstd_safe::find_frame_compressed_size(&bytes[at..]) {
            Ok(n) if n > 0 && at + n <= bytes.len() => at += n,
            _ => break,
        }
    }
    at
}

/// Every trail in the archive at `path`, in the order written. An empty file is an empty
/// archive, compressed or not (earlier versions left a `.zst` of zero bytes when they
/// archived nothing).
pub fn read(path: &Path) -> io::Result<impl Iterator<Item = Result<Trail, String>>> {
    let file = File::open(path)?;
    let empty = file.metadata()?.len() == 0;
    let file = BufReader::new(file);
    let reader: Box<dyn BufRead> = if compressed(path) && !empty {
        Box::new(BufReader::new(zstd::stream::read::Decoder::with_buffer(
            file,
        )?))
    } else {
        Box::new(file)
    };
    Ok(reader.lines().enumerate().filter_map(|(i, line)| {
        let line = match line {
            Ok(l) if l.trim().is_empty() => return None,
            Ok(l) => l,
            Err(e) => return Some(Err(format!("line {}: {e}", i + 1))),
        };
        Some(serde_json::from_str(&line).map_err(|e| format!("line {}: {e}", i + 1)))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trail(id: &str) -> Trail {
        let json = format!(
            r#"{{"workflow": {{"id": "{id}", "build_id": "b-{id}", "project_id": "p",
            "user_id": null, "definition": "build", "current_state": "release",
            "current_role": "r", "status": "completed", "phase_outputs": {{"a": 1}},
            "retry_count": 0, "max_retries": 3, "last_error": null, "version": 7,
            "metadata": {{}}, "created_at": "2026-01-01T00:00:00.000Z",
            "updated_at": "2026-01-02T00:00:00.000Z", "completed_at": null,
            "heartbeat_at": null, "state_entered_at": null}},
            "handoffs": [], "checkpoints": [], "events": []}}"#
        );
        serde_json::from_str(&json).unwrap()
    }

    fn all(path: &Path) -> Vec<String> {
        read(path)
            .unwrap()
            .map(|t| t.unwrap().workflow.id)
            .collect()
    }

    #[test]
    fn an_archive_nothing_was_written_to_reads_back_empty() {
        for name in ["a.jsonl", "a.jsonl.zst"] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(name);
            drop(Writer::open(&path).unwrap());
            assert_eq!(all(&path), Vec::<String>::new(), "{name}");
            // A plain zstd reader takes it too, and it is still appended to.
            let bytes = std::fs::read(&path).unwrap();
            if name.ends_with(".zst") {
                assert_eq!(zstd::decode_all(&bytes[..]).unwrap(), b"");
            }
            let mut w = Writer::open(&path).unwrap();
            assert_eq!(w.repaired, 0, "{name}");
            w.append(&[trail("1")]).unwrap();
            assert_eq!(all(&path), ["1"], "{name}");
            // What an earlier version left: zero bytes.
            std::fs::write(&path, b"").unwrap();
            assert_eq!(all(&path), Vec::<String>::new(), "{name}");
        }
    }

    #[test]
    fn a_partial_batch_left_by_a_crash_is_cut_off_and_the_rest_reads_back() {
        for name in ["a.jsonl", "a.jsonl.zst"] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(name);
            let mut w = Writer::open(&path).unwrap();
            w.append(&[trail("1"), trail("2")]).unwrap();
            w.append(&[trail("3")]).unwrap();
            drop(w);
            let good = std::fs::metadata(&path).unwrap().len();
            // A crash in the middle of writing the next batch.
            let mut f = OpenOptions::new().append(true).open(&path).unwrap();
            let mut next = Vec::new();
            serde_json::to_writer(&mut next, &trail("4")).unwrap();
            let next = if name.ends_with(".zst") {
                zstd::bulk::compress(&next, LEVEL).unwrap()
            } else {
                next
            };
            f.write_all(&next[..next.len() / 2]).unwrap();
            drop(f);
            let mut w = Writer::open(&path).unwrap();
            assert_eq!(w.repaired, (next.len() / 2) as u64, "{name}");
            assert_eq!(std::fs::metadata(&path).unwrap().len(), good);
            w.append(&[trail("4")]).unwrap();
            assert_eq!(all(&path), ["1", "2", "3", "4"], "{name}");
            assert_eq!(read(&path).unwrap().next().unwrap().unwrap(), trail("1"));
        }
    }
}
