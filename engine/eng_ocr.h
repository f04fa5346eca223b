/*
 * eng_ocr: recognition of decoded pages with tesseract's C API, the per-page result strings (text, JSON
 * words, hOCR, TSV, ALTO), whole-document assembly from stored per-page fragments (eng_render.c), the
 * searchable PDF (eng_pdf_out.c) and the installed languages (eng_lang.c).
 *
 * Threads: an eng_ocr_t is NOT thread-safe; each engine worker thread owns one for its whole life. It keeps
 * up to `max_warm_instances` initialised TessBaseAPI instances, one per language set, in LRU order
 * (Init costs ~150 ms and ~15 MB each). The document assemblers, eng_ocr_languages and the version getters
 * are pure and callable from any thread.
 *
 * Process requirements: OMP_THREAD_LIMIT=1 must be in the environment before the process starts.
 * The first eng_ocr_create() silences tesseract's and leptonica's stderr output (see eng_global_init).
 *
 * Ownership: every char * returned or stored in a result is malloc'ed and released with free() (or
 * eng_page_result_free()); nothing returned points into tesseract.
 */
#ifndef OCRGATE_ENG_OCR_H
#define OCRGATE_ENG_OCR_H

#include <stddef.h>

#include "engine/eng_util.h" /* eng_version */

struct Pix;

/* Tesseract's compiled-in model directory on Debian 12; TESSDATA_PREFIX in the environment overrides it, as
 * it does for the tesseract command line. */
#ifndef ENG_TESSDATA_DEFAULT
#define ENG_TESSDATA_DEFAULT "/usr/share/tesseract-ocr/5/tessdata"
#endif

/* Resolution assumed for images that carry none (or an absurd one outside [70, 2400]) when the caller's
 * opts.dpi is 0. 300 is what scanners produce and what tesseract's models were trained around. */
#define ENG_DEFAULT_DPI 300

/* Tesseract's thresholder refuses images wider or taller than INT16_MAX; eng_ocr_page fails such pages
 * with a sentence. Callers should include it in their per-page limits (refuse at probe time). */
#define ENG_MAX_SIDE 32767

typedef struct eng_ocr eng_ocr_t;

/* Recognition is a node's background work: eng_ocr_create() lowers the CPU priority of the calling thread
 * (the one that will own the recognizer, an engine worker) by this many nice steps, so that on a node whose
 * every core is recognizing, the event loops, the lease keeper and PostgreSQL are still scheduled at once
 * when they wake. Recognition takes every cycle they leave, so throughput on a dedicated node is unchanged.
 */
#define ENG_OCR_NICE 10

/* tessdata_dir NULL = $TESSDATA_PREFIX or ENG_TESSDATA_DEFAULT. max_warm_instances < 1 is taken as 1.
 * Creating is cheap: instances are initialised on first use of a language set. Call it on the thread that
 * will use the recognizer (see ENG_OCR_NICE). NULL only on out-of-memory. */
eng_ocr_t *eng_ocr_create(const char *tessdata_dir, int max_warm_instances);
/* End or abort every eng_pdf_t begun on this ocr first. NULL is a no-op. */
void eng_ocr_destroy(eng_ocr_t *ocr);

/* Installed languages: the *.traineddata files of the directory (NULL = default), minus "osd", sorted.
 * On success *langs is a malloc'ed array of *n malloc'ed names (free with eng_ocr_languages_free). */
__attribute__((warn_unused_result)) int eng_ocr_languages(const char *tessdata_dir, char ***langs, int *n);
void eng_ocr_languages_free(char **langs, int n);
/* The model directory in use: `tessdata_dir` if not NULL, else TESSDATA_PREFIX, else the package's. */
const char *eng_ocr_tessdata_dir(const char *tessdata_dir);

typedef enum { ENG_PSM_AUTO = 0, ENG_PSM_SINGLE_BLOCK, ENG_PSM_SINGLE_COLUMN, ENG_PSM_SPARSE } eng_psm_t;

enum { ENG_SKIP_HOCR = 1u << 0, ENG_SKIP_TSV = 1u << 1, ENG_SKIP_ALTO = 1u << 2 };

typedef struct {
    const char *languages;    /* "eng", "eng+deu"; NULL or "" = "eng" */
    eng_psm_t psm;            /* AUTO = tesseract PSM 3 (the library default would be 6) */
    int dpi;                  /* assumed when the image has no resolution or one outside [70, 2400];
                                 0 = ENG_DEFAULT_DPI (300) */
    int timeout_ms;           /* per-page deadline counted from the start of recognition; 0 = none */
    int min_confidence;       /* words below are dropped from text and json (NOT from hocr/tsv/alto/pdf) */
    int (*cancel)(void *arg); /* polled during recognition (per word); non-zero = stop */
    void *cancel_arg;
    /* Strings not wanted (left NULL in the result): on a 2560x3300 page hOCR, TSV and ALTO cost ~120 ms each
     * on top of ~1.6 s of recognition. 0 = produce everything. */
    unsigned skip; /* ENG_SKIP_HOCR | ENG_SKIP_TSV | ENG_SKIP_ALTO */
    /* Echoed into the JSON page object: what the caller's clean-up did to the page before recognition. */
    int rotation;        /* degrees clockwise, 0/90/180/270 */
    double skew_degrees; /* deskew angle applied */
} eng_page_opts_t;

