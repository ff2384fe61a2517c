-- baton workflow database, schema 8: checkpoints stored as patches.
--
-- A checkpoint holds the phase outputs as they were when a phase was entered, so stored
-- whole each one repeats every output of the one before: a workflow's checkpoints grew
-- with the square of its phase count (a quarter of a backfilled file). baton now stores a
-- checkpoint's `phase_outputs` as a patch on the workflow's checkpoint whose version
-- `base_version` names: the top-level outputs that changed, `null` for one removed. A row
-- whose `base_version` is NULL holds its outputs whole, as every row written before this
-- version and every row another writer writes does; those are read as before, and nothing
-- existing is rewritten.

ALTER TABLE workflow_checkpoints ADD COLUMN base_version INTEGER;
