//! PostgreSQL's binary `COPY … TO STDOUT` format, read tuple by tuple as it arrives. A
//! query's rows cost the driver an allocation and a type check per row and per cell; a
//! `COPY` stream is bytes, cut here into fields in place, while the server is still
//! producing the rest (the format: PostgreSQL's documentation, "COPY", Binary Format).

use std::io::{self, Read};
use std::ops::Range;

const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";
/// Bytes asked of the source at a time.
const CHUNK: usize = 64 * 1024;

/// The tuples of one binary `COPY` stream.
pub struct Tuples<R> {
    src: R,
    buf: Vec<u8>,
    /// `buf[start..end]` is read and not yet handed out.
    start: usize,
    end: usize,
    header_read: bool,
    /// Each field of the current tuple: its bytes in `buf`, or `None` for NULL.
    fields: Vec<Option<Range<usize>>>,
}

/// One tuple, borrowed from the stream until the next is read.
pub struct Tuple<'a> {
    buf: &'a [u8],
    fields: &'a [Option<Range<usize>>],
}

impl Tuple<'_> {
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Field `i`'s bytes, `None` for NULL (or a field the tuple does not have).
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        let r = self.fields.get(i)?.as_ref()?;
        Some(&self.buf[r.clone()])
    }

    /// Field `i` as a `bigint` (`int8`), `integer` (`int4`) or `smallint`, by its length.
    pub fn int(&self, i: usize) -> io::Result<Option<i64>> {
        let Some(b) = self.get(i) else {
            return Ok(None);
        };
        Ok(Some(match b.len() {
            8 => i64::from_be_bytes(b.try_into().expect("eight bytes")),
            4 => i32::from_be_bytes(b.try_into().expect("four bytes")).into(),
            2 => i16::from_be_bytes(b.try_into().expect("two bytes")).into(),
            n => return Err(malformed(&format!("field {i}: {n} bytes for an integer"))),
        }))
    }
}

impl<R: Read> Tuples<R> {
    pub fn new(src: R) -> Tuples<R> {
        Tuples {
            src,
            buf: Vec::with_capacity(CHUNK * 2),
            start: 0,
            end: 0,
            header_read: false,
            fields: Vec::new(),
        }
    }

    /// The next tuple, or `None` once the trailer is read.
    pub fn next_tuple(&mut self) -> io::Result<Option<Tuple<'_>>> {
        if !self.header_read {
            self.header()?;
        }
        let count = i16::from_be_bytes(self.take::<2>()?);
        if count == -1 {
            return Ok(None);
        }
        let count = usize::try_from(count).map_err(|_| malformed(&format!("{count} fields")))?;
        self.fields.clear();
        // Offsets from `start` while reading: filling may move the unread bytes.
        let mut at = 0;
        for _ in 0..count {
            self.need(at + 4)?;
            let p = self.start + at;
            let len = i32::from_be_bytes(self.buf[p..p + 4].try_into().expect("four bytes"));
            at += 4;
            if len < 0 {
                self.fields.push(None);
                continue;
            }
            let len = len as usize;
            self.need(at + len)?;
            self.fields.push(Some(at..at + len));
            at += len;
        }
        let start = self.start;
        for f in self.fields.iter_mut().flatten() {
            *f = f.start + start..f.end + start;
        }
        self.start += at;
        Ok(Some(Tuple {
            buf: &self.buf,
            fields: &self.fields,
        }))
    }

    fn header(&mut self) -> io::Result<()> {
        let sig = self.take::<11>()?;
        if &sig != SIGNATURE {
            return Err(malformed("not a binary COPY stream"));
        }
        let _flags = self.take::<4>()?;
        let extension = u32::from_be_bytes(self.take::<4>()?) as usize;
        self.need(extension)?;
        self.start += extension;
        self.header_read = true;
        Ok(())
    }

    fn take<const N: usize>(&mut self) -> io::Result<[u8; N]> {
        self.need(N)?;
        let b: [u8; N] = self.buf[self.start..self.start + N]
            .try_into()
            .expect("N bytes");
        self.start += N;
        Ok(b)
    }

    /// Makes sure `n` unread bytes are buffered: a stream that ends first is cut short.
    fn need(&mut self, n: usize) -> io::Result<()> {
        while self.end - self.start < n {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            let want = (self.end + n.max(CHUNK)).max(self.buf.len());
            self.buf.resize(want, 0);
            let got = self.src.read(&mut self.buf[self.end..])?;
            if got == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the COPY stream ended inside a tuple",
                ));
            }
            self.end += got;
        }
        Ok(())
    }
}

