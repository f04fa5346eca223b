-- Searchable PDFs of page-parallel runs (docs/ARCHITECTURE.md, jobs/): each page task stores its page's
-- one-page PDF, rendered on the worker that recognized the page, beside the page's other results; the
-- assembling task merges them in page order into the job's PDF, then drops them. A column of job_pages
-- rather than a table of its own: the page and its PDF are written by the same fenced statement (a page
-- recognized again after a takeover replaces both at once), purged with the page, and TOASTed out of line,
-- so the statements that read pages without it never touch its bytes.
-- NULL: the page has no place in the PDF (failed, blank, skipped, or its own text kept: none of them is in
-- the PDF, as before page-parallel PDFs); empty: the renderer failed on it, and the job gets no PDF rather
-- than one that lacks a page.
ALTER TABLE job_pages ADD COLUMN pdf bytea;
