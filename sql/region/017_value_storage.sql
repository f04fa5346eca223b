-- How a job's large values are stored out of line (TOAST), chosen by what they hold, so that storing a page
-- costs PostgreSQL as little CPU as it can.
--
-- A page whose image is the document itself (a one-page plain PNG that no step changed, engine/eng_page.h)
-- stores no image: image_is_document says so and the statements that read page images take the document's
-- bytes instead, which are never replaced once stored and are purged with the pages.
ALTER TABLE job_pages ADD COLUMN image_is_document boolean NOT NULL DEFAULT false;
-- Page images are PNG: compressed already. EXTERNAL stores them out of line
-- without a compression attempt, which for such bytes only ever costs time.
ALTER TABLE job_pages ALTER COLUMN image SET STORAGE EXTERNAL;
-- Text results (per page and whole-document), one-page PDFs and documents are compressed with lz4 instead of
-- pglz, the default: several times faster for a ratio within a few percent on text, and it gives up at
-- once on data that is compressed already (most documents and PDF streams). Values stored before keep
-- their method; both are read transparently.
ALTER TABLE job_pages ALTER COLUMN text SET COMPRESSION lz4, ALTER COLUMN json SET COMPRESSION lz4,
    ALTER COLUMN hocr SET COMPRESSION lz4, ALTER COLUMN tsv SET COMPRESSION lz4,
    ALTER COLUMN alto SET COMPRESSION lz4, ALTER COLUMN pdf SET COMPRESSION lz4;
ALTER TABLE job_outputs ALTER COLUMN data SET COMPRESSION lz4;
ALTER TABLE job_documents ALTER COLUMN data SET COMPRESSION lz4;