fn malformed(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("binary COPY: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream as the server writes it: header, tuples, trailer.
    fn stream(tuples: &[Vec<Option<Vec<u8>>>]) -> Vec<u8> {
        let mut out = SIGNATURE.to_vec();
        out.extend(0u32.to_be_bytes());
        out.extend(3u32.to_be_bytes());
        out.extend(b"ext");
        for t in tuples {
            out.extend((t.len() as i16).to_be_bytes());
            for f in t {
                match f {
                    None => out.extend((-1i32).to_be_bytes()),
                    Some(b) => {
                        out.extend((b.len() as i32).to_be_bytes());
                        out.extend(b);
                    }
                }
            }
        }
        out.extend((-1i16).to_be_bytes());
        out
    }

    /// A reader that hands out at most `step` bytes a call, to cut fields anywhere.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(out.len()).min(self.0.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    /// A tuple of the tests' three fields: two integers and a text.
    type Row = (Option<i64>, Option<i64>, Option<String>);

    fn read_all(bytes: &[u8], step: usize) -> io::Result<Vec<Row>> {
        let mut t = Tuples::new(Trickle(bytes, step));
        let mut out = Vec::new();
        while let Some(row) = t.next_tuple()? {
            out.push((
                row.int(0)?,
                row.int(1)?,
                row.get(2).map(|b| String::from_utf8_lossy(b).into_owned()),
            ));
        }
        Ok(out)
    }

    #[test]
    fn tuples_come_out_whole_however_the_bytes_arrive() {
        let rows: Vec<Vec<Option<Vec<u8>>>> = (0..500i64)
            .map(|i| {
                vec![
                    Some((i * 1_000_000_007).to_be_bytes().to_vec()),
                    (i % 3 != 0).then(|| (i as i32 - 250).to_be_bytes().to_vec()),
                    (i % 5 == 0).then(|| format!("handoff-{i}").into_bytes()),
                ]
            })
            .collect();
        let bytes = stream(&rows);
        let want: Vec<_> = (0..500i64)
            .map(|i| {
                (
                    Some(i * 1_000_000_007),
                    (i % 3 != 0).then_some(i - 250),
                    (i % 5 == 0).then(|| format!("handoff-{i}")),
                )
            })
            .collect();
        for step in [1, 2, 3, 7, 64, 1 << 20] {
            assert_eq!(read_all(&bytes, step).unwrap(), want, "{step} bytes a read");
        }
    }

    #[test]
    fn an_empty_result_is_the_header_and_the_trailer() {
        assert_eq!(read_all(&stream(&[]), 5).unwrap(), vec![]);
    }

    #[test]
    fn a_cut_stream_or_a_foreign_one_is_an_error_not_an_end() {
        let bytes = stream(&[vec![Some(7i64.to_be_bytes().to_vec())]]);
        for cut in [5, 20, bytes.len() - 3, bytes.len() - 1] {
            let e = read_all(&bytes[..cut], 4).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof, "cut at {cut}");
        }
        let mut text = b"1\t2\n".repeat(10);
        text.extend(b"\\.\n");
        let e = read_all(&text, 4).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        let bad = stream(&[vec![Some(vec![1, 2, 3])]]);
        let e = read_all(&bad, 4).unwrap_err();
        assert_eq!(
            e.kind(),
            io::ErrorKind::InvalidData,
            "three bytes are no integer"
        );
    }
}
