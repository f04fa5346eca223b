-- A claim commits without waiting for the disk (docs/ARCHITECTURE.md, jobs/, "Durability of claims"). Most of
-- a claim's time was its commit's WAL flush; the claim itself records nothing a client handed over or was
-- given, and losing it in a crash of the database costs a page recognized again, never a page stored twice:
--
-- * A claim lost in a crash leaves its task (or job) as it was before it: unclaimed, at its previous
--   attempt. The worker that thought it held it is fenced: every write of a worker checks locked_by = the
--   worker AND attempt (the seed, the one-page job's writes, a page's store, the assembling task's end), and
--   a renewal by its lease keeper finds no such lease, so the task is claimed and recognized again, and its
--   page is stored once.
-- * The WAL is one sequence, flushed in order: a crash loses a tail of it, so a claim survives whenever
--   anything committed after it survives. Every write recording work (a job created, a seed, a page stored,
--   a job completed) commits synchronously, which flushes the claim made before it, in any session; a seed
--   or a store acknowledged to its worker therefore implies the claim it depends on is on disk.
-- * Nothing outside the database acts on a claim: the notification a claim may cause only wakes claimers.
--
-- The setting is local to the claim's transaction (is_local), so it applies to that commit only, and the
-- caller's later statements keep the session's synchronous commit. The walk itself is unchanged: it is
-- renamed task_claim_walk, and task_claim, the name DB_RGN_TASK_CLAIM calls, sets the commit mode then walks.
ALTER FUNCTION task_claim(text, integer) RENAME TO task_claim_walk;

CREATE FUNCTION task_claim(worker text, lease_s integer)
RETURNS TABLE (job_id uuid, page integer, attempt integer, dpi integer, more boolean) LANGUAGE plpgsql
ROWS 1 AS $$
BEGIN
    -- Not a SET clause of the function: PostgreSQL restores those when the function returns, before the
    -- commit; set_config(..., true) lasts to the end of the transaction.
    PERFORM set_config('synchronous_commit', 'off', true);
    RETURN QUERY SELECT * FROM task_claim_walk(worker, lease_s);
END
$$;
