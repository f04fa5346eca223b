-- Barcodes found on a page (detectBarcodes: a JSON array, NULL when detection was not asked for) and pages
-- left out by the pages option (status skipped). The job object gains barcodeCount: the barcodes of its pages
-- so far, null when the job does not detect barcodes, and the link to them among its results.
ALTER TABLE job_pages ADD COLUMN barcodes jsonb;
ALTER TABLE job_pages DROP CONSTRAINT job_pages_status_check;
ALTER TABLE job_pages ADD CONSTRAINT job_pages_status_check
    CHECK (status IN ('completed', 'failed', 'blank', 'skipped'));

CREATE OR REPLACE FUNCTION job_json(j jobs) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'jobId', j.job_id, 'appId', j.app_id, 'status', j.status,
        'progress', jsonb_build_object('current', j.progress, 'message', j.progress_message),
        'document', CASE WHEN j.doc_bytes IS NULL THEN NULL ELSE jsonb_build_object(
            'name', j.doc_name, 'contentType', j.doc_content_type, 'bytes', j.doc_bytes, 'pages', j.doc_pages,
            'sha256', j.doc_sha256) END,
        'options', j.options, 'correlationId', j.correlation_id, 'description', j.description,
        'pagesDone', j.pages_done, 'errorPages', j.error_pages,
        'meanConfidence', CASE WHEN j.confidence_pages > 0
                               THEN round((j.confidence_sum / j.confidence_pages)::numeric, 1) END,
        'barcodeCount', CASE WHEN (j.options ->> 'detectBarcodes')::boolean THEN
                            (SELECT coalesce(sum(jsonb_array_length(p.barcodes)), 0) FROM job_pages p
                             WHERE p.job_id = j.job_id AND p.barcodes IS NOT NULL) END,
        'attempt', j.attempt,
        'createdAt', iso_utc(j.created_at), 'scheduledAt', iso_utc(j.scheduled_at),
        'startedAt', iso_utc(j.started_at), 'finishedAt', iso_utc(j.finished_at),
        'expiresAt', iso_utc(j.expires_at),
        'results', (SELECT coalesce(jsonb_object_agg(f, '/v1/jobs/' || j.job_id || '/results/' || f), '{}')
                    FROM jsonb_array_elements_text(j.options -> 'outputs') f)
                   || CASE WHEN (j.options ->> 'detectBarcodes')::boolean
                           THEN jsonb_build_object('barcodes', '/v1/jobs/' || j.job_id || '/results/barcodes')
                           ELSE '{}' END,
        'error', CASE WHEN j.error_code IS NULL THEN NULL
                      ELSE jsonb_build_object('errorCode', j.error_code, 'message', j.error_message) END)
$$;
