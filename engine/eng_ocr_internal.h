/*
 * Internals of the recognizer shared by eng_ocr.c (recognition), eng_pdf_out.c (the searchable PDF, which
 * pins the instance it renders with) and eng_lang.c (the model directory). Not for use outside engine/. Same
 * threading rule as eng_ocr_t.
 */
#ifndef OCRGATE_ENG_OCR_INTERNAL_H
#define OCRGATE_ENG_OCR_INTERNAL_H

#include <stddef.h>

#include <tesseract/capi.h>

#include "engine/eng_ocr.h"

/* One initialised TessBaseAPI for one language set. Heap-allocated so that a pointer held by an eng_pdf_t
 * stays valid while the cache array changes. */
typedef struct {
    char *langs;
    TessBaseAPI *api;
    unsigned long last_used;
    int pins; /* open PDFs using it; a pinned instance is never evicted */
} eng_inst_t;

struct eng_ocr {
    char *tessdata;
    int max_warm;
    eng_inst_t **insts;
    int ninst, capinst;
    unsigned long tick;
    eng_inst_t *last; /* instance holding the last successfully recognized page, NULL if none */
    TessBaseAPI *osd; /* orientation detection (eng_ocr_detect_orientation), initialised on first use */
};

/* Returns the warm instance for `langs`, initialising it (and evicting the least recently used unpinned one
 * beyond max_warm) when needed; NULL with a sentence in err. */
eng_inst_t *eng__inst_get(eng_ocr_t *ocr, const char *langs, char *err, size_t errlen);
/* Validates a "eng" / "eng+deu" list against the installed models without initialising anything (names, no
 * osd, at most 8, each model file present); fills err with a sentence naming the problem ("Language 'xyz' is
 * not installed."). The recognizer checks every new language set with it. */
__attribute__((warn_unused_result)) int eng__check_languages(const char *tessdata_dir, const char *languages,
                                                             char *err, size_t errlen);
/* $TESSDATA_PREFIX, else ENG_TESSDATA_DEFAULT. */
const char *eng__default_tessdata(void);

#endif
