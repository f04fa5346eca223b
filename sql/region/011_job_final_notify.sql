-- A job reaching a final state (completed, failed, canceled) is announced on the channel ocrgate_job_final
-- with its id as the payload, whichever node's worker finished it: synchronous requests waiting for the job
-- (POST /processing/{workflow}) on any gateway node of the region are woken by it instead of polling. The
-- notification is sent when the finishing transaction commits, so a woken request reads the final job.
CREATE FUNCTION job_final_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('ocrgate_job_final', NEW.job_id::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_final_notify AFTER UPDATE OF status ON jobs FOR EACH ROW
    WHEN (NEW.status IN ('completed', 'failed', 'canceled') AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION job_final_notify();
