//! The event feed in commit order. A reader that asks only for `seq > last` skips an event
//! whose transaction took a lower `seq` but committed later. So each read also returns the
//! snapshot it saw: its in-progress transactions are remembered in the cursor, and the
//! next read asks for their events too (by the `tx` column, migration 0003), whatever their
//! `seq`. An event is returned once: when its transaction has committed, it is below the
//! new `seq` and its transaction is no longer in progress.

use super::PgStore;
use super::row::{self, EVENT};
use crate::model::Event;
use crate::store::error::{Result, StoreError};
use crate::store::query::FeedCursor;

/// The in-progress transactions of a snapshot's text form, `xmin:xmax:xip,xip,…`.
fn in_progress(snapshot: &str) -> Result<Vec<String>> {
    let xip = snapshot.splitn(3, ':').nth(2).ok_or_else(|| {
        StoreError::Database(format!("unexpected snapshot from the server: {snapshot}"))
    })?;
    Ok(xip
        .split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect())
}

impl PgStore {
    pub fn feed_start(&self) -> Result<FeedCursor> {
        let rows = self.query(
            "SELECT coalesce(max(seq), 0), pg_current_snapshot()::text FROM workflow_events",
            &[],
        )?;
        Ok(FeedCursor {
            seq: row::int(&rows[0], 0)?,
            in_flight: in_progress(&row::text(&rows[0], 1)?)?,
        })
    }

    pub fn feed(
        &self,
        cursor: &FeedCursor,
        workflow: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Event>, FeedCursor)> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        // One statement, one snapshot: the events it returns and the transactions it saw
        // running are of the same moment.
        let rows = self.query(
            &format!(
                "SELECT {EVENT}, pg_current_snapshot()::text FROM (
                   (SELECT * FROM workflow_events
                     WHERE tx = ANY($2::text[]::xid8[]) AND seq <= $1
                       AND ($4::text IS NULL OR workflow_id = $4))
                   UNION ALL
                   (SELECT * FROM workflow_events
                     WHERE seq > $1 AND ($4::text IS NULL OR workflow_id = $4)
                     ORDER BY seq LIMIT $3)
                 ) AS e ORDER BY seq"
            ),
            &[&cursor.seq, &cursor.in_flight, &limit, &workflow],
        )?;
        let Some(last) = rows.last() else {
            // Nothing committed since: whoever was running may still commit.
            return Ok((Vec::new(), cursor.clone()));
        };
        let next = FeedCursor {
            seq: row::int(last, 0)?.max(cursor.seq),
            in_flight: in_progress(&row::text(last, 7)?)?,
        };
        let events = rows
            .iter()
            .map(row::event)
            .collect::<row::Result<Vec<_>>>()?;
        Ok((events, next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_names_its_running_transactions() {
        assert_eq!(in_progress("100:104:100,102").unwrap(), ["100", "102"]);
        assert!(in_progress("100:100:").unwrap().is_empty());
        assert!(in_progress("garbage").is_err());
    }
}
