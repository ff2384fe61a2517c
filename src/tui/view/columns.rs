//! Column widths from the content and the terminal. Each column wants the width of its
//! widest value (header included); when they do not all fit, the columns that cut well are
//! cut first (to no less than their `min`), then whole columns are dropped in their stated
//! order, and only then are the rest cut. So a wide column never keeps spare cells while
//! its neighbour is cut, and a cut always shows (see `cut`).

/// One column's needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Cells its widest value (or header) takes.
    pub want: usize,
    /// Cells it may be cut to before anything is dropped (0: not cut before then). Such
    /// columns are cut in the order they would be dropped.
    pub min: usize,
    /// When it is dropped, if room runs out: 1 first, 2 next…; 0 never.
    pub drop: u8,
}

/// The width of each column, `None` for a dropped one, in `width` cells with `gap` cells
/// between neighbours. The last resort, when even the columns never dropped do not fit at
/// their wanted widths, cuts the widest of them first.
pub fn fit(cols: &[Column], width: usize, gap: usize) -> Vec<Option<usize>> {
    let mut shown: Vec<bool> = vec![true; cols.len()];
    loop {
        let mut w: Vec<usize> = cols.iter().map(|c| c.want).collect();
        let total = |w: &[usize], shown: &[bool]| {
            let n = shown.iter().filter(|s| **s).count();
            let cells: usize = w
                .iter()
                .zip(shown)
                .filter(|(_, s)| **s)
                .map(|(w, _)| w)
                .sum();
            cells + gap * n.saturating_sub(1)
        };
        // Cut the columns that cut well, each no further than its min, the one to be
        // dropped first cut first.
        let mut over = total(&w, &shown).saturating_sub(width);
        let mut order: Vec<usize> = (0..cols.len()).collect();
        order.sort_by_key(|i| (cols[*i].drop == 0, cols[*i].drop));
        for i in order {
            let c = &cols[i];
            if over == 0 {
                break;
            }
            if shown[i] && c.min > 0 && c.want > c.min {
                let by = over.min(c.want - c.min);
                w[i] -= by;
                over -= by;
            }
        }
        if over == 0 {
            return finish(&w, &shown);
        }
        let next = cols
            .iter()
            .enumerate()
            .filter(|(i, c)| shown[*i] && c.drop > 0)
            .min_by_key(|(_, c)| c.drop)
            .map(|(i, _)| i);
        if let Some(i) = next {
            shown[i] = false;
            continue;
        }
        // Nothing left to drop: cut the widest column, one cell at a time.
        while over > 0 {
            let Some(i) = (0..cols.len()).filter(|i| shown[*i]).max_by_key(|i| w[*i]) else {
                break;
            };
            if w[i] <= 1 {
                break;
            }
            w[i] -= 1;
            over -= 1;
        }
        return finish(&w, &shown);
    }
}

fn finish(w: &[usize], shown: &[bool]) -> Vec<Option<usize>> {
    w.iter().zip(shown).map(|(w, s)| s.then_some(*w)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn col(want: usize, min: usize, drop: u8) -> Column {
        Column { want, min, drop }
    }

    #[test]
    fn everything_fits_at_its_wanted_width() {
        let cols = [col(15, 0, 0), col(23, 12, 1), col(7, 0, 2)];
        assert_eq!(fit(&cols, 100, 1), [Some(15), Some(23), Some(7)]);
    }

    #[test]
    fn a_column_that_cuts_well_is_cut_before_anything_is_dropped() {
        let cols = [col(15, 0, 0), col(23, 12, 1), col(7, 0, 2)];
        // 15 + 23 + 7 + 2 gaps = 47: four cells too many, taken from the second.
        assert_eq!(fit(&cols, 43, 1), [Some(15), Some(19), Some(7)]);
    }

    #[test]
    fn columns_are_dropped_in_order_before_the_rest_is_cut() {
        let cols = [col(15, 0, 0), col(23, 12, 1), col(7, 0, 2)];
        assert_eq!(fit(&cols, 30, 1), [Some(15), None, Some(7)]);
        assert_eq!(fit(&cols, 20, 1), [Some(15), None, None]);
        // Nothing left to drop: the widest is cut.
        assert_eq!(fit(&cols, 10, 1), [Some(10), None, None]);
    }
}