typedef struct {
    char *text; /* UTF-8 plain text of the page (tesseract's layout: lines end with \n, blank line between
                   paragraphs); "" when no words */
    char *json; /* the page object of the JSON result:
                   {"page":n,"width":..,"height":..,"dpi":..,"rotation":0,"skewDegrees":0.0,"confidence":..,
                    "words":[{"text","confidence","box":{"x","y","w","h"},"line","block"}]};
                   line and block are 0-based page-local indices of text lines / blocks that hold words */
    char *hocr; /* hOCR fragment: one <div class='ocr_page' id='page_n'> ... </div>; NULL if skipped */
    char *tsv;  /* TSV rows for this page (page_num = n), without the header line; NULL if skipped */
    char *alto; /* ALTO <Page> element (PHYSICAL_IMG_NR = n - 1, as tesseract numbers it); NULL if skipped */
    int width, height, dpi, words;
    double confidence; /* mean word confidence 0..100 over kept words, 0 when none */
    long engine_ms;    /* wall ms of this call (recognition plus rendering the strings) */
} eng_page_result_t;

typedef enum { ENG_OK = 0, ENG_ERR = -1, ENG_TIMEOUT = -2, ENG_CANCELED = -3 } eng_status_t;

/* Recognizes one decoded page; page_no is 1-based. The Pix is not modified or kept (tesseract takes its own
 * copy). On ENG_TIMEOUT / ENG_CANCELED / ENG_ERR *out is all zero/NULL and err holds a sentence; the partial
 * recognition is discarded. A language set not yet warm is initialised here (and counts against no deadline).
 * opts NULL = all defaults. */
__attribute__((warn_unused_result)) int eng_ocr_page(eng_ocr_t *ocr, struct Pix *pix, int page_no,
                                                     const eng_page_opts_t *opts, eng_page_result_t *out,
                                                     char *err, size_t errlen);
/* Frees the strings and zeroes *r; NULL-safe, idempotent. */
void eng_page_result_free(eng_page_result_t *r);

/* Whole-document assembly from per-page fragments as stored (after a crash/resume too). NULL entries (error
 * pages) are skipped. Each returns a malloc'ed NUL-terminated string, NULL on out-of-memory. */
char *eng_hocr_document(const char *const *page_fragments, int n,
                        const char *title); /* XHTML, as tesseract */
char *eng_alto_document(const char *const *page_fragments, int n, const char *source_name); /* ALTO v3 */
char *eng_tsv_document(const char *const *page_tsvs, int n); /* header line + rows */
char *eng_json_document(const char *const *page_jsons,
                        int n); /* {"engine":"tesseract 5.3.0","pages":[...]} */
char *eng_text_document(const char *const *page_texts, int n); /* pages separated by \f, as tesseract does */

/* Page orientation by tesseract's OSD model (osd.traineddata), in a TessBaseAPI of its own initialised with
 * "osd" on first use (~100 ms) and kept by `ocr` until eng_ocr_destroy. On success *deg is the clockwise
 * rotation (0, 90, 180 or 270) that turns the page upright and *conf tesseract's orientation confidence
 * (roughly 0..30; below ~2 the answer is a guess). A page with too little text to decide succeeds with
 * *deg = 0 and *conf = 0. Fails with a sentence when osd is not installed. Same threading rule as the rest
 * of eng_ocr_t. */
__attribute__((warn_unused_result)) int eng_ocr_detect_orientation(eng_ocr_t *ocr, struct Pix *pix, int *deg,
                                                                   float *conf, char *err, size_t errlen);

/* Searchable PDF: page image + invisible text layer, by tesseract's PDF renderer writing into a private
 * mkdtemp directory (file mode 0600, always removed); the bytes come back in memory.
 * The renderer reads the image and words of the page last recognized, so call eng_pdf_add_last_page()
 * right after a successful eng_ocr_page() with the same languages, before the next eng_ocr_page() on this
 * ocr. The begun PDF pins its instance so that LRU eviction cannot take it away.
 * The job runner makes one such PDF per page, on the worker that recognizes the page; eng_pdf_merge()
 * joins them and writes the document information (eng_pdf_meta_t), which the renderer's PDF lacks. */
typedef struct eng_pdf eng_pdf_t;
typedef struct {
    const char *title, *author, *subject, *keywords; /* UTF-8, any may be NULL */
} eng_pdf_meta_t;

__attribute__((warn_unused_result)) eng_pdf_t *eng_pdf_begin(eng_ocr_t *ocr, const char *languages, char *err,
                                                             size_t errlen);
__attribute__((warn_unused_result)) int eng_pdf_add_last_page(eng_pdf_t *pdf, char *err, size_t errlen);
int eng_pdf_pages(const eng_pdf_t *pdf); /* pages added so far; 0 for NULL */
/* Finishes the document and frees pdf (also on failure). *bytes is malloc'ed. A PDF with no page fails. */
__attribute__((warn_unused_result)) int eng_pdf_end(eng_pdf_t *pdf, unsigned char **bytes, size_t *len,
                                                    char *err, size_t errlen);
void eng_pdf_abort(eng_pdf_t *pdf); /* NULL-safe */

#endif
