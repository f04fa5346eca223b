-- The integer Id of the ownOCR Server compatible API (/ocrjobs): one sequence per region database for jobs and
-- templates together, so that an Id names exactly one job or one template (ownOCR templates are jobs), given
-- to every row whichever API made it (existing rows are numbered now). And the template a job was made from
-- through that API (its TemplateId), kept as the template's Id: the template may be deleted later.
CREATE SEQUENCE ocr_ids;
ALTER TABLE jobs ADD COLUMN ocr_id bigint NOT NULL DEFAULT nextval('ocr_ids');
ALTER TABLE jobs ADD COLUMN ocr_template_id bigint;
ALTER TABLE templates ADD COLUMN ocr_id bigint NOT NULL DEFAULT nextval('ocr_ids');
ALTER SEQUENCE ocr_ids OWNED BY jobs.ocr_id;
CREATE UNIQUE INDEX jobs_ocr_id ON jobs (ocr_id);
CREATE UNIQUE INDEX templates_ocr_id ON templates (ocr_id);

-- Every barcode of a job's pages, each with its page number, in page order (the Barcodes member).
CREATE FUNCTION ocr_barcodes(job uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(b || jsonb_build_object('page', p.page) ORDER BY p.page, n), '[]')
    FROM job_pages p, jsonb_array_elements(p.barcodes) WITH ORDINALITY AS x(b, n)
    WHERE p.job_id = job AND p.barcodes IS NOT NULL
$$;
