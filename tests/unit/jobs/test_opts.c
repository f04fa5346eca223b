/* unit.jobs.opts: the job options table and its decoder (stored JSON -> job_opts_t). */
#include "jobs/job_opts.h"
#include "engine/eng_barcode.h"
#include "engine/eng_format.h"

#include <string.h>

#include "tests/unit/tap.h"

int main(void)
{
    job_opts_t o;
    size_t seen = 0;

    /* The table: unique names, fields inside the struct, choices where needed. */
    for (size_t i = 0; i < JOB_OPT_COUNT; ++i) {
        const job_opt_row_t *r = &job_opt_table[i];
        ok(job_opt_find(r->name) == r, "%s is found by name", r->name);
        ok(r->offset < sizeof(job_opts_t), "%s lands inside job_opts_t", r->name);
        ok((r->type == JOB_OPT_ENUM) == (r->choices != NULL), "%s has choices exactly when it is an enum",
           r->name);
        seen += r->type == JOB_OPT_CLEANUP;
    }
    is_int(seen, 11, "eleven clean-up options");
    is_str(job_opt_table[0].name, "languages", "languages first (API.md order)");
    is_str(job_opt_table[JOB_OPT_COUNT - 1].name, "barcodeTypes", "barcodeTypes last");
    ok(job_opt_find("Deskew") == NULL && job_opt_find("nope") == NULL, "unknown names are not found");

    /* Decoding a normalized object. */
    json_t *obj =
        json_loads("{\"languages\":\"eng+deu\",\"outputs\":[\"text\",\"pdf\",\"alto\"],\"autostart\":false,"
                   "\"retentionDays\":3,\"correlationId\":\"c-1\",\"description\":\"a\\tb\",\"deskew\":true,"
                   "\"autoRotate\":false,\"binarize\":true,\"despeckle\":true,\"removeBorder\":true,"
                   "\"removeHalftone\":true,\"improveText\":true,\"fastMode\":true,"
                   "\"deleteBlankPages\":true,\"minConfidence\":40,\"dpi\":null,"
                   "\"pageSegMode\":\"sparse\",\"pageTimeoutMs\":1500,\"pdfTitle\":\"T\",\"pdfAuthor\":null,"
                   "\"pdfSubject\":\"S\",\"pdfKeywords\":\"k\",\"pdfTextPolicy\":\"skipTextPages\","
                   "\"blankPageMaxNoise\":0.5,\"pages\":\"2-3,7-\",\"detectBarcodes\":true,"
                   "\"barcodeTypes\":[\"ean13\",\"qrcode\"]}",
                   0, NULL);
    job_opts_decode(obj, &o);
    is_str(o.languages, "eng+deu", "languages");
    ok(job_opts_wants(&o, "text") && job_opts_wants(&o, "pdf") && job_opts_wants(&o, "alto") &&
           !job_opts_wants(&o, "json") && !job_opts_wants(&o, "tsv") && !job_opts_wants(&o, "nope"),
       "outputs as a set");
    is_int(o.outputs,
           1u << eng_output_index(eng_output_find("text")) | 1u << eng_output_index(eng_output_find("pdf")) |
               1u << eng_output_index(eng_output_find("alto")),
           "outputs bits follow the formats table");
    ok(!o.autostart && o.retention_days == 3, "autostart, retentionDays");
    is_str(o.correlation_id, "c-1", "correlationId");
    is_str(o.description, "a\tb", "description");
    ok(o.deskew && !o.auto_rotate && o.binarize && o.despeckle && o.remove_border && o.delete_blank_pages,
       "clean-up flags");
    ok(!o.remove_color_noise && o.remove_halftone && !o.remove_hole_punch && o.improve_text &&
           !o.deskew_adjust_paper_size && o.fast_mode,
       "ownOCR clean-up flags and fastMode");
    ok(o.min_confidence == 40 && o.dpi == 0 && o.page_timeout_ms == 1500, "integers; null dpi is 0");
    is_int(o.page_seg_mode, ENG_PSM_SPARSE, "pageSegMode decodes to eng_psm_t");
    is_str(o.pdf_title, "T", "pdfTitle");
    is_str(o.pdf_author, "", "null pdfAuthor is empty");
    is_int(o.pdf_text_policy, JOB_PDF_TEXT_SKIP_TEXT_PAGES, "pdfTextPolicy");
    ok(o.blank_page_max_noise == 0.5, "blankPageMaxNoise");
    ok(o.pages.nparts == 2 && eng_pages_selected(&o.pages, 2) && !eng_pages_selected(&o.pages, 4) &&
           eng_pages_selected(&o.pages, 9),
       "pages decodes to the selection");
    ok(o.detect_barcodes && o.barcode_types == (ENG_BARCODE_BIT(eng_barcode_type_findn("ean13", 5)) |
                                                ENG_BARCODE_BIT(eng_barcode_type_findn("qrcode", 6))),
       "detectBarcodes, barcodeTypes as a type mask");
    json_decref(obj);

    /* Missing keys and wrong kinds leave zero values; a long string is cut, not overrun. */
    char longs[600];
    memset(longs, 'x', sizeof(longs) - 1);
    longs[sizeof(longs) - 1] = '\0';
    obj = json_pack("{s:s,s:i,s:s,s:s}", "description", longs, "deskew", 1, "pageSegMode", "what", "dpi",
                    "300");
    job_opts_decode(obj, &o);
    is_int(strlen(o.description), JOB_OPT_MAX_STRING, "long string cut to the field");
    ok(!o.deskew && o.page_seg_mode == ENG_PSM_AUTO && o.dpi == 0 && o.outputs == 0 && o.languages[0] == '\0',
       "wrong kinds and missing keys decode to zero");
    json_decref(obj);
    job_opts_decode(NULL, &o);
    ok(o.outputs == 0 && o.page_timeout_ms == 0 && o.pages.nparts == 0, "NULL object: all zero, every page");
    return done_testing();
}
