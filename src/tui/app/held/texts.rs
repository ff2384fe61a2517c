//! `N` texts back to back in one allocation: what a held row's strings cost when the
//! dashboard holds 50,000 rows. A `String` is 24 bytes before its text and an allocation
//! of its own; here a text costs its bytes and one byte of table (two or four when the
//! texts are long). A part may also be bytes that are not text (a time held as a number),
//! which its owner reads back with [`Texts::bytes`].

/// The texts, after a byte saying how wide each end is (1, 2 or 4) and the ends of all but
/// the last (which ends where the bytes do, so one long last text never widens the table).
#[derive(Clone, PartialEq, Eq)]
pub struct Texts<const N: usize>(Box<[u8]>);

impl<const N: usize> Texts<N> {
    pub fn new(texts: [&str; N]) -> Texts<N> {
        Texts::of_bytes(texts.map(str::as_bytes))
    }

    /// Parts that need not be text: [`Texts::get`] reads a part that is not as empty.
    pub fn of_bytes(texts: [&[u8]; N]) -> Texts<N> {
        let before_last: usize = texts[..N - 1].iter().map(|t| t.len()).sum();
        let width: usize = if before_last > usize::from(u16::MAX) {
            4
        } else if before_last > usize::from(u8::MAX) {
            2
        } else {
            1
        };
        let total: usize = texts.iter().map(|t| t.len()).sum();
        let mut bytes = Vec::with_capacity(1 + (N - 1) * width + total);
        bytes.push(width as u8);
        let mut end = 0;
        for t in &texts[..N - 1] {
            end += t.len();
            // Each end fits the width chosen above from the sum of all of them.
            match width {
                4 => bytes.extend_from_slice(&u32::try_from(end).unwrap_or(u32::MAX).to_le_bytes()),
                2 => bytes.extend_from_slice(&u16::try_from(end).unwrap_or(u16::MAX).to_le_bytes()),
                _ => bytes.push(u8::try_from(end).unwrap_or(u8::MAX)),
            }
        }
        for t in texts {
            bytes.extend_from_slice(t);
        }
        Texts(bytes.into_boxed_slice())
    }

    /// Text `i`, as it was given.
    pub fn get(&self, i: usize) -> &str {
        // Each text went in whole, at a character boundary: this cannot fail for a text.
        std::str::from_utf8(self.bytes(i)).unwrap_or_default()
    }

    /// Part `i`'s bytes, as they were given.
    pub fn bytes(&self, i: usize) -> &[u8] {
        let width = self.width();
        let base = 1 + (N - 1) * width;
        let start = if i == 0 { 0 } else { self.end(i - 1) };
        let end = if i == N - 1 {
            self.0.len() - base
        } else {
            self.end(i)
        };
        &self.0[base + start..base + end]
    }

    /// How wide each end is, in bytes.
    pub fn width(&self) -> usize {
        usize::from(self.0[0])
    }

    /// The bytes held.
    #[cfg(test)]
    pub fn size(&self) -> usize {
        self.0.len()
    }

    fn end(&self, i: usize) -> usize {
        let width = self.width();
        let b = &self.0[1 + i * width..];
        match width {
            1 => usize::from(b[0]),
            2 => usize::from(u16::from_le_bytes([b[0], b[1]])),
            _ => u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<const N: usize>(texts: [&str; N]) -> Texts<N> {
        let t = Texts::new(texts);
        for (i, want) in texts.iter().enumerate() {
            assert_eq!(t.get(i), *want, "text {i}");
        }
        t
    }

    #[test]
    fn short_texts_take_a_byte_of_table_each() {
        let t = round_trip(["atlas-42", "", "build", "ビルド", ""]);
        assert_eq!(t.width(), 1);
        assert_eq!(t.size(), 1 + 4 + "atlas-42buildビルド".len());
    }

    #[test]
    fn the_table_widens_with_what_precedes_the_last_text_only() {
        let long = "x".repeat(300);
        let longer = "y".repeat(70_000);
        assert_eq!(round_trip(["a", &long, "b"]).width(), 2);
        assert_eq!(round_trip(["a", &longer, "b"]).width(), 4);
        assert_eq!(round_trip(["a", "b", &longer]).width(), 1);
        assert_eq!(round_trip([&longer]).width(), 1);
        round_trip([""]);
    }
}
