/*
 * cx_ocrjobs_map: the pure half of the ownOCR surface (cx_ocrjobs.h): the reference's job object from v1 jobs
 * and templates (cx_ocrjobs_job.c) and its option members to and from v1 options (cx_ocrjobs_opts.c). No I/O,
 * no globals, any thread; only jansson, so that the fuzz target builds them alone. Every json_t returned is
 * new and owned by the caller.
 */
#ifndef OCRGATE_CX_OCRJOBS_MAP_H
#define OCRGATE_CX_OCRJOBS_MAP_H

#include <jansson.h>
#include <stddef.h>

/* ---- cx_ocrjobs_job.c ---- */

/* The reference's Status of a v1 status (created and canceled 0, scheduled 1, processing 2, completed 3,
 * failed 4); -1 for an unknown one. */
int cx_status_code(const char *v1_status);
/* v1 statuses of a reference Status (NULL-terminated, static), or NULL for one out of 0..4. */
const char *const *cx_status_names(long code);
/* The job object of the reference from a v1 job object (job_json) or template object (template_json) and the
 * surface's columns: Id, TemplateId (NULL: none), barcodes (ocr_barcodes' array), the app's name. */
json_t *cx_job_object(const json_t *v1, int is_template, long long ocr_id, const char *template_ocr_id,
                      const json_t *barcodes, const char *user_name);
/* A v1 time ("...Z", or NULL) in the reference's form, with its offset: "2021-01-06T21:10:57.208+00:00". */
json_t *cx_time(const json_t *v1_time);

/* ---- cx_ocrjobs_opts.c ---- */

/* The reference's option members of a job object (`in`, what a client sent to create, createtemplate or
 * setoptions; NULL for none) as v1 options, added to `out` (an object). Members the reference marks read-only
 * are ignored, so that a job object read back can be sent again. `base` is the job's or template's current v1
 * options (setoptions: the output flags change its outputs), or NULL on creation: then members the client
 * left out take the reference's defaults where they differ from v1's (PdfOutput true and the other outputs
 * false, MinConfidence 60, RenderResolution 200, BlankPagesMaxNoise 0.5, RetentionDays the tier's maximum,
 * NrOfOCRThreads 2). On a refusal returns -1 with a sentence naming the member in err. */
__attribute__((warn_unused_result)) int cx_opts_to_v1(const json_t *in, const json_t *base,
                                                      int max_retention_days, json_t *out, char *err,
                                                      size_t errlen);
/* The reference's option members of v1 options, set on `job`. */
void cx_opts_from_v1(const json_t *options, json_t *job);
/* The English name of a tesseract language ("deu" -> "German"), or the code itself when it has none. */
const char *cx_language_name(const char *code);
/* The member of the reference a v1 option is set from ("dpi" -> "RenderResolution"), or NULL. */
const char *cx_member_of(const char *v1_option);

#endif
