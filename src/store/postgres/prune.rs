//! Removing finished workflows for `baton prune`: one batch per short transaction, each
//! row checked again inside it. Space is reclaimed by autovacuum, for reuse.

use super::PgStore;
use super::error::classify;
use crate::store::error::Result;
use crate::store::prune::{FINISHED_SQL, Reclaimed};

impl PgStore {
    pub fn delete_finished(&mut self, ids: &[String], before: &str) -> Result<usize> {
        self.refuse_writes("prune")?;
        // Handoffs, checkpoints and events go with their workflow (ON DELETE CASCADE).
        let n = self
            .execute_in(
                &mut *self.client.borrow_mut(),
                &format!(
                    "DELETE FROM build_workflows WHERE id = ANY($1)
                       AND updated_at < $2::text::timestamptz AND {FINISHED_SQL}"
                ),
                &[&ids, &before],
            )
            .map_err(|e| classify(e, "prune"))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    pub fn reclaim(&mut self) -> Result<Reclaimed> {
        Ok(Reclaimed::Autovacuum)
    }
}
